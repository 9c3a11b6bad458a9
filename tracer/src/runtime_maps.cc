// The runtime's lock-free maps: pthread_t -> trace thread id, the set of locks already
// announced with kLockCreate, and every lock object a lock event named (for the end record).
// All live in mmap'd memory and never allocate.
#include <sys/mman.h>

#include "runtime_internal.h"

namespace threadlens::rt {
namespace {

void* MapTable(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ReportFatal("out of memory for the runtime's tables");
  return p;
}

// Thread id map: pthread_t -> tid, open addressing, entries overwritten when glibc reuses a
// pthread_t for a new thread.

constexpr uint32_t kTidSlots = 1 << 16;
struct TidSlot {
  std::atomic<uint64_t> key;
  std::atomic<uint32_t> tid;
};
TidSlot* g_tid_map = nullptr;

uint32_t SlotIndex(uint64_t key, uint32_t mask) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return static_cast<uint32_t>(key) & mask;
}

// Known-lock set (addresses), tombstone 1 after destroy.
constexpr uint32_t kLockSlots = 1 << 20;
std::atomic<uint64_t>* g_lock_set = nullptr;

// Adds `addr` (not 0) to an open-addressing set of addresses in `table` (kLockSlots slots,
// 0 empty): kNew when it was not there, kFull when 128 probes found neither it nor room.
enum class Insert { kNew, kPresent, kFull };
Insert SetInsert(std::atomic<uint64_t>* table, uint64_t addr) {
  for (uint32_t i = SlotIndex(addr, kLockSlots - 1), probes = 0; probes < 128;
       ++probes, i = (i + 1) & (kLockSlots - 1)) {
    uint64_t k = table[i].load(std::memory_order_acquire);
    if (k == addr) return Insert::kPresent;
    if (k == 0) {
      if (table[i].compare_exchange_strong(k, addr)) return Insert::kNew;
      if (k == addr) return Insert::kPresent;
    }
  }
  return Insert::kFull;
}

// Every lock object named so far (the set above forgets destroyed locks): the end record's
// count, which `threadlens run` prints without reading the trace back. Key 0 is an empty
// slot, so lock 0 has a flag of its own; a crowded table stops the count (none is given).
std::atomic<uint64_t>* g_locks_named = nullptr;
std::atomic<uint32_t> g_locks_named_count{0};
std::atomic<bool> g_lock_zero_named{false};
std::atomic<bool> g_locks_named_crowded{false};

}  // namespace

void InitObjectMaps() {
  g_tid_map = static_cast<TidSlot*>(MapTable(kTidSlots * sizeof(TidSlot)));
  g_lock_set = static_cast<std::atomic<uint64_t>*>(MapTable(kLockSlots * sizeof(uint64_t)));
  g_locks_named = static_cast<std::atomic<uint64_t>*>(MapTable(kLockSlots * sizeof(uint64_t)));
}

void ResetLockSet() {
  munmap(static_cast<void*>(g_lock_set), kLockSlots * sizeof(uint64_t));
  g_lock_set = static_cast<std::atomic<uint64_t>*>(MapTable(kLockSlots * sizeof(uint64_t)));
  munmap(static_cast<void*>(g_locks_named), kLockSlots * sizeof(uint64_t));
  g_locks_named = static_cast<std::atomic<uint64_t>*>(MapTable(kLockSlots * sizeof(uint64_t)));
  g_locks_named_count.store(0);
  g_lock_zero_named.store(false);
  g_locks_named_crowded.store(false);
}

void NoteLockNamed(uint64_t addr) {
  if (addr == 0) {
    if (!g_lock_zero_named.exchange(true, std::memory_order_relaxed)) {
      g_locks_named_count.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  if (!g_locks_named) {
    g_locks_named_crowded.store(true, std::memory_order_relaxed);
    return;
  }
  switch (SetInsert(g_locks_named, addr)) {
    case Insert::kNew:
      g_locks_named_count.fetch_add(1, std::memory_order_relaxed);
      break;
    case Insert::kPresent:
      break;
    case Insert::kFull:
      g_locks_named_crowded.store(true, std::memory_order_relaxed);
      break;
  }
}

uint32_t LocksNamedForEnd() {
  if (g_locks_named_crowded.load(std::memory_order_relaxed)) return 0;
  const uint32_t n = g_locks_named_count.load(std::memory_order_relaxed);
  return n == UINT32_MAX ? 0 : n + 1;
}

void TidMapSet(pthread_t t, uint32_t tid) {
  if (!g_tid_map) return;
  uint64_t key = static_cast<uint64_t>(t);
  for (uint32_t i = SlotIndex(key, kTidSlots - 1), probes = 0; probes < 64;
       ++probes, i = (i + 1) & (kTidSlots - 1)) {
    uint64_t k = g_tid_map[i].key.load(std::memory_order_acquire);
    if (k == 0) {
      if (!g_tid_map[i].key.compare_exchange_strong(k, key) && k != key) continue;
      k = key;
    }
    if (k == key) {
      g_tid_map[i].tid.store(tid, std::memory_order_release);
      return;
    }
  }
}

uint32_t TidMapGet(pthread_t t) {
  if (!g_tid_map) return 0;
  uint64_t key = static_cast<uint64_t>(t);
  for (uint32_t i = SlotIndex(key, kTidSlots - 1), probes = 0; probes < 64;
       ++probes, i = (i + 1) & (kTidSlots - 1)) {
    uint64_t k = g_tid_map[i].key.load(std::memory_order_acquire);
    if (k == 0) return 0;
    if (k == key) return g_tid_map[i].tid.load(std::memory_order_acquire);
  }
  return 0;
}

bool LockSetInsert(uint64_t addr) {
  // A crowded table: the lock stays unannounced, its events are still traced.
  return g_lock_set && SetInsert(g_lock_set, addr) == Insert::kNew;
}

namespace {

// The slot holding `addr` in the known-lock set, or null.
std::atomic<uint64_t>* LockSetSlot(uint64_t addr) {
  if (!g_lock_set) return nullptr;
  for (uint32_t i = SlotIndex(addr, kLockSlots - 1), probes = 0; probes < 128;
       ++probes, i = (i + 1) & (kLockSlots - 1)) {
    const uint64_t k = g_lock_set[i].load(std::memory_order_acquire);
    if (k == addr) return &g_lock_set[i];
    if (k == 0) return nullptr;
  }
  return nullptr;
}

}  // namespace

bool LockSetContains(uint64_t addr) { return LockSetSlot(addr) != nullptr; }

void LockSetErase(uint64_t addr) {
  if (std::atomic<uint64_t>* slot = LockSetSlot(addr)) {
    uint64_t k = addr;
    slot->compare_exchange_strong(k, 1);  // tombstone keeps probe chains intact
  }
}

}  // namespace threadlens::rt
