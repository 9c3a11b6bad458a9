// A worker waits on a condition variable local to main that main never notifies (it takes
// the mutex and forgets to set the flag): a hang. The condition variable and its mutex are
// named as main's local variables (the condition variable's type is only declared in this
// program, defined in the C++ library: it is named by its first byte). The twin,
// clean_cond_local_notified, sets the flag and notifies.
// CHECK: finding hang/cond on local variable cv of main() on T1's stack
// CHECK: exit 86
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
  { std::lock_guard<std::mutex> lock(m); }
  worker.join();
  return 0;
}
