// A worker fills one slot of main's local table through a captured reference while main
// fills the same slot itself: a race on main's stack. Only main's own store needs the
// threadlens pass plugin to be seen (clang's TSan pass leaves it out).
#include <cstdio>
#include <thread>

int main() {
  long table[8] = {};
  std::thread worker([&table] { table[2] = 20; });
  table[2] = 10;
  worker.join();
  std::printf("%ld\n", table[2]);
}
