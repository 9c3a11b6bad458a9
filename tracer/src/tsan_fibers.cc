// Fibers (sanitizer/tsan_interface.h), as ThreadSanitizer models them: each fiber is a
// thread of its own in the trace, whatever OS thread runs it. Code that switches stacks by
// hand (swapcontext, boost.context, a coroutine library) tells the runtime which fiber now
// runs, and its accesses and locks are recorded as that fiber's.
//
// - __tsan_create_fiber: a new trace thread, created by the calling fiber (its start happens
//   after what the creator did before) and detached (a fiber is never joined).
// - __tsan_switch_to_fiber: the calling OS thread records as the target from here on. Unless
//   the flags say __tsan_switch_to_fiber_no_sync, the caller releases on the target fiber
//   and the target acquires it, so what ran before the switch happens before what runs
//   after it; without sync, two fibers of one thread can race.
// - __tsan_destroy_fiber: the fiber's thread exits.
//
// A fiber keeps its own part of the TSan-ABI thread state (shadow call stack, ignores)
// while another runs; the OS thread keeps the rest (tracing mode, its stack bounds).
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "tsan_thread.h"

namespace threadlens::rt {
namespace tsan {
namespace {

using trace::EventKind;

constexpr unsigned kNoSync = 1u << 0;  // __tsan_switch_to_fiber_no_sync

// The part of ThreadCtx that is a fiber's.
struct Saved {
  uint32_t ignore, ignore_reads, ignore_writes, mutex_code, mutex_diverted;
  uintptr_t ignore_pc, ignore_reads_pc, ignore_writes_pc;
  uint32_t depth, emitted, stale;
  ThreadCtx::Frame frames[kMaxFrames], written[kMaxFrames];
};

struct Fiber {
  ThreadState* ts;      // its trace thread; null: not recorded
  uint64_t generation;  // ForkGeneration() when ts was last known to exist
  bool own;             // an OS thread's own state, not one __tsan_create_fiber made
  Saved saved;
};

// The fiber this OS thread runs, and its own one (null until a fiber call needs them).
constinit thread_local Fiber* t_fiber __attribute__((tls_model("initial-exec"))) = nullptr;
constinit thread_local Fiber* t_own __attribute__((tls_model("initial-exec"))) = nullptr;

ThreadState* Recorded() {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) > 1 ? ts : nullptr;
}

Fiber* NewFiber() {
  void* p = mmap(nullptr, sizeof(Fiber), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) ReportFatal("out of memory for a fiber");
  return static_cast<Fiber*>(p);  // zeroed: no frames, no ignores
}

Fiber* Running() {
  if (!t_fiber) {
    t_own = t_fiber = NewFiber();
    t_fiber->own = true;
    ThreadState* ts = CurrentFast();  // a thread the runtime did not start gets its state
    t_fiber->ts = ts ? ts : Recorded();
    t_fiber->generation = ForkGeneration();
  }
  return t_fiber;
}

// What is a fiber's, from one to the other (ThreadCtx and Saved name the fields alike).
template <typename To, typename From>
void CopyOwn(To& to, const From& from) {
  to.ignore = from.ignore;
  to.ignore_reads = from.ignore_reads;
  to.ignore_writes = from.ignore_writes;
  to.mutex_code = from.mutex_code;
  to.mutex_diverted = from.mutex_diverted;
  to.ignore_pc = from.ignore_pc;
  to.ignore_reads_pc = from.ignore_reads_pc;
  to.ignore_writes_pc = from.ignore_writes_pc;
  to.depth = from.depth;
  to.emitted = from.emitted;
  to.stale = from.stale;
  constexpr size_t kFrame = sizeof(ThreadCtx::Frame);
  std::memcpy(to.frames, from.frames, std::min(from.depth, kMaxFrames) * kFrame);
  std::memcpy(to.written, from.written, from.emitted * kFrame);  // (at most kMaxFrames)
}

void Save(Fiber* f) { CopyOwn(f->saved, tls_ctx); }

void Restore(const Fiber* f) {
  CopyOwn(tls_ctx, f->saved);
  tls_ctx.CloseRanges();  // the open ranges are in the other fiber's buffer
}

// A fiber made before a fork, other than the one that forked: its state is gone in the
// child, so it records into a new one from here on.
void Revive(Fiber* f) {
  if (!f->ts || f->generation == ForkGeneration()) return;
  f->ts = Recorded() && !f->own ? NewFiberState(NextTid()) : nullptr;
  if (f->ts) EmitTo(f->ts, EventKind::kThreadStart, 0, 0, 0, 0, 0);
  f->generation = ForkGeneration();
  f->saved.emitted = 0;  // the new trace thread holds no frames yet
}

// A synchronization record of the running fiber, with its stack brought up to date.
void FiberSync(EventKind kind, const void* fiber, uintptr_t pc) {
  ThreadCtx* t = Recording();
  if (!t) return;
  if (StackDirty(*t)) SyncStack(*t);
  Emit(kind, 0, 0, 0, reinterpret_cast<uintptr_t>(fiber), pc);
}

void SwitchTo(Fiber* to, unsigned flags, uintptr_t pc) {
  Fiber* from = Running();
  if (!to || to == from) return;
  const bool sync = !(flags & kNoSync);
  if (sync) FiberSync(EventKind::kHappensBefore, to, pc);
  Revive(to);
  ThreadState* old = Recorded();
  ThreadState* now = to->ts ? to->ts : old;
  // A signal arriving midway would find half of each fiber: it waits for the switch.
  if (old) EnterRecord(old);
  if (now && now != old) EnterRecord(now);
  Save(from);
  from->generation = ForkGeneration();  // its state is this thread's: it survived any fork
  t_state = now ? now : t_state;
  t_fiber = to;
  Restore(to);
  if (old && now && now != old) {
    MovePendingSignals(old, now);  // held back: they run here
    old->parked.store(1, std::memory_order_release);
    now->parked.store(0, std::memory_order_release);
  }
  if (old) LeaveRecordQuiet(old);
  if (now && now != old) LeaveRecordQuiet(now);
  if (now) DeliverIfPending(now);
  if (sync) FiberSync(EventKind::kHappensAfter, to, pc);
}

}  // namespace

}  // namespace tsan

void FibersThreadExit() {
  using tsan::t_fiber, tsan::t_own;
  // What the fiber did, this thread did before its end: a switch with sync says so.
  if (t_fiber && t_fiber != t_own && t_own) tsan::SwitchTo(t_own, 0, 0);
  if (t_own) munmap(t_own, sizeof(tsan::Fiber));
  t_fiber = t_own = nullptr;
}

namespace tsan {

TSAN_EXPORT void* __tsan_get_current_fiber() { return Running(); }

TSAN_EXPORT void* __tsan_create_fiber(unsigned flags) {
  const uintptr_t pc = TSAN_CALLER_PC;
  Running();
  Fiber* f = NewFiber();
  f->generation = ForkGeneration();
  ThreadState* creator = CurrentFast();
  if (creator && Enabled()) {
    const uint32_t tid = NextTid();
    f->ts = NewFiberState(tid);
    if (ThreadCtx* t = Recording(); t && StackDirty(*t)) SyncStack(*t);
    EmitTo(creator, EventKind::kThreadCreate, 0, 0, 0, tid, pc);
    EmitTo(creator, EventKind::kThreadDetach, 0, 0, 0, tid, pc);
    EmitTo(f->ts, EventKind::kThreadStart, 0, 0, 0, creator->tid, 0);
  }
  return f;
}

TSAN_EXPORT void __tsan_destroy_fiber(void* fiber) {
  auto* f = static_cast<Fiber*>(fiber);
  // The running fiber, or a thread's own: not destroyed (TSan's rule too).
  if (!f || f == t_fiber || f->own) return;
  // A state lost to a fork (another fiber's, made before it) has nothing to end.
  if (f->ts && f->generation == ForkGeneration()) {
    EmitTo(f->ts, EventKind::kThreadExit, 0, 0, 0, 0, 0);
    EndFiberState(f->ts);
  }
  munmap(f, sizeof(Fiber));
}

TSAN_EXPORT void __tsan_switch_to_fiber(void* fiber, unsigned flags) {
  SwitchTo(static_cast<Fiber*>(fiber), flags, TSAN_CALLER_PC);
}

TSAN_EXPORT void __tsan_set_fiber_name(void* fiber, const char* name) {
  auto* f = static_cast<Fiber*>(fiber);
  ThreadState* ts = CurrentFast();
  if (!f || !f->ts || !name || !ts) return;
  // Written by the caller, as pthread_setname_np names another thread.
  EmitTo(ts, EventKind::kNameThread, 0, 0, InternString(name, strlen(name)), f->ts->tid,
         TSAN_CALLER_PC);
}

}  // namespace tsan
}  // namespace threadlens::rt
