// The timed C++ primitives, which glibc serves with the clock* functions:
// std::timed_mutex::try_lock_for (pthread_mutex_clocklock) and
// std::condition_variable::wait_for (pthread_cond_clockwait).
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

std::timed_mutex tm;
std::mutex m;
std::condition_variable cv;

int main() {
  std::printf("TM %p\nM %p\nCV %p\n", static_cast<void*>(&tm), static_cast<void*>(&m),
              static_cast<void*>(&cv));
  std::fflush(stdout);
  tm.lock();
  // Busy: the second thread's timed attempt times out.
  std::thread t([] { return tm.try_lock_for(std::chrono::milliseconds(20)); });
  t.join();
  tm.unlock();
  std::unique_lock<std::mutex> lk(m);
  bool timed_out = cv.wait_for(lk, std::chrono::milliseconds(10)) == std::cv_status::timeout;
  return timed_out ? 0 : 1;
}
