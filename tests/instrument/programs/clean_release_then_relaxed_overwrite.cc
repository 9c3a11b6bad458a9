// A release store of a flag, then right away a relaxed store of another value by the same
// thread (a queue lock's hand-over: oneTBB's queuing_rw_mutex sets the next waiter's `going`
// to 1 with release, and soon to 2 relaxed). A reader whose acquire load read the release
// store synchronizes with it, even when the relaxed store lands just after that load; so
// does one that read it with a relaxed load and then made an acquire fence (C++20
// [atomics.fences]): the second half of the rounds.
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

int Wait(int i) {
  int v;
  if (i < kRounds / 2) {
    while ((v = flags[i].load(std::memory_order_acquire)) == 0) {
    }
  } else {
    while ((v = flags[i].load(std::memory_order_relaxed)) == 0) {
    }
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return v;
}

void Read(long* sum, int* seen) {
  for (int i = 0; i < kRounds; ++i) {
    if (Wait(i) == 1) {  // read the release store: data[i] is ours to read
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
