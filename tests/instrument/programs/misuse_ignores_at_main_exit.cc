// main turns writes off with AnnotateIgnoreWritesBegin and returns without the End: the main
// thread finished with ignores enabled, as a worker does in misuse_ignores_at_exit.
// CHECK: misuse ignores-at-exit
// CHECK: no-race
#include <cstdio>

extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);

int table[4];

int main() {
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  for (int i = 0; i < 4; ++i) table[i] = i;
  std::printf("%d\n", table[3]);
}
