// Two threads update a counter and print it while holding stdout's own lock (flockfile,
// taken twice: the stream lock is recursive; or ftrylockfile until it succeeds), which
// orders the updates. (ThreadSanitizer, clang 14, does not model these and reports a race.)
// CHECK: no-race
#include <stdio.h>

#include <thread>

int printed_lines = 0;

void Worker() {
  for (int i = 0; i < 100; ++i) {
    flockfile(stdout);
    ++printed_lines;
    flockfile(stdout);
    fputs_unlocked("line\n", stdout);
    funlockfile(stdout);
    funlockfile(stdout);
    while (ftrylockfile(stdout) != 0) {
    }
    ++printed_lines;
    funlockfile(stdout);
  }
}

int main() {
  std::thread a(Worker), b(Worker);
  a.join();
  b.join();
  printf("%d\n", printed_lines);
}
