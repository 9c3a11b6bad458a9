// The C++ standard library's primitives, unchanged: std::mutex, std::recursive_mutex,
// std::shared_mutex, std::condition_variable, std::thread and std::jthread.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <thread>

std::mutex m;
std::recursive_mutex r;
std::shared_mutex s;
std::condition_variable cv;
bool ready = false;

int main() {
  std::printf("M %p\nR %p\nS %p\nCV %p\n", static_cast<void*>(&m), static_cast<void*>(&r),
              static_cast<void*>(&s), static_cast<void*>(&cv));
  std::fflush(stdout);
  {
    std::lock_guard<std::recursive_mutex> g1(r);
    std::lock_guard<std::recursive_mutex> g2(r);
  }
  { std::shared_lock<std::shared_mutex> g(s); }
  { std::unique_lock<std::shared_mutex> g(s); }
  // Locked before the thread starts, so the wait below always happens.
  std::unique_lock<std::mutex> lk(m);
  std::jthread t([] {
    std::lock_guard<std::mutex> g(m);
    ready = true;
    cv.notify_one();
  });
  cv.wait(lk, [] { return ready; });
  lk.unlock();
  t.join();
  std::thread u([] { std::lock_guard<std::mutex> g(m); });
  u.join();
  return 0;
}
