// The watchdog (watchdog.cc) and what it reads of each thread: whether it is blocked, on
// what, since when. Interceptors mark a thread blocked around a call that may wait.
#pragma once

#include <errno.h>

#include <cstdint>

#include "runtime_internal.h"
#include "threadlens/trace_format.h"

namespace threadlens::rt {

// --- watchdog.cc --------------------------------------------------------------------------

// Starts the watchdog thread if THREADLENS_WATCHDOG asks for one (again in a fork child).
void StartWatchdog();
// Program threads alive or being created. A process ends when its last thread ends (main may
// have ended with pthread_exit): the watchdog, a thread too, must not keep it alive, so the
// program's last thread stops it and waits for it to end before it ends itself.
void ProgramThreadCreating();
void ProgramThreadNotCreated();
void ProgramThreadEnded();

// Set once the watchdog ends the process (it closed the trace, and exits shortly): a thread
// woken meanwhile (another process of a deadlock ended, and its wait returned) goes no further,
// so the program does nothing the trace does not hold.
extern std::atomic<bool> g_watchdog_ending;
void StayStopped();  // never returns: the watchdog's exit ends the thread
inline void StopIfWatchdogEnding() {
  if (g_watchdog_ending.load(std::memory_order_acquire)) [[unlikely]] StayStopped();
}

// --- the blocked state, set by the intercept_*.cc ---------------------------------------------

inline void SetBlocked(ThreadState* ts, trace::BlockedOn on, uint64_t obj, uint64_t pc,
                       bool exclusive = false, uint8_t locktype = 0) {
  ts->blocked_obj.store(obj, std::memory_order_relaxed);
  ts->blocked_pc.store(pc, std::memory_order_relaxed);
  ts->blocked_exclusive.store(exclusive, std::memory_order_relaxed);
  ts->blocked_locktype.store(locktype, std::memory_order_relaxed);
  ts->blocked_since.store(Now(), std::memory_order_relaxed);
  ts->blocked_on.store(static_cast<uint8_t>(on), std::memory_order_release);
}
inline void ClearBlocked(ThreadState* ts) { ts->blocked_on.store(0, std::memory_order_release); }
// `call()` with `ts` marked blocked on `obj` meanwhile (`ts` null: not marked); errno is the
// call's.
template <typename Call>
int BlockedCall(ThreadState* ts, trace::BlockedOn on, uint64_t obj, uint64_t pc, bool exclusive,
                Call call) {
  if (!ts) return call();
  SetBlocked(ts, on, obj, pc, exclusive);
  const int r = call();
  const int saved = errno;
  ClearBlocked(ts);
  StopIfWatchdogEnding();
  errno = saved;
  return r;
}

}  // namespace threadlens::rt
