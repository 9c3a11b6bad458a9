// Lost wake-up: the notification comes before the wait and no predicate guards the wait, so
// the main thread waits forever on the condition variable.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex m;
std::condition_variable cv;

int main() {
  std::printf("M %p\nCV %p\n", static_cast<void*>(&m), static_cast<void*>(&cv));
  std::fflush(stdout);
  std::thread t([] { cv.notify_one(); });
  t.join();
  std::unique_lock<std::mutex> lk(m);
  cv.wait(lk);  // nobody is left to notify
  return 0;
}
