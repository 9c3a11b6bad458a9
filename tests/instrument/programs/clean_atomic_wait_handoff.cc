// C++20 atomic wait and notify: the worker writes, stores the flag with release and
// notifies; main waits on the flag with acquire and reads. ThreadSanitizer (clang 14)
// agrees: no race.
// CHECK: no-race
// CHECK: no-finding hang
#include <atomic>
#include <cstdio>
#include <thread>

int payload;
std::atomic<int> flag{0};

int main() {
  std::thread a([] {
    payload = 7;
    flag.store(1, std::memory_order_release);
    flag.notify_one();
  });
  flag.wait(0, std::memory_order_acquire);
  std::printf("%d\n", payload);
  a.join();
}
