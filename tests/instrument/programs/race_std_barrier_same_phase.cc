// The twin of clean_std_barrier_phases: each worker reads the other's cell in the phase in
// which the other writes it. Both cells race through the same two lines, so one report
// (on whichever cell the later thread touched) stands for both; ThreadSanitizer's one too.
// CHECK: race *
#include <barrier>
#include <cstdio>
#include <thread>

int cell[2];

int main() {
  std::barrier sync(2);
  auto work = [&](int id) {
    cell[id] = id + 1;  // RACE
    const int other = cell[1 - id];  // RACE
    sync.arrive_and_wait();
    cell[id] = other;
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  std::printf("%d %d\n", cell[0], cell[1]);
}
