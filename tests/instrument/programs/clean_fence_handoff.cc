// Data handed over through relaxed atomics ordered by fences (C++20 [atomics.fences]): a
// release fence before a relaxed store, an acquire fence after a relaxed load, and each
// fence paired with a release store or an acquire load. ThreadSanitizer (clang 14) does not
// model fences: it reports the first two handoffs as races.
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

int data1, data2, data3;
std::atomic<int> flag1{0}, flag2{0}, flag3{0};

void Writer() {
  data1 = 1;
  std::atomic_thread_fence(std::memory_order_release);
  flag1.store(1, std::memory_order_relaxed);

  data2 = 2;
  flag2.store(1, std::memory_order_release);

  data3 = 3;
  std::atomic_thread_fence(std::memory_order_release);
  flag3.store(1, std::memory_order_relaxed);
}

int main() {
  std::thread w(Writer);
  while (!flag1.load(std::memory_order_relaxed)) {
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  int sum = data1;
  while (!flag2.load(std::memory_order_relaxed)) {
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  sum += data2;
  while (!flag3.load(std::memory_order_acquire)) {
  }
  sum += data3;
  w.join();
  std::printf("%d\n", sum);
}
