// The twin of clean_malloc_under_ignore without the ignore: the allocation and its fill are
// writes the relaxed hand-over does not order before the worker's.
// CHECK: race *
#include <atomic>
#include <cstdio>
#include <thread>

std::atomic<int*> handed{nullptr};

int main() {
  std::thread worker([] {
    int* p;
    while ((p = handed.load(std::memory_order_relaxed)) == nullptr) std::this_thread::yield();
    *p = 42;  // RACE
  });
  int* p = new int(0);  // RACE
  handed.store(p, std::memory_order_relaxed);
  worker.join();
  std::printf("%d\n", *p);
  delete p;
}
