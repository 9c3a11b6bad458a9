// clean_release_then_relaxed_overwrite with relaxed loads and an acquire fence: the reader
// spins with relaxed loads, then fences; when the value it read was the release store, the
// fence synchronizes with that store, even when the relaxed store lands just after the load
// (C++20 [atomics.fences]).
// CHECK: no-race
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
    data[i] = i;
    flags[i].store(1, std::memory_order_release);
    flags[i].store(2, std::memory_order_relaxed);
  }
}

void Read(long* sum, int* seen) {
  for (int i = 0; i < kRounds; ++i) {
    int v;
    while ((v = flags[i].load(std::memory_order_relaxed)) == 0) {
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (v == 1) {  // read the release store: data[i] is ours to read
      *sum += data[i];
      ++*seen;
    }
  }
}

int main() {
  long sum = 0;
  int seen = 0;
  std::thread reader(Read, &sum, &seen), writer(Write);
  writer.join();
  reader.join();
  std::printf("read %s\n", seen > 0 ? "some" : "none");
  return sum < 0;
}
