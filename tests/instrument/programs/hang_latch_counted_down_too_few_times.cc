// A std::latch of 2 that only one worker counts down: main's wait never returns. libstdc++
// waits with a futex on the latch's counter, so the watchdog sees main blocked there, ends
// the program and the hang names the latch. (ThreadSanitizer, clang 14: hangs, no report.)
// The worker has ended unjoined, but main never got to its join: no thread leak, a note.
// Its twin is clean_latch_handoff.
// CHECK: exit 86
// CHECK: finding hang/futex on local variable done of main() on T1's stack
// CHECK: no-race
// CHECK: no-misuse
// CHECK: note T2 ended and was never joined, but the program was stopped
#include <cstdio>
#include <latch>
#include <thread>

int main() {
  std::latch done(2);
  std::thread worker([&] { done.count_down(); });
  done.wait();
  worker.join();
  std::puts("unreachable");
}
