// The acquisition and release steps every lock interceptor shares (intercept_mutex.cc,
// intercept_stream_locks.cc): a release is traced before the real unlock and an acquisition
// after the real lock returns, so the global sequence numbers order every hand-over.
#pragma once

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include <cstdint>

#include "held_locks.h"
#include "runtime_internal.h"
#include "schedule.h"
#include "spin_fold.h"
#include "sync_keys.h"
#include "watchdog.h"

namespace threadlens::rt {

// The real functions, found once (ResolveReal, before threads start) or at first use.
template <typename F>
void Resolve(F& fn, const char* name) {
  if (!fn) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}
#define ENSURE(fn)                       \
  do {                                   \
    if (TL_UNLIKELY(!fn)) ResolveReal(); \
  } while (0)

inline uint64_t Addr(const volatile void* p) { return reinterpret_cast<uint64_t>(p); }

// kLockCreate for a lock seen for the first time (static initializer, or created before
// tracing began).
inline void Announce(ThreadState* ts, uint64_t lock, uint8_t type, uint64_t pc) {
  if (TL_UNLIKELY(LockSetInsert(lock))) EmitTo(ts, trace::EventKind::kLockCreate, 0, type, 0, lock, pc);
}

inline bool Acquired(int r) { return r == 0 || r == EOWNERDEAD; }

// Shared tail of every blocking or timed acquisition: `try_first` already failed with EBUSY.
template <typename Block>
int AcquireSlow(ThreadState* ts, uint64_t lock, uint8_t type, bool shared, uint8_t timed,
                uint64_t pc, Block block) {
  uint8_t f = (shared ? trace::kShared : 0) | timed;
  EmitTo(ts, trace::EventKind::kLockRequest, f, 0, 0, lock, pc);
  // A timed wait ends by itself: the watchdog does not count it as blocked.
  if (!timed) SetBlocked(ts, trace::BlockedOn::kLock, lock, pc, !shared, type);
  ScheduleBlock(ts);  // the holder of the lock must get to run
  int r = block();
  ScheduleUnblock(ts);
  if (!timed) ClearBlocked(ts);
  return r;
}

inline void AcquireDone(ThreadState* ts, int r, uint64_t lock, uint8_t type, bool shared,
                        uint8_t flags, uint64_t pc) {
  uint8_t sf = shared ? trace::kShared : 0;
  if (Acquired(r)) {
    // Its last holder ended holding it (a robust mutex): what it did happens before.
    if (r == EOWNERDEAD) EmitTo(ts, trace::EventKind::kHappensAfter, 0, 0, 0, OrphanLockKey(lock), pc);
    uint16_t d = HeldPush(ts, lock, shared, type);
    EmitTo(ts, trace::EventKind::kLockAcquired, sf | (flags & (trace::kTry | trace::kTimed)), d, 0, lock,
           pc);
  } else {
    uint8_t f = sf | flags | (r == ETIMEDOUT ? trace::kTimedOut : trace::kFailed);
    // A trylock spin: the analyzer does nothing with a failed try but end a pending request,
    // so a repeat with nothing in between is counted on the first (FoldRepeat).
    if (ts == t_state) SyncProgramStack(ts, trace::EventKind::kLockTryFailed, pc);
    if (!FoldRepeat(ts, trace::EventKind::kLockTryFailed, f, 0, lock, pc)) {
      EmitTo(ts, trace::EventKind::kLockTryFailed, f, 0, 0, lock, pc);
    }
    if (flags & trace::kTry) ScheduleYield(ts);
  }
}

// Release: traced before the real unlock when this thread holds the lock; otherwise (a
// misuse the analyzer reports) after it, with kFailed if the unlock failed.
template <typename Unlock>
int Release(ThreadState* ts, uint64_t lock, uint64_t pc, Unlock unlock) {
  ScheduleStep(ts);
  bool shared = false;
  int d = HeldPop(ts, lock, &shared);
  uint8_t sf = shared ? trace::kShared : 0;
  if (d >= 0) {
    RecordRelease(ts, lock, sf, static_cast<uint16_t>(d), pc);
    return unlock();
  }
  int r = unlock();
  EmitTo(ts, trace::EventKind::kLockRelease, r ? trace::kFailed : 0, 0, 0, lock, pc);
  return r;
}

// The stream locks' real functions, resolved with the pthread ones (intercept_stream_locks.cc).
void ResolveStreamLockFunctions();
// exit's try at a stream's lock and its release (tsan_libc_stream.cc); `traced` says whether
// they are recorded.
bool StreamLockTakenAtExit(FILE* f, bool* traced);
void StreamLockGivenAtExit(FILE* f, bool traced);

}  // namespace threadlens::rt
