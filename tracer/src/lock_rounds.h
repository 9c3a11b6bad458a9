// Lock rounds: a poll through locks (lock, read a flag, unlock, again; or through nested
// locks) is counted on its first round (docs/trace-format.md, "Repeats"). What
// each lock and each thread keeps for that; the rule itself is in lock_rounds.cc.
#pragma once

#include <atomic>
#include <cstdint>

#include "process_tree.h"
#include "shared_writes.h"
#include "threadlens/recording.h"

namespace threadlens::rt {

struct ThreadState;

// Each lock's slot holds the stamps of its latest acquisition and latest exclusive one: a
// thread finding its own there knows nobody took the lock since; a reader finding the
// exclusive one it saw last, that no writer did. A lock in shared memory has its slot in the
// recording's shared memory, by its key, where the threads of every process stamp it.
using LockStamps = trace::LockStampSlot;
inline constexpr uint32_t kLockStampBits = 12;
extern LockStamps g_lock_stamps[1u << kLockStampBits];

// A thread's part. Buffer offsets are kept + 1 (0: none).
struct LockRounds {
  static constexpr uint32_t kSeen = 4, kReleases = 8, kHolds = 8;
  // The thread's latest acquisition of each of the last kSeen locks it took: its stamp, and
  // the lock's exclusive stamp it saw then.
  struct Seen {
    uint64_t lock, stamp, excl_seen;
  };
  Seen seen[kSeen];
  uint32_t seen_next;
  uint64_t count;       // the thread's acquisitions, numbering its stamps
  // Its number in the recording, in the stamps of locks in shared memory (0: none yet; a
  // fork child's thread takes its own).
  uint64_t shared_id;
  uint32_t not_as_left;  // end of its latest acquisition that found the lock taken by another
  // Where its latest release records end, of which lock, from which call site and with
  // which flags (a ring).
  struct Release {
    uint32_t end;
    uint8_t flags;
    uint64_t lock, site;
  };
  Release rel[kReleases];
  uint32_t rel_next;
  uint32_t floor;  // a dropped round starts here or later: what the latest fold kept
  // The hold time counted on a kept release record so far, in ticks (its aux32 is in µs).
  struct Hold {
    uint32_t off;
    uint64_t ticks;
  };
  Hold hold[kHolds];
  uint32_t hold_next;

  void NoteRelease(uint64_t lock, uint32_t end, uint64_t site, uint8_t flags) {
    rel[rel_next++ % kReleases] = {end, flags, lock, site};
  }
  // The buffer was flushed or the process forked: no release record left in the buffer.
  void Reset() {
    for (Release& r : rel) r = {};
    for (Hold& h : hold) h = {};
    floor = not_as_left = 0;
  }
};

// The slot of a lock in shared memory, and the thread's stamp for its acquisition number `n`
// there; null for a lock in the process's own memory, or when the process has no recording
// shared with others (lock_rounds.cc). `in_handler`: called in a signal handler.
LockStamps* SharedStampSlot(LockRounds& r, SharedKeys& keys, bool in_handler, uint64_t lock,
                            uint64_t n, uint64_t& stamp);
// Stamps the lock's slot for an acquisition of thread `tid` recorded to end at `end`, and
// notes whether the thread found the lock as its own previous acquisition left it.
inline void NoteLockAcquired(LockRounds& r, SharedKeys& keys, bool in_handler, uint32_t tid,
                             uint64_t lock, bool shared, uint32_t end) {
  // Relaxed: another thread's stamp for this lock was stored before it let the lock go.
  const uint64_t n = ++r.count & ((1ull << 40) - 1);
  uint64_t stamp = 0;
  LockStamps* in_shared = g_shared_maps_version.load(std::memory_order_acquire) == 0
                              ? nullptr
                              : SharedStampSlot(r, keys, in_handler, lock, n, stamp);
  if (!in_shared) stamp = (uint64_t{tid} << 40) | n;
  LockStamps& slot = in_shared ? *in_shared
                               : g_lock_stamps[(lock * 0x9e3779b97f4a7c15ull) >>
                                               (64 - kLockStampBits)];
  uint64_t excl = slot.exclusive.load(std::memory_order_relaxed);
  LockRounds::Seen* seen = nullptr;
  for (LockRounds::Seen& s : r.seen) {
    if (s.lock == lock && s.stamp != 0) seen = &s;
  }
  const bool as_left =
      seen && (shared ? excl == seen->excl_seen
                      : slot.any.load(std::memory_order_relaxed) == seen->stamp);
  slot.any.store(stamp, std::memory_order_relaxed);
  if (!shared) slot.exclusive.store(excl = stamp, std::memory_order_relaxed);
  if (!seen) seen = &r.seen[r.seen_next++ % LockRounds::kSeen];
  *seen = {lock, stamp, excl};
  if (!as_left) r.not_as_left = end;
}
// Drops the round about to end with this release when it repeats the one before
// (lock_rounds.cc); the caller then releases without a record.
bool FoldLockRound(ThreadState* ts, uint64_t lock, uint8_t flags, uint16_t depth, uint64_t pc);

}  // namespace threadlens::rt
