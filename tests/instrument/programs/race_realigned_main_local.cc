// race_main_local_two_workers in a main whose frame is realigned for an over-aligned local:
// clang then places main's locals from the stack pointer (DW_OP_breg7), not from the frame
// base, and the local is still named. (ThreadSanitizer, clang 14: "Location is stack of main
// thread".)
// CHECK: race local variable hits of main() on T1's stack
#include <cstdio>
#include <thread>

struct alignas(64) Line {
  long slot[8];
};

// Out of line, so the over-aligned local stays on main's stack.
__attribute__((noinline)) void Fill(Line& line) {
  for (long& s : line.slot) s = 1;
}

void Count(long& hits) {
  for (int i = 0; i < 1000; ++i) hits += 1;  // RACE
}

int main() {
  Line line;
  Fill(line);
  long hits = 0;
  std::thread a(Count, std::ref(hits)), b(Count, std::ref(hits));
  a.join();
  b.join();
  std::printf("%ld %ld\n", hits, line.slot[0]);
}
