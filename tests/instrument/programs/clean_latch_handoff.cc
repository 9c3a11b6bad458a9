// Two workers fill their slots and count down a std::latch; main waits on it, then reads
// both. libstdc++ builds the latch on an atomic counter and a futex wait: the count-down
// releases, the wait acquires. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
// CHECK: no-finding hang
#include <cstdio>
#include <latch>
#include <thread>

int slots[2];

int main() {
  std::latch done(2);
  std::thread a([&] {
    slots[0] = 1;
    done.count_down();
  });
  std::thread b([&] {
    slots[1] = 2;
    done.count_down();
  });
  done.wait();
  std::printf("%d\n", slots[0] + slots[1]);
  a.join();
  b.join();
}
