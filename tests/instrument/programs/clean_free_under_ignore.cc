// A worker writes a block; main frees it while it ignores its reads and writes, ordered
// after the write by nothing the trace shows (a sleep): the free is no access, so nothing
// races (as in ThreadSanitizer). The racy twin, without the ignore, is
// race_free_without_ignore.
// CHECK: no-race
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);

int main() {
  int* p = static_cast<int*>(std::malloc(sizeof(int)));
  std::thread worker([p] { *p = 42; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  std::free(p);
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  worker.join();
  std::puts("done");
}
