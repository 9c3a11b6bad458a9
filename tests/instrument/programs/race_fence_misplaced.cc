// The twin of clean_fence_handoff, with the fences wrong: `late` is written after the release
// fence, so the fence does not order it; `unfenced` is read after a relaxed load with no
// acquire fence, so nothing orders it.
// CHECK: race late
// CHECK: race unfenced
#include <atomic>
#include <cstdio>
#include <thread>

int late, unfenced;
std::atomic<int> flag1{0}, flag2{0};

void Writer() {
  std::atomic_thread_fence(std::memory_order_release);
  late = 1;  // RACE
  flag1.store(1, std::memory_order_relaxed);

  unfenced = 2;  // RACE
  std::atomic_thread_fence(std::memory_order_release);
  flag2.store(1, std::memory_order_relaxed);
}

int main() {
  std::thread w(Writer);
  while (!flag1.load(std::memory_order_relaxed)) {
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  int sum = late;  // RACE
  while (!flag2.load(std::memory_order_relaxed)) {
  }
  sum += unfenced;  // RACE
  w.join();
  std::printf("%d\n", sum);
}
