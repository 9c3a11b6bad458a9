// stdio's stream locks: flockfile, ftrylockfile and funlockfile take the stream's own
// recursive lock, which a program holds to make several stdio calls one unit (stdio's
// internal locking does not come through here). Traced as the pthread locks are
// (lock_acquire.h).
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "confirm.h"
#include "lock_acquire.h"

namespace {

void (*real_flockfile)(FILE*);
int (*real_ftrylockfile)(FILE*);
void (*real_funlockfile)(FILE*);

constexpr uint8_t kStreamLock = static_cast<uint8_t>(threadlens::trace::LockType::kRecursive);

}  // namespace

namespace threadlens::rt {

void ResolveStreamLockFunctions() {
  Resolve(real_flockfile, "flockfile");
  Resolve(real_ftrylockfile, "ftrylockfile");
  Resolve(real_funlockfile, "funlockfile");
}

// Traced only when the program took the lock itself: then its last release orders exit's
// flush. Else stdio alone took it, untraced, and every stream a program printed to would add
// a lock to its trace at exit.
bool StreamLockTakenAtExit(FILE* f, bool* traced) {
  *traced = LockSetContains(Addr(f));
  if (*traced) return ftrylockfile(f) == 0;
  return real_ftrylockfile && real_ftrylockfile(f) == 0;
}

void StreamLockGivenAtExit(FILE* f, bool traced) {
  if (traced) {
    funlockfile(f);
  } else if (real_funlockfile) {
    real_funlockfile(f);
  }
}

}  // namespace threadlens::rt

using namespace threadlens::rt;  // NOLINT: the exported C symbols below

TL_EXPORT void flockfile(FILE* f) {
  ENSURE(real_flockfile);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_flockfile(f);
  ScheduleStep(ts);
  uint64_t pc = TL_CALLER_PC, lock = Addr(f);
  MaybeHoldForConfirm(ts, pc, lock);
  Announce(ts, lock, kStreamLock, pc);
  int r = real_ftrylockfile(f) == 0 ? 0 : EBUSY;
  if (r == EBUSY) {
    r = AcquireSlow(ts, lock, kStreamLock, false, 0, pc, [&] {
      real_flockfile(f);
      return 0;
    });
  }
  AcquireDone(ts, r, lock, kStreamLock, false, 0, pc);
}

TL_EXPORT int ftrylockfile(FILE* f) {
  ENSURE(real_ftrylockfile);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_ftrylockfile(f);
  ScheduleStep(ts);
  uint64_t pc = TL_CALLER_PC, lock = Addr(f);
  Announce(ts, lock, kStreamLock, pc);
  int r = real_ftrylockfile(f);
  AcquireDone(ts, r == 0 ? 0 : EBUSY, lock, kStreamLock, false, threadlens::trace::kTry, pc);
  return r;
}

TL_EXPORT void funlockfile(FILE* f) {
  ENSURE(real_funlockfile);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_funlockfile(f);
  Release(ts, Addr(f), TL_CALLER_PC, [&] {
    real_funlockfile(f);
    return 0;
  });
}
