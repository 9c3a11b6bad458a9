// Held-lock bookkeeping of a thread, shared by the mutex, rwlock and condition wait
// interceptors: its held locks in acquisition order, each with its recursion depth. The
// watchdog reads them from another thread (relaxed atomics, count published last).
#pragma once

#include <cstdint>

#include "runtime_internal.h"

namespace threadlens::rt {

// A recursion depth as the trace records it (aux16): deeper holds read 65535, never wrap.
inline constexpr uint32_t kMaxDepth = 0xffff;
inline uint16_t RecordedDepth(uint32_t d) {
  return static_cast<uint16_t>(d < kMaxDepth ? d : kMaxDepth);
}

// Returns the recursion depth after the change, as recorded (RecordedDepth).
inline uint16_t HeldPush(ThreadState* ts, uint64_t lock, bool shared, uint8_t type) {
  uint32_t n = ts->held_count.load(std::memory_order_relaxed);
  for (uint32_t i = n; i-- > 0;) {
    if (ts->held[i].lock.load(std::memory_order_relaxed) == lock) {
      uint32_t d = ts->held[i].depth.load(std::memory_order_relaxed) + 1;
      ts->held[i].depth.store(d, std::memory_order_relaxed);
      return RecordedDepth(d);
    }
  }
  if (n >= kMaxHeld) {
    ++ts->held_overflow;
    return 1;
  }
  ts->held[n].lock.store(lock, std::memory_order_relaxed);
  ts->held[n].depth.store(1, std::memory_order_relaxed);
  ts->held[n].shared.store(shared, std::memory_order_relaxed);
  ts->held[n].type.store(type, std::memory_order_relaxed);
  ts->held_count.store(n + 1, std::memory_order_release);
  return 1;
}

// Returns the depth after releasing (as recorded), or -1 when the thread does not hold `lock`.
// `shared_out` receives whether the hold was a read hold.
inline int HeldPop(ThreadState* ts, uint64_t lock, bool* shared_out) {
  uint32_t n = ts->held_count.load(std::memory_order_relaxed);
  for (uint32_t i = n; i-- > 0;) {
    if (ts->held[i].lock.load(std::memory_order_relaxed) != lock) continue;
    if (shared_out) *shared_out = ts->held[i].shared.load(std::memory_order_relaxed);
    uint32_t d = ts->held[i].depth.load(std::memory_order_relaxed);
    if (d > 1) {
      ts->held[i].depth.store(d - 1, std::memory_order_relaxed);
      return RecordedDepth(d - 1);
    }
    // Keep acquisition order: shift the younger entries down.
    for (uint32_t j = i; j + 1 < n; ++j) {
      ts->held[j].lock.store(ts->held[j + 1].lock.load(std::memory_order_relaxed),
                             std::memory_order_relaxed);
      ts->held[j].depth.store(ts->held[j + 1].depth.load(std::memory_order_relaxed),
                              std::memory_order_relaxed);
      ts->held[j].shared.store(ts->held[j + 1].shared.load(std::memory_order_relaxed),
                               std::memory_order_relaxed);
      ts->held[j].type.store(ts->held[j + 1].type.load(std::memory_order_relaxed),
                             std::memory_order_relaxed);
    }
    ts->held_count.store(n - 1, std::memory_order_release);
    return 0;
  }
  if (ts->held_overflow > 0) {
    --ts->held_overflow;
    return 0;
  }
  return -1;
}

inline bool HeldFind(ThreadState* ts, uint64_t lock) {
  uint32_t n = ts->held_count.load(std::memory_order_relaxed);
  for (uint32_t i = n; i-- > 0;) {
    if (ts->held[i].lock.load(std::memory_order_relaxed) == lock) return true;
  }
  return false;
}

}  // namespace threadlens::rt
