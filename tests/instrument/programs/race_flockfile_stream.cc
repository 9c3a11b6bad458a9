// One thread updates a counter under stdout's lock (flockfile), the other without it: the
// stream lock orders nothing for the second thread's update.
// CHECK: race printed_lines
#include <stdio.h>

#include <thread>

int printed_lines = 0;

int main() {
  std::thread locked([] {
    for (int i = 0; i < 100; ++i) {
      flockfile(stdout);
      ++printed_lines;  // RACE
      fputs_unlocked("line\n", stdout);
      funlockfile(stdout);
    }
  });
  std::thread unlocked([] {
    for (int i = 0; i < 100; ++i) {
      ++printed_lines;  // RACE
    }
  });
  locked.join();
  unlocked.join();
  printf("%d\n", printed_lines);
}
