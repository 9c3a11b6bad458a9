// Thread states from start to end: a thread's start (one the runtime started, or one it finds
// already running), its end after the last round of thread-specific data destructors, and
// the states of fibers, which threads switch to.
#include <limits.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "schedule.h"
#include "sync_keys.h"
#include "watchdog.h"

namespace threadlens::rt {

using trace::EventKind;

ThreadState* StartThread(uint32_t tid, uint32_t parent_tid) {
  ThreadState* ts = NewState(tid);
  t_state = ts;
  Register(ts);
  pthread_setspecific(g_exit_key, ts);
  EmitTo(ts, EventKind::kThreadStart, 0, 0, 0, parent_tid, 0);
  TidMapSet(pthread_self(), tid);
  return ts;
}

namespace {
// The key of UnknownThreadAllocated: an address in this process, tagged like one.
char g_unknown_threads_key;
inline uint64_t UnknownThreadsKey() { return reinterpret_cast<uint64_t>(&g_unknown_threads_key); }
}  // namespace

ThreadState* CurrentSlow() {
  ThreadState* ts = t_state;
  if (ts == kDeadState || !g_enabled.load(std::memory_order_acquire)) return nullptr;
  if (ts) return ts->in_runtime ? nullptr : ts;
  // A thread the runtime did not start (created before tracing began, by clone, or by the C
  // library itself): its creation is not seen, only what such threads allocated before.
  ts = StartThread(NextTid(), 0);
  EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, UnknownThreadsKey(), 0);
  return ts;
}

void UnknownThreadAllocated() {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->counted || ts->in_runtime) return;
  EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, UnknownThreadsKey(), 0);
}

void ExitKeyDestructor(void* p) {
  auto* ts = static_cast<ThreadState*>(p);
  // The program's own key destructors run in the same rounds as this one, some after it
  // (a free of the thread's data, a last write to a global): the thread ends in the last
  // round, so that they are traced too. Setting the key again asks glibc for another round.
  if (ts && ts == t_state && ++ts->exit_rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
    pthread_setspecific(g_exit_key, ts);
    return;
  }
  FibersThreadExit();
  if (!ts || ts != t_state) return;
  const bool counted = ts->counted;
  ReleaseThreadStack();
  RecordIgnoresAtExit(ts);
  // Locks the thread ends holding: a robust mutex's next owner learns of it (EOWNERDEAD).
  const uint32_t held = ts->held_count.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < held && i < kMaxHeld; ++i) {
    const uint64_t lock = ts->held[i].lock.load(std::memory_order_relaxed);
    EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, OrphanLockKey(lock), 0);
  }
  EmitTo(ts, EventKind::kThreadExit, 0, 0, 0, 0, ts->exit_pc);
  ScheduleExit(ts);
  t_state = kDeadState;  // later destructors of this thread pass through untraced
  // Flushed while still registered: a process exit that closes the trace in between (main
  // returned as soon as this thread's last unlock let it) flushes every registered thread,
  // and would miss this one's last events, its exit included.
  if (g_exit_flush_delay_us > 0) {
    timespec pause{g_exit_flush_delay_us / 1000000, (g_exit_flush_delay_us % 1000000) * 1000};
    syscall(SYS_nanosleep, &pause, nullptr);
  }
  FlushThread(ts, false, true);
  Unregister(ts);
  FreeState(ts);
  if (counted) ProgramThreadEnded();
}

ThreadState* NewFiberState(uint32_t tid) {
  ThreadState* ts = NewState(tid);
  // The repeat cache of the thread that runs it keys entries by epoch: each fiber counts
  // from its own base, so no fiber's epoch is another's.
  static std::atomic<uint64_t> bases{1};
  ts->epoch = ts->stack_epoch = bases.fetch_add(1, std::memory_order_relaxed) << 40;
  ts->parked.store(1, std::memory_order_relaxed);  // until a thread switches to it
  Register(ts);
  return ts;
}

void EndFiberState(ThreadState* ts) {
  FlushThread(ts, false, true);
  Unregister(ts);
  FreeState(ts);
}

}  // namespace threadlens::rt
