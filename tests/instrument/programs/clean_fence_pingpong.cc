// Twenty thousand handoffs of one variable back and forth, each through a release fence and
// a relaxed store, read by a relaxed load and an acquire fence. The loads spin: the tracer
// folds their repeats, and a load that reads a new value must be neither folded into one
// that read the old value nor numbered before the store it read. (Either slip makes one
// handoff look unordered: a false race on `data`, in most runs.)
// CHECK: no-race
#include <atomic>
#include <cstdio>
#include <thread>

int data;
std::atomic<int> flag{0}, ack{0};
constexpr int kRounds = 20000;

int main() {
  std::thread writer([] {
    for (int i = 1; i <= kRounds; ++i) {
      data = i;
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
    std::atomic_thread_fence(std::memory_order_acquire);
    sum += data;
    std::atomic_thread_fence(std::memory_order_release);
    ack.store(i, std::memory_order_relaxed);
  }
  writer.join();
  std::printf("%ld\n", sum);
}
