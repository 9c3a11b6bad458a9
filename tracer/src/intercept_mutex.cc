// pthread interceptors for locks: mutexes (all types), rwlocks and spin locks (stdio's stream
// locks: intercept_stream_locks.cc). std::mutex, std::recursive_mutex, std::timed_mutex and std::shared_mutex
// reach these unchanged.
//
// Ordering rule: a release is traced BEFORE the real unlock and an acquisition AFTER the real
// lock returns, so the global sequence numbers order every hand-over of a lock correctly.
// A lock is first tried without blocking; kLockRequest is written only when it was busy,
// i.e. exactly when the thread may block (an uncontended acquisition is one event).
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "confirm.h"
#include "held_locks.h"
#include "lock_acquire.h"
#include "runtime_internal.h"
#include "schedule.h"

namespace threadlens::rt {
namespace {

using trace::EventKind;
using trace::LockType;

int (*real_mutex_init)(pthread_mutex_t*, const pthread_mutexattr_t*);
int (*real_mutex_destroy)(pthread_mutex_t*);
int (*real_mutex_lock)(pthread_mutex_t*);
int (*real_mutex_trylock)(pthread_mutex_t*);
int (*real_mutex_timedlock)(pthread_mutex_t*, const timespec*);
int (*real_mutex_clocklock)(pthread_mutex_t*, clockid_t, const timespec*);
int (*real_mutex_unlock)(pthread_mutex_t*);

int (*real_rwlock_init)(pthread_rwlock_t*, const pthread_rwlockattr_t*);
int (*real_rwlock_destroy)(pthread_rwlock_t*);
int (*real_rwlock_rdlock)(pthread_rwlock_t*);
int (*real_rwlock_tryrdlock)(pthread_rwlock_t*);
int (*real_rwlock_timedrdlock)(pthread_rwlock_t*, const timespec*);
int (*real_rwlock_clockrdlock)(pthread_rwlock_t*, clockid_t, const timespec*);
int (*real_rwlock_wrlock)(pthread_rwlock_t*);
int (*real_rwlock_trywrlock)(pthread_rwlock_t*);
int (*real_rwlock_timedwrlock)(pthread_rwlock_t*, const timespec*);
int (*real_rwlock_clockwrlock)(pthread_rwlock_t*, clockid_t, const timespec*);
int (*real_rwlock_unlock)(pthread_rwlock_t*);

int (*real_spin_init)(pthread_spinlock_t*, int);
int (*real_spin_destroy)(pthread_spinlock_t*);
int (*real_spin_lock)(pthread_spinlock_t*);
int (*real_spin_trylock)(pthread_spinlock_t*);
int (*real_spin_unlock)(pthread_spinlock_t*);

// glibc keeps the mutex type in __data.__kind (low two bits; higher bits are robust/PI), so
// the type of a statically initialized mutex is known at first use.
inline uint8_t MutexType(const pthread_mutex_t* m) {
  switch (m->__data.__kind & 3) {
    case PTHREAD_MUTEX_RECURSIVE:
      return static_cast<uint8_t>(LockType::kRecursive);
    case PTHREAD_MUTEX_ERRORCHECK:
      return static_cast<uint8_t>(LockType::kErrorCheck);
    default:
      return static_cast<uint8_t>(LockType::kNormal);
  }
}

// glibc's destroy sets __kind to -1 and a later lock fails with EINVAL. Such a mutex is not
// announced as a new lock: the analyzer still knows it destroyed and reports its use.
inline bool MutexDestroyed(const pthread_mutex_t* m) { return m->__data.__kind == -1; }

}  // namespace

}  // namespace threadlens::rt

using namespace threadlens::rt;
using threadlens::trace::EventKind;
using threadlens::trace::LockType;

// --- mutex ------------------------------------------------------------------------------

TL_EXPORT int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* a) {
  ENSURE(real_mutex_init);
  int r = real_mutex_init(m, a);
  ThreadState* ts = CurrentFast();
  if (ts && r == 0) {
    LockSetInsert(Addr(m));
    EmitTo(ts, EventKind::kLockCreate, threadlens::trace::kExplicitInit, MutexType(m), 0,
           Addr(m), TL_CALLER_PC);
  }
  return r;
}

TL_EXPORT int pthread_mutex_destroy(pthread_mutex_t* m) {
  ENSURE(real_mutex_destroy);
  ThreadState* ts = CurrentFast();
  if (ts) {
    EmitTo(ts, EventKind::kLockDestroy, 0, MutexType(m), 0, Addr(m), TL_CALLER_PC);
    LockSetErase(Addr(m));
  }
  return real_mutex_destroy(m);
}

TL_EXPORT int pthread_mutex_lock(pthread_mutex_t* m) {
  ENSURE(real_mutex_lock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_mutex_lock(m);
  uint64_t pc = TL_CALLER_PC, lock = Addr(m);
  CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kMutexLock, pc);
  ScheduleStep(ts);
  MaybeHoldForConfirm(ts, pc, lock);
  uint8_t type = MutexType(m);
  if (!MutexDestroyed(m)) Announce(ts, lock, type, pc);
  int r = real_mutex_trylock(m);
  if (r == EBUSY) r = AcquireSlow(ts, lock, type, false, 0, pc, [&] { return real_mutex_lock(m); });
  AcquireDone(ts, r, lock, type, false, 0, pc);
  return r;
}

TL_EXPORT int pthread_mutex_trylock(pthread_mutex_t* m) {
  ENSURE(real_mutex_trylock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_mutex_trylock(m);
  ScheduleStep(ts);
  uint64_t pc = TL_CALLER_PC, lock = Addr(m);
  uint8_t type = MutexType(m);
  if (!MutexDestroyed(m)) Announce(ts, lock, type, pc);
  int r = real_mutex_trylock(m);
  AcquireDone(ts, r, lock, type, false, threadlens::trace::kTry, pc);
  return r;
}

TL_EXPORT int pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* t) {
  ENSURE(real_mutex_timedlock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_mutex_timedlock(m, t);
  uint64_t pc = TL_CALLER_PC, lock = Addr(m);
  CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kMutexLock, pc);
  ScheduleStep(ts);
  MaybeHoldForConfirm(ts, pc, lock);
  uint8_t type = MutexType(m);
  if (!MutexDestroyed(m)) Announce(ts, lock, type, pc);
  int r = real_mutex_trylock(m);
  if (r == EBUSY) {
    r = AcquireSlow(ts, lock, type, false, threadlens::trace::kTimed, pc,
                    [&] { return real_mutex_timedlock(m, t); });
  }
  AcquireDone(ts, r, lock, type, false, threadlens::trace::kTimed, pc);
  return r;
}

TL_EXPORT int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t c, const timespec* t) {
  ENSURE(real_mutex_clocklock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_mutex_clocklock(m, c, t);
  uint64_t pc = TL_CALLER_PC, lock = Addr(m);
  CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kMutexLock, pc);
  ScheduleStep(ts);
  MaybeHoldForConfirm(ts, pc, lock);
  uint8_t type = MutexType(m);
  if (!MutexDestroyed(m)) Announce(ts, lock, type, pc);
  int r = real_mutex_trylock(m);
  if (r == EBUSY) {
    r = AcquireSlow(ts, lock, type, false, threadlens::trace::kTimed, pc,
                    [&] { return real_mutex_clocklock(m, c, t); });
  }
  AcquireDone(ts, r, lock, type, false, threadlens::trace::kTimed, pc);
  return r;
}

TL_EXPORT int pthread_mutex_unlock(pthread_mutex_t* m) {
  ENSURE(real_mutex_unlock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_mutex_unlock(m);
  return Release(ts, Addr(m), TL_CALLER_PC, [&] { return real_mutex_unlock(m); });
}

// --- rwlock -----------------------------------------------------------------------------

namespace {
constexpr uint8_t kRw = static_cast<uint8_t>(LockType::kRwLock);

template <typename Try, typename Block>
int RwAcquire(pthread_rwlock_t* l, bool shared, uint8_t flags, uint64_t pc, Try try_lock,
              Block block) {
  ThreadState* ts = CurrentFast();
  if (!ts) return flags & threadlens::trace::kTry ? try_lock() : block();
  uint64_t lock = Addr(l);
  ScheduleStep(ts);
  if (!(flags & threadlens::trace::kTry)) {
    CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kRwLock, pc);
    MaybeHoldForConfirm(ts, pc, lock);
  }
  Announce(ts, lock, kRw, pc);
  int r = try_lock();
  if (r == EBUSY && !(flags & threadlens::trace::kTry)) {
    r = AcquireSlow(ts, lock, kRw, shared, flags & threadlens::trace::kTimed, pc, block);
  }
  AcquireDone(ts, r, lock, kRw, shared, flags, pc);
  return r;
}
}  // namespace

TL_EXPORT int pthread_rwlock_init(pthread_rwlock_t* l, const pthread_rwlockattr_t* a) {
  ENSURE(real_rwlock_init);
  int r = real_rwlock_init(l, a);
  ThreadState* ts = CurrentFast();
  if (ts && r == 0) {
    LockSetInsert(Addr(l));
    EmitTo(ts, EventKind::kLockCreate, threadlens::trace::kExplicitInit, kRw, 0, Addr(l),
           TL_CALLER_PC);
  }
  return r;
}

TL_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_destroy);
  ThreadState* ts = CurrentFast();
  if (ts) {
    EmitTo(ts, EventKind::kLockDestroy, 0, kRw, 0, Addr(l), TL_CALLER_PC);
    LockSetErase(Addr(l));
  }
  return real_rwlock_destroy(l);
}

TL_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_rdlock);
  return RwAcquire(
      l, true, 0, TL_CALLER_PC, [&] { return real_rwlock_tryrdlock(l); },
      [&] { return real_rwlock_rdlock(l); });
}

TL_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_tryrdlock);
  return RwAcquire(
      l, true, threadlens::trace::kTry, TL_CALLER_PC, [&] { return real_rwlock_tryrdlock(l); },
      [&] { return real_rwlock_tryrdlock(l); });
}

TL_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const timespec* t) {
  ENSURE(real_rwlock_timedrdlock);
  return RwAcquire(
      l, true, threadlens::trace::kTimed, TL_CALLER_PC, [&] { return real_rwlock_tryrdlock(l); },
      [&] { return real_rwlock_timedrdlock(l, t); });
}

TL_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t* l, clockid_t c, const timespec* t) {
  ENSURE(real_rwlock_clockrdlock);
  return RwAcquire(
      l, true, threadlens::trace::kTimed, TL_CALLER_PC, [&] { return real_rwlock_tryrdlock(l); },
      [&] { return real_rwlock_clockrdlock(l, c, t); });
}

TL_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_wrlock);
  return RwAcquire(
      l, false, 0, TL_CALLER_PC, [&] { return real_rwlock_trywrlock(l); },
      [&] { return real_rwlock_wrlock(l); });
}

TL_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_trywrlock);
  return RwAcquire(
      l, false, threadlens::trace::kTry, TL_CALLER_PC, [&] { return real_rwlock_trywrlock(l); },
      [&] { return real_rwlock_trywrlock(l); });
}

TL_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const timespec* t) {
  ENSURE(real_rwlock_timedwrlock);
  return RwAcquire(
      l, false, threadlens::trace::kTimed, TL_CALLER_PC, [&] { return real_rwlock_trywrlock(l); },
      [&] { return real_rwlock_timedwrlock(l, t); });
}

TL_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t* l, clockid_t c, const timespec* t) {
  ENSURE(real_rwlock_clockwrlock);
  return RwAcquire(
      l, false, threadlens::trace::kTimed, TL_CALLER_PC, [&] { return real_rwlock_trywrlock(l); },
      [&] { return real_rwlock_clockwrlock(l, c, t); });
}

TL_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t* l) {
  ENSURE(real_rwlock_unlock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_rwlock_unlock(l);
  return Release(ts, Addr(l), TL_CALLER_PC, [&] { return real_rwlock_unlock(l); });
}

// --- spin locks -------------------------------------------------------------------------

namespace {
constexpr uint8_t kSpin = static_cast<uint8_t>(LockType::kSpin);
}

TL_EXPORT int pthread_spin_init(pthread_spinlock_t* l, int pshared) {
  ENSURE(real_spin_init);
  int r = real_spin_init(l, pshared);
  ThreadState* ts = CurrentFast();
  if (ts && r == 0) {
    LockSetInsert(Addr(l));
    EmitTo(ts, EventKind::kLockCreate, threadlens::trace::kExplicitInit, kSpin, 0, Addr(l),
           TL_CALLER_PC);
  }
  return r;
}

TL_EXPORT int pthread_spin_destroy(pthread_spinlock_t* l) {
  ENSURE(real_spin_destroy);
  ThreadState* ts = CurrentFast();
  if (ts) {
    EmitTo(ts, EventKind::kLockDestroy, 0, kSpin, 0, Addr(l), TL_CALLER_PC);
    LockSetErase(Addr(l));
  }
  return real_spin_destroy(l);
}

TL_EXPORT int pthread_spin_lock(pthread_spinlock_t* l) {
  ENSURE(real_spin_lock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_spin_lock(l);
  ScheduleStep(ts);
  uint64_t pc = TL_CALLER_PC, lock = Addr(l);
  Announce(ts, lock, kSpin, pc);
  int r = real_spin_trylock(l);
  if (r == EBUSY) r = AcquireSlow(ts, lock, kSpin, false, 0, pc, [&] { return real_spin_lock(l); });
  AcquireDone(ts, r, lock, kSpin, false, 0, pc);
  return r;
}

TL_EXPORT int pthread_spin_trylock(pthread_spinlock_t* l) {
  ENSURE(real_spin_trylock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_spin_trylock(l);
  ScheduleStep(ts);
  uint64_t pc = TL_CALLER_PC, lock = Addr(l);
  Announce(ts, lock, kSpin, pc);
  int r = real_spin_trylock(l);
  AcquireDone(ts, r, lock, kSpin, false, threadlens::trace::kTry, pc);
  return r;
}

TL_EXPORT int pthread_spin_unlock(pthread_spinlock_t* l) {
  ENSURE(real_spin_unlock);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_spin_unlock(l);
  return Release(ts, Addr(l), TL_CALLER_PC, [&] { return real_spin_unlock(l); });
}

namespace threadlens::rt {

void ResolveLockFunctions() {
  Resolve(real_mutex_init, "pthread_mutex_init");
  Resolve(real_mutex_destroy, "pthread_mutex_destroy");
  Resolve(real_mutex_lock, "pthread_mutex_lock");
  Resolve(real_mutex_trylock, "pthread_mutex_trylock");
  Resolve(real_mutex_timedlock, "pthread_mutex_timedlock");
  Resolve(real_mutex_clocklock, "pthread_mutex_clocklock");
  Resolve(real_mutex_unlock, "pthread_mutex_unlock");
  Resolve(real_rwlock_init, "pthread_rwlock_init");
  Resolve(real_rwlock_destroy, "pthread_rwlock_destroy");
  Resolve(real_rwlock_rdlock, "pthread_rwlock_rdlock");
  Resolve(real_rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
  Resolve(real_rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
  Resolve(real_rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
  Resolve(real_rwlock_wrlock, "pthread_rwlock_wrlock");
  Resolve(real_rwlock_trywrlock, "pthread_rwlock_trywrlock");
  Resolve(real_rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
  Resolve(real_rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
  Resolve(real_rwlock_unlock, "pthread_rwlock_unlock");
  Resolve(real_spin_init, "pthread_spin_init");
  Resolve(real_spin_destroy, "pthread_spin_destroy");
  Resolve(real_spin_lock, "pthread_spin_lock");
  Resolve(real_spin_trylock, "pthread_spin_trylock");
  Resolve(real_spin_unlock, "pthread_spin_unlock");
  ResolveStreamLockFunctions();
}

}  // namespace threadlens::rt
