// The twin of clean_atomic_wait_handoff: the flag is stored relaxed, so waking on it orders
// nothing, though the notify's futex call happens after the store. ThreadSanitizer reports it
// too.
// CHECK: race payload
#include <atomic>
#include <cstdio>
#include <thread>

int payload;
std::atomic<int> flag{0};

int main() {
  std::thread a([] {
    payload = 7;  // RACE
    flag.store(1, std::memory_order_relaxed);
    flag.notify_one();
  });
  flag.wait(0, std::memory_order_relaxed);
  std::printf("%d\n", payload);  // RACE
  a.join();
}
