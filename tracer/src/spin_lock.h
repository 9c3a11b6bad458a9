// The runtime's own lock for its slow paths (the trace file, the registry, flushes).
#pragma once

#include <atomic>

namespace threadlens::rt {

// A test-and-set lock for the runtime's slow paths. Never taken on the hot path.
class SpinLock {
 public:
  void Lock() {
    while (flag_.exchange(true, std::memory_order_acquire)) Wait();
  }
  // Bounded attempt for signal handlers, where the holder may be the interrupted thread.
  bool TryLockFor(int spins) {
    for (int i = 0; i < spins; ++i) {
      if (!flag_.exchange(true, std::memory_order_acquire)) return true;
      Wait();
    }
    return false;
  }
  void Unlock() { flag_.store(false, std::memory_order_release); }
  void Reset() { flag_.store(false, std::memory_order_relaxed); }

 private:
  static void Wait();
  std::atomic<bool> flag_{false};
};

}  // namespace threadlens::rt
