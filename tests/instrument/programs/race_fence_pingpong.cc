// The twin of clean_fence_pingpong without the reader's acquire fence: its relaxed load
// orders nothing, so the writer's `data = i` and the reader's `sum += data` race.
// CHECK: race data
#include <atomic>
#include <cstdio>
#include <thread>

int data;
std::atomic<int> flag{0}, ack{0};
constexpr int kRounds = 20000;

int main() {
  std::thread writer([] {
    for (int i = 1; i <= kRounds; ++i) {
      data = i;  // RACE
      std::atomic_thread_fence(std::memory_order_release);
      flag.store(i, std::memory_order_relaxed);
      while (ack.load(std::memory_order_relaxed) != i) {
      }
      std::atomic_thread_fence(std::memory_order_acquire);
    }
  });
  long sum = 0;
  for (int i = 1; i <= kRounds; ++i) {
    while (flag.load(std::memory_order_relaxed) != i) {
    }
    sum += data;  // RACE
    std::atomic_thread_fence(std::memory_order_release);
    ack.store(i, std::memory_order_relaxed);
  }
  writer.join();
  std::printf("%ld\n", sum);
}
