// clean_release_then_relaxed_overwrite with the reader's loads made by compare-exchanges that
// fail (a lock's try-acquire finding it taken): a failed compare-exchange reads with its
// failure order. One that read the release store with acquire synchronizes with it, even
// when the relaxed store lands just after that read; so does a relaxed one followed by an
// acquire fence (the second half of the rounds).
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
    // A gap of 0 to 140 spins: the reader reads 1 in most rounds, and 2 lands anywhere.
    for (volatile int spin = 0; spin < (i % 8) * 20; ++spin) {
    }
    flags[i].store(2, std::memory_order_relaxed);
  }
}

// The value a failed compare-exchange of flags[i] with 0 read, once it is not 0.
int Wait(int i) {
  for (;;) {
    int seen = 0;
    if (i < kRounds / 2) {
      if (!flags[i].compare_exchange_strong(seen, 0, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        return seen;
      }
    } else if (!flags[i].compare_exchange_weak(seen, 0, std::memory_order_relaxed) &&
               seen != 0) {
      std::atomic_thread_fence(std::memory_order_acquire);
      return seen;
    }
  }
}

void Read(long* sum) {
  for (int i = 0; i < kRounds; ++i) {
    if (Wait(i) == 1) *sum += data[i];  // read the release store: data[i] is ours to read
  }
}

int main() {
  long sum = 0;
  std::thread reader(Read, &sum), writer(Write);
  writer.join();
  reader.join();
  std::printf("done\n");
  return sum < 0;
}
