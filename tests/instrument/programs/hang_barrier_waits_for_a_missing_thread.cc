// A std::barrier for three threads that only two reach: both wait on a futex forever. The
// watchdog ends the program; each waiter is a hang. (ThreadSanitizer, clang 14: hangs, no
// report.) Its twin is clean_std_barrier_phases.
// CHECK: exit 86
// CHECK: finding hang/futex
// CHECK: no-race
#include <barrier>
#include <cstdio>
#include <thread>

int main() {
  std::barrier meet(3);
  std::thread worker([&] { meet.arrive_and_wait(); });
  meet.arrive_and_wait();
  worker.join();
  std::puts("unreachable");
}
