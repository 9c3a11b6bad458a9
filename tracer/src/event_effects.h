// What an event does to its thread's recording state: whether it starts a new epoch of the
// repeat cache, and the flags it takes while the thread ignores synchronization.
#pragma once

#include <cstdint>

#include "threadlens/trace_format.h"

namespace threadlens::rt {

// True for the events after which this thread's earlier accesses no longer stand for its
// later ones: the release-type operations (in FastTrack a thread's epoch changes only when
// it releases, so a repeat before the next release adds nothing to race detection), the
// heap events (the analyzer forgets a block's accesses at alloc and free) and a thread's
// start (a fork child's trace has not seen the parent's accesses). Acquires are not here:
// an access repeated after a lock or a join is still redundant.
constexpr bool StartsEpoch(trace::EventKind kind, uint8_t flags) {
  using trace::EventKind;
  switch (kind) {
    case EventKind::kThreadCreate:
    case EventKind::kThreadStart:
    case EventKind::kThreadExit:
    case EventKind::kLockRelease:  // also the release inside a condition wait
    case EventKind::kSemPost:
    case EventKind::kHappensBefore:
    case EventKind::kAlloc:
    case EventKind::kFree:
      return true;
    case EventKind::kAtomicStore:
    case EventKind::kAtomicRmw:
    case EventKind::kFence: {
      auto mo = static_cast<trace::MemoryOrder>(flags & trace::kMemoryOrderMask);
      return mo == trace::MemoryOrder::kRelease || mo == trace::MemoryOrder::kAcqRel ||
             mo == trace::MemoryOrder::kSeqCst;
    }
    default:
      return false;
  }
}

// A synchronization event of a thread that ignores synchronization: locks and semaphores
// keep their state (deadlock detection, held locks) but say they order nothing; atomics
// and fences become relaxed. Thread create and join still order, as in ThreadSanitizer.
constexpr uint8_t NoSyncFlags(trace::EventKind kind, uint8_t flags) {
  using trace::EventKind;
  switch (kind) {
    case EventKind::kLockAcquired:
    case EventKind::kLockRelease:
    case EventKind::kSemWaitEnd:
    case EventKind::kSemPost:
    case EventKind::kHappensBefore:
    case EventKind::kHappensAfter:
    case EventKind::kSignalSend:
    case EventKind::kSignalEnter:
      return flags | trace::kNoSync;
    case EventKind::kAtomicLoad:
    case EventKind::kAtomicStore:
    case EventKind::kAtomicRmw:
    case EventKind::kFence:  // relaxed
      return flags & trace::kAtomicUnchecked;
    default:
      return flags;
  }
}

}  // namespace threadlens::rt
