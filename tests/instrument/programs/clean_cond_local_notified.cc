// The twin of hang_cond_local_never_notified: main sets the flag under the mutex and
// notifies, and the worker returns.
// CHECK: no-finding hang
// CHECK: no-race
// CHECK: exit 0
#include <condition_variable>
#include <mutex>
#include <thread>

int main() {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;
  std::thread worker([&] {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return ready; });
  });
  {
    std::lock_guard<std::mutex> lock(m);
    ready = true;
  }
  cv.notify_one();
  worker.join();
  return 0;
}
