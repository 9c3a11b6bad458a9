// pthread interceptors for condition variables and POSIX semaphores. std::condition_variable
// reaches these through libstdc++.
//
// A wait is traced as cond_wait_begin, the mutex's release (kViaCondWait), then after the wait
// the re-acquisition (kViaCondWait) and cond_wait_end; also when the thread is cancelled in
// the wait (cond_wait_end then has kFailed), before its cleanup handlers run. Signals and
// posts are traced before the real call, so their sequence number precedes the woken thread's.
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>

#include "process_tree.h"
#include "held_locks.h"
#include "runtime_internal.h"
#include "schedule.h"
#include "spin_fold.h"
#include "watchdog.h"

namespace threadlens::rt {
namespace {

using trace::EventKind;

int (*real_cond_wait)(pthread_cond_t*, pthread_mutex_t*);
int (*real_cond_timedwait)(pthread_cond_t*, pthread_mutex_t*, const timespec*);
int (*real_cond_clockwait)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*);
int (*real_cond_signal)(pthread_cond_t*);
int (*real_cond_broadcast)(pthread_cond_t*);
int (*real_cond_init)(pthread_cond_t*, const pthread_condattr_t*);
int (*real_cond_destroy)(pthread_cond_t*);

int (*real_sem_wait)(sem_t*);
int (*real_sem_trywait)(sem_t*);
int (*real_sem_timedwait)(sem_t*, const timespec*);
int (*real_sem_clockwait)(sem_t*, clockid_t, const timespec*);
int (*real_sem_post)(sem_t*);
int (*real_sem_init)(sem_t*, int, unsigned);
int (*real_sem_destroy)(sem_t*);

// Init and destroy write the object's bytes (a range write), so the analyzer sees a
// destroy racing a wait or a signal; waits, signals and posts read them.
void WriteObject(const void* obj, uint64_t size, uintptr_t pc) {
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kWrite, 0, 0, 1, reinterpret_cast<uint64_t>(obj), pc, size);
  }
}

// The condition variable functions exist in two versions; GLIBC_2.3.2 is the current one
// (plain dlsym may hand back the old 2.2.5 compatibility version).
template <typename F>
void ResolveCond(F& fn, const char* name) {
  if (fn) return;
  fn = reinterpret_cast<F>(dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2"));
  if (!fn) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

template <typename F>
void Resolve(F& fn, const char* name) {
  if (!fn) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

#define ENSURE(fn)                       \
  do {                                   \
    if (TL_UNLIKELY(!fn)) ResolveReal(); \
  } while (0)

inline uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

inline uint8_t MutexType(const pthread_mutex_t* m) {
  switch (m->__data.__kind & 3) {
    case PTHREAD_MUTEX_RECURSIVE:
      return static_cast<uint8_t>(trace::LockType::kRecursive);
    case PTHREAD_MUTEX_ERRORCHECK:
      return static_cast<uint8_t>(trace::LockType::kErrorCheck);
    default:
      return static_cast<uint8_t>(trace::LockType::kNormal);
  }
}

// The end of a condition wait: the mutex is held again. `r` is the wait's result,
// ECANCELED when the thread was cancelled in it.
struct CondWaitState {
  ThreadState* ts;
  uint64_t cv, lock, pc;
  uint8_t type;
  bool timed;
};

void CondWaitEnded(const CondWaitState& w, int r) {
  if (!w.timed) ClearBlocked(w.ts);
  uint16_t depth = HeldPush(w.ts, w.lock, false, w.type);
  EmitTo(w.ts, EventKind::kLockAcquired, trace::kViaCondWait, depth, 0, w.lock, w.pc);
  uint8_t f = (w.timed ? trace::kTimed : 0) | (r == ETIMEDOUT ? trace::kTimedOut : 0) |
              (r != 0 && r != ETIMEDOUT ? trace::kFailed : 0);
  EmitTo(w.ts, EventKind::kCondWaitEnd, f, 0, 0, w.cv, w.pc);
}

// A thread cancelled inside the wait gets the mutex back before its cleanup handlers run
// (POSIX); without this, a handler's unlock would look like the unlock of a lock not held.
void CondWaitCancelled(void* w) { CondWaitEnded(*static_cast<CondWaitState*>(w), ECANCELED); }

template <typename Wait>
int CondWait(pthread_cond_t* c, pthread_mutex_t* m, bool timed, uint64_t pc, Wait wait) {
  ThreadState* ts = CurrentFast();
  if (!ts) return wait();
  CheckSignalUnsafe(trace::SignalUnsafeCall::kCondWait, pc);
  ScheduleStep(ts);
  CondWaitState w{ts, Addr(c), Addr(m), pc, MutexType(m), timed};
  EmitTo(ts, EventKind::kCondWaitBegin, timed ? trace::kTimed : 0, 0, 0, w.cv, pc);
  int d = HeldPop(ts, w.lock, nullptr);
  // A poll by timed waits that time out: the round from the wait before, with its begin
  // just written, may repeat the one before that (a wait a signal woke never does).
  if (timed && d >= 0) {
    RecordRelease(ts, w.lock, trace::kViaCondWait, static_cast<uint16_t>(d), pc);
  } else {
    EmitTo(ts, EventKind::kLockRelease, trace::kViaCondWait, d < 0 ? 0 : d, 0, w.lock, pc);
  }
  if (!timed) SetBlocked(ts, trace::BlockedOn::kCond, w.cv, pc);
  int r;
  ScheduleBlock(ts);
  pthread_cleanup_push(CondWaitCancelled, &w);
  r = wait();
  pthread_cleanup_pop(0);
  ScheduleUnblock(ts);
  CondWaitEnded(w, r);
  return r;
}

template <typename Wait>
int SemWait(sem_t* s, uint8_t flags, uint64_t pc, Wait wait) {
  ThreadState* ts = CurrentFast();
  if (!ts) return wait();
  uint64_t sem = Addr(s);
  ScheduleStep(ts);
  // A sem_trywait spin: a failed try does nothing in the analysis but read the semaphore,
  // so a try that fails right after a failed try of its own, with nothing in between, is
  // counted on that one's sem_wait_end and writes no record (docs/trace-format.md, Repeats).
  // So is a timed wait that timed out after one of its own (a deadline already past).
  const bool timed = flags & trace::kTimed;
  uint8_t failed = flags | trace::kFailed | (timed ? trace::kTimedOut : 0);
  if (ts->ignore_sync) failed = NoSyncFlags(EventKind::kSemWaitEnd, failed);
  bool again = false;
  if (flags & (trace::kTry | trace::kTimed)) {
    if (ts == t_state) SyncProgramStack(ts, EventKind::kSemWaitEnd, pc);
    again = LastRecordIs(ts, EventKind::kSemWaitEnd, failed, 0, sem, pc);
  }
  if (!again) EmitTo(ts, EventKind::kSemWaitBegin, flags, 0, 0, sem, pc);
  bool blocks = !(flags & (trace::kTry | trace::kTimed));
  if (blocks) SetBlocked(ts, trace::BlockedOn::kSem, sem, pc);
  if (!(flags & trace::kTry)) ScheduleBlock(ts);
  int r = wait();
  int err = r == 0 ? 0 : errno;
  if (!(flags & trace::kTry)) ScheduleUnblock(ts);
  if (blocks) ClearBlocked(ts);
  uint8_t f = flags | (r != 0 ? trace::kFailed : 0) | (err == ETIMEDOUT ? trace::kTimedOut : 0);
  const bool repeat = r != 0 && (!timed || err == ETIMEDOUT);
  if (again && !(repeat && FoldRepeat(ts, EventKind::kSemWaitEnd, failed, 0, sem, pc))) {
    // It took the semaphore, or a flush or a signal handler's record came between.
    EmitTo(ts, EventKind::kSemWaitBegin, flags, 0, 0, sem, pc);
    again = false;
  }
  if (!again) EmitTo(ts, EventKind::kSemWaitEnd, f, 0, 0, sem, pc);
  if (r != 0) {
    errno = err;
    if (flags & trace::kTry) ScheduleYield(ts);
  }
  return r;
}

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;
using threadlens::trace::EventKind;

TL_EXPORT int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  ENSURE(real_cond_wait);
  return CondWait(c, m, false, TL_CALLER_PC, [&] { return real_cond_wait(c, m); });
}

TL_EXPORT int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* t) {
  ENSURE(real_cond_timedwait);
  return CondWait(c, m, true, TL_CALLER_PC, [&] { return real_cond_timedwait(c, m, t); });
}

TL_EXPORT int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clk,
                                     const timespec* t) {
  ENSURE(real_cond_clockwait);
  return CondWait(c, m, true, TL_CALLER_PC, [&] { return real_cond_clockwait(c, m, clk, t); });
}

TL_EXPORT int pthread_cond_signal(pthread_cond_t* c) {
  ENSURE(real_cond_signal);
  if (ThreadState* ts = CurrentFast()) {
    CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kCondNotify, TL_CALLER_PC);
    ScheduleStep(ts);
    EmitTo(ts, EventKind::kCondSignal, 0, 0, 0, reinterpret_cast<uint64_t>(c), TL_CALLER_PC);
  }
  return real_cond_signal(c);
}

TL_EXPORT int pthread_cond_broadcast(pthread_cond_t* c) {
  ENSURE(real_cond_broadcast);
  if (ThreadState* ts = CurrentFast()) {
    CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kCondNotify, TL_CALLER_PC);
    ScheduleStep(ts);
    EmitTo(ts, EventKind::kCondBroadcast, 0, 0, 0, reinterpret_cast<uint64_t>(c), TL_CALLER_PC);
  }
  return real_cond_broadcast(c);
}

TL_EXPORT int sem_wait(sem_t* s) {
  ENSURE(real_sem_wait);
  return SemWait(s, 0, TL_CALLER_PC, [&] { return real_sem_wait(s); });
}

TL_EXPORT int sem_trywait(sem_t* s) {
  ENSURE(real_sem_trywait);
  return SemWait(s, threadlens::trace::kTry, TL_CALLER_PC, [&] { return real_sem_trywait(s); });
}

TL_EXPORT int sem_timedwait(sem_t* s, const timespec* t) {
  ENSURE(real_sem_timedwait);
  return SemWait(s, threadlens::trace::kTimed, TL_CALLER_PC,
                 [&] { return real_sem_timedwait(s, t); });
}

TL_EXPORT int sem_clockwait(sem_t* s, clockid_t c, const timespec* t) {
  ENSURE(real_sem_clockwait);
  return SemWait(s, threadlens::trace::kTimed, TL_CALLER_PC,
                 [&] { return real_sem_clockwait(s, c, t); });
}

TL_EXPORT int pthread_cond_init(pthread_cond_t* c, const pthread_condattr_t* a) {
  ENSURE(real_cond_init);
  int r = real_cond_init(c, a);
  if (r == 0) WriteObject(c, sizeof *c, TL_CALLER_PC);
  return r;
}

TL_EXPORT int pthread_cond_destroy(pthread_cond_t* c) {
  ENSURE(real_cond_destroy);
  WriteObject(c, sizeof *c, TL_CALLER_PC);
  // glibc's destroy waits until every waiter has left the wait: with one that is never woken
  // (a static condition variable destroyed at exit under idle detached workers) it never
  // returns, and the watchdog must count the thread as blocked.
  ThreadState* ts = CurrentFast();
  if (!ts) return real_cond_destroy(c);
  SetBlocked(ts, threadlens::trace::BlockedOn::kCondDestroy, reinterpret_cast<uint64_t>(c),
             TL_CALLER_PC);
  const int r = real_cond_destroy(c);
  ClearBlocked(ts);
  return r;
}

TL_EXPORT int sem_init(sem_t* s, int pshared, unsigned value) {
  ENSURE(real_sem_init);
  int r = real_sem_init(s, pshared, value);
  if (r == 0) {
    WriteObject(s, sizeof *s, TL_CALLER_PC);
    SemInitialized(s, value, TL_CALLER_PC);
  }
  return r;
}

TL_EXPORT int sem_destroy(sem_t* s) {
  ENSURE(real_sem_destroy);
  WriteObject(s, sizeof *s, TL_CALLER_PC);
  return real_sem_destroy(s);
}

TL_EXPORT int sem_post(sem_t* s) {
  ENSURE(real_sem_post);
  if (ThreadState* ts = CurrentFast()) {
    ScheduleStep(ts);
    EmitTo(ts, EventKind::kSemPost, 0, 0, 0, reinterpret_cast<uint64_t>(s), TL_CALLER_PC);
  }
  return real_sem_post(s);
}

namespace threadlens::rt {

// The count a reordering of the run starts the semaphore from (prediction of blocked waits).
void SemInitialized(const void* sem, unsigned value, uint64_t pc) {
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kSemInit, 0, 0, value, Addr(sem), pc);
  }
}

void ResolveCondSemFunctions() {
  ResolveCond(real_cond_wait, "pthread_cond_wait");
  ResolveCond(real_cond_timedwait, "pthread_cond_timedwait");
  ResolveCond(real_cond_signal, "pthread_cond_signal");
  ResolveCond(real_cond_broadcast, "pthread_cond_broadcast");
  ResolveCond(real_cond_init, "pthread_cond_init");
  ResolveCond(real_cond_destroy, "pthread_cond_destroy");
  Resolve(real_cond_clockwait, "pthread_cond_clockwait");
  Resolve(real_sem_init, "sem_init");
  Resolve(real_sem_destroy, "sem_destroy");
  Resolve(real_sem_wait, "sem_wait");
  Resolve(real_sem_trywait, "sem_trywait");
  Resolve(real_sem_timedwait, "sem_timedwait");
  Resolve(real_sem_clockwait, "sem_clockwait");
  Resolve(real_sem_post, "sem_post");
}

}  // namespace threadlens::rt
