// Memory the recording's processes share: what a thread keeps to find a location's key
// quickly (SharedLockKey), and the count of recorded atomic writes to such locations, kept
// in the recording's shared memory, that tells a spin in one process that another wrote
// there (their writes leave no mark on this process's stripes).
#pragma once

#include <atomic>
#include <cstdint>

namespace threadlens::rt {

// A thread's cache of the keys of the last locations it asked for, as of a version of the
// process's shared mappings (process_tree.h).
struct SharedKeys {
  struct Key {
    uint64_t addr, key, version;
  };
  static constexpr uint32_t kKeys = 4;
  Key keys[kKeys];
  uint32_t next;
};
// SharedLockKey, from the cache while the mappings do not change (a poll asks again at every
// round: its lock is kept). Not in a signal handler (the code it interrupted may hold the
// table of mappings, or be changing the cache).
uint64_t CachedSharedKey(SharedKeys& k, uint64_t addr);

// For an atomic at `addr`: null when it is in the process's own memory; else the count of
// recorded atomic writes to its location (by its key, hashed) in the recording's shared
// memory, which each such write raises before it writes. Without that memory, a count this
// call raises itself, so that no two readings of it are equal.
std::atomic<uint64_t>* SharedWrites(uint64_t addr);
// Raises that count for a write to `addr` about to be made (`before`: its value before);
// null when `addr` is in the process's own memory. The count moves as a stripe's version
// does (stripe_version.h): it shows the write under way until EndSharedWrite, after it.
std::atomic<uint64_t>* CountSharedWrite(uint64_t addr, uint64_t& before);
void EndSharedWrite(std::atomic<uint64_t>* count);
// Which of the recording's counts `count` is, below kSharedCountIds (kSharedCountIds: none
// of them, a count that changes at every reading).
inline constexpr uint32_t kSharedCountIds = 1u << 7;
uint32_t SharedCountId(const std::atomic<uint64_t>* count);
// The largest number given to a write counted by `count`, in the recording's shared memory
// (null for none of its counts).
std::atomic<uint64_t>* SharedLastSeq(const std::atomic<uint64_t>* count);
// Its value now (0: in the process's own memory).
inline uint64_t SharedWritesNow(uint64_t addr) {
  std::atomic<uint64_t>* c = SharedWrites(addr);
  return c ? c->load(std::memory_order_relaxed) : 0;
}

}  // namespace threadlens::rt
