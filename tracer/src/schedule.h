// The PCT schedule controller of `threadlens stress` and `run --schedule pct` (Burckhardt,
// Kothari, Musuvathi, Nagarakatte: "A Randomized Scheduler with Probabilistic Guarantees of
// Finding Bugs", ASPLOS 2010). THREADLENS_SCHEDULE=pct:SEED:DEPTH[:STEPS] turns it on.
//
// Threads are serialized at synchronization points by one token: only its holder runs. At
// each point (a step) the holder hands the token to the waiting thread of highest priority.
// Priorities are random (drawn from SEED in the order threads appear); at DEPTH-1 change
// points, chosen among the first STEPS steps (default 100), the holder's priority drops
// below every other. A thread that blocks in the kernel (a busy lock, a condition wait, a
// join, a semaphore, a sleep) gives the token up first and asks for it again after, so it
// never stalls the others. Livelock guard: a thread waiting for the token takes it itself
// when the holder sleeps in a call the runtime does not see, or after a second.
//
// Off (one relaxed load per point) unless set; off in a fork child.
#pragma once

#include <atomic>

#include "runtime_internal.h"

namespace threadlens::rt {

extern std::atomic<bool> g_schedule_on;

// Reads THREADLENS_SCHEDULE (runtime start). Returns false (and says why) when it is malformed.
void ScheduleInit();
// A fork child runs unscheduled: the threads that held or awaited the token are gone.
void ScheduleOffInChild();

TL_NOINLINE void ScheduleStepSlow(ThreadState* ts);
TL_NOINLINE void ScheduleBlockSlow(ThreadState* ts);
TL_NOINLINE void ScheduleUnblockSlow(ThreadState* ts);
TL_NOINLINE void ScheduleCreateSlow(uint32_t child_tid);
TL_NOINLINE void ScheduleStartSlow(ThreadState* ts);
TL_NOINLINE void ScheduleExitSlow(ThreadState* ts);
TL_NOINLINE void ScheduleForgetSlow(uint32_t child_tid);
TL_NOINLINE void ScheduleYieldSlow(ThreadState* ts);

inline bool ScheduleOn() { return TL_UNLIKELY(g_schedule_on.load(std::memory_order_relaxed)); }

// Before a synchronization operation: one step of the schedule.
inline void ScheduleStep(ThreadState* ts) {
  if (ScheduleOn()) ScheduleStepSlow(ts);
}
// Around a call that may block in the kernel.
inline void ScheduleBlock(ThreadState* ts) {
  if (ScheduleOn()) ScheduleBlockSlow(ts);
}
inline void ScheduleUnblock(ThreadState* ts) {
  if (ScheduleOn()) ScheduleUnblockSlow(ts);
}
// The creator announces a child before it exists, so the child's place in the schedule does
// not depend on when the kernel starts it. The child waits for the token at its start.
inline void ScheduleCreate(uint32_t child_tid) {
  if (ScheduleOn()) ScheduleCreateSlow(child_tid);
}
// The child was announced but could not be created.
inline void ScheduleForget(uint32_t child_tid) {
  if (ScheduleOn()) ScheduleForgetSlow(child_tid);
}
// After a failed try (a trylock spin): the token goes to any waiting thread, whatever the
// priorities, or a spinning thread of high priority would starve the lock's holder.
inline void ScheduleYield(ThreadState* ts) {
  if (ScheduleOn()) ScheduleYieldSlow(ts);
}
inline void ScheduleStart(ThreadState* ts) {
  if (ScheduleOn()) ScheduleStartSlow(ts);
}
inline void ScheduleExit(ThreadState* ts) {
  if (ScheduleOn()) ScheduleExitSlow(ts);
}

}  // namespace threadlens::rt
