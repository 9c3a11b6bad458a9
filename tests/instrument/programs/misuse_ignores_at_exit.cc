// A worker turns reads off with AnnotateIgnoreReadsBegin and ends without the End: the
// thread finished with ignores enabled (a warning, as ThreadSanitizer gives).
// CHECK: misuse ignores-at-exit
// CHECK: no-race
#include <cstdio>
#include <thread>

extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);

int table[4] = {1, 2, 3, 4};

int main() {
  std::thread worker([] {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    int sum = 0;
    for (int v : table) sum += v;
    std::printf("sum = %d\n", sum);
  });
  worker.join();
}
