// Two workers meet at a C++20 std::barrier between writing their own cell and reading the
// other's, and again before writing theirs: each phase ends before the next begins.
// ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
// CHECK: no-finding hang
#include <barrier>
#include <cstdio>
#include <thread>

int cell[2];

int main() {
  std::barrier sync(2);
  auto work = [&](int id) {
    cell[id] = id + 1;
    sync.arrive_and_wait();
    const int other = cell[1 - id];
    sync.arrive_and_wait();
    cell[id] = other;
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  std::printf("%d %d\n", cell[0], cell[1]);
}
