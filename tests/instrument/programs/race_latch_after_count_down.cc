// The twin of clean_latch_handoff: one worker writes its slot after counting down, so
// main's read after the wait is not ordered with it. ThreadSanitizer reports it too.
// CHECK: race slots[0]
#include <cstdio>
#include <latch>
#include <thread>

int slots[2];

int main() {
  std::latch done(2);
  std::thread a([&] {
    done.count_down();
    slots[0] = 1;  // RACE
  });
  std::thread b([&] {
    slots[1] = 2;
    done.count_down();
  });
  done.wait();
  std::printf("%d\n", slots[0] + slots[1]);  // RACE
  a.join();
  b.join();
}
