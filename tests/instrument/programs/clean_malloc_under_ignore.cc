// main allocates and fills a block while it ignores its writes (AnnotateIgnoreWritesBegin),
// then hands it over through a relaxed store, which orders nothing: the allocation is no
// access either, so the worker's write races with nothing (as in ThreadSanitizer). The racy
// twin, without the ignore, is race_malloc_without_ignore.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);

std::atomic<int*> handed{nullptr};

int main() {
  std::thread worker([] {
    int* p;
    while ((p = handed.load(std::memory_order_relaxed)) == nullptr) std::this_thread::yield();
    *p = 42;
  });
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  int* p = new int(0);
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  handed.store(p, std::memory_order_relaxed);
  worker.join();
  std::printf("%d\n", *p);
  delete p;
}
