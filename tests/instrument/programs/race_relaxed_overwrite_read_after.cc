// The twin of clean_release_then_relaxed_overwrite: the reader waits for the relaxed store's
// value. Its acquire load then reads a store outside the release sequence (the relaxed store
// ended it): nothing orders the writer's data before the read.
// CHECK: race data[0]
// Before C++20 the writer's relaxed store continued the release sequence its release store
// headed, and the reader synchronized:
// CHECK: cxx11-no-race
#include <atomic>
#include <cstdio>
#include <thread>

constexpr int kRounds = 20000;
int data[kRounds];
std::atomic<int> flags[kRounds];

void Write() {
  for (int i = 0; i < kRounds; ++i) {
    for (volatile int spin = 0; spin < 100; ++spin) {
    }
    data[i] = i;  // RACE
    flags[i].store(1, std::memory_order_release);
    flags[i].store(2, std::memory_order_relaxed);
  }
}

void Read(long* sum) {
  for (int i = 0; i < kRounds; ++i) {
    // Waits without synchronizing (an acquire read of the release store would), then reads
    // the relaxed store's value with acquire.
    while (flags[i].load(std::memory_order_relaxed) != 2) {
    }
    *sum += flags[i].load(std::memory_order_acquire) + data[i];  // RACE
  }
}

int main() {
  long sum = 0;
  std::thread reader(Read, &sum), writer(Write);
  writer.join();
  reader.join();
  std::printf("sum %ld\n", sum);
  return 0;
}
