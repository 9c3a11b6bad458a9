// misuse_ignores_at_exit with the End: the worker's reads are ignored for the loop only,
// and it ends with no ignore left on.
// CHECK: no-misuse
// CHECK: no-race
#include <cstdio>
#include <thread>

extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);

int table[4] = {1, 2, 3, 4};

int main() {
  std::thread worker([] {
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    int sum = 0;
    for (int v : table) sum += v;
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    std::printf("sum = %d\n", sum);
  });
  worker.join();
}
