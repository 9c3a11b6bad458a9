// The tracer runtime's own internals, shared by runtime.cc, the pthread interceptors, the
// annotation API and the watchdog (not by the ThreadSanitizer-ABI files, which use runtime.h).
// Same rules as runtime.h: no exceptions, no allocation and no lock on the hot path.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <x86intrin.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "event_effects.h"
#include "lock_rounds.h"
#include "store_rounds.h"
#include "object_maps.h"
#include "runtime.h"
#include "spin_lock.h"
#include "trace_output.h"

#define TL_EXPORT extern "C" __attribute__((visibility("default")))
#define TL_LIKELY(x) __builtin_expect(!!(x), 1)
#define TL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TL_NOINLINE __attribute__((noinline))
#define TL_CALLER_PC ::threadlens::rt::CallerPc(__builtin_return_address(0))

// This object's own image, for telling the runtime's own calls from the program's.
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" const char etext[] __attribute__((visibility("hidden")));

namespace threadlens::rt {

// A call made from the runtime's own code.
inline bool FromRuntime(uint64_t pc) {
  const auto lo = reinterpret_cast<uint64_t>(__ehdr_start);
  return pc - lo < reinterpret_cast<uint64_t>(etext) - lo;
}

// The user's call site while a wrapper of the runtime's (C11 threads) calls an interceptor
// on its behalf: events name it, not the wrapper. 0: none.
extern constinit thread_local uint64_t t_caller_pc __attribute__((tls_model("initial-exec")));
inline uint64_t CallerPc(void* ret) {
  const uint64_t pc = t_caller_pc;
  return pc ? pc : reinterpret_cast<uint64_t>(ret);
}
// Sets t_caller_pc for its scope; the outermost wrapper's pc stays. Also what the heap hooks
// name a block after: libc functions that allocate for the caller (strdup, getline) are
// named at the caller's call, not inside libc.
class PcScope {
 public:
  explicit PcScope(uint64_t pc) : saved_(t_caller_pc) {
    if (!saved_) t_caller_pc = pc;
  }
  ~PcScope() { t_caller_pc = saved_; }
  PcScope(const PcScope&) = delete;
  PcScope& operator=(const PcScope&) = delete;

 private:
  uint64_t saved_;
};

// Bytes per thread buffer; one full buffer is one kPackedEvents block (80 KiB: 2048 full
// events, up to 5120 packed records).
inline constexpr uint32_t kBufBytes = 2048 * sizeof(trace::Event);
// Locks a thread can hold at once and still have tracked (recursion depth, watchdog). More
// are counted and still traced, but their depth is reported as 1.
inline constexpr uint32_t kMaxHeld = 256;
// Frames of an uninstrumented thread's stack written at its synchronization events.
inline constexpr uint32_t kMaxNativeFrames = 48;
// The watchdog thread writes its records as this thread id; program threads start at 1.
inline constexpr uint32_t kRuntimeTid = 0;
// Exit status of a program the watchdog ended (documented in docs/trace-format.md).
inline constexpr int kWatchdogExitCode = 86;
// Exit status of a run the time limit ended (THREADLENS_TIMEOUT, `threadlens run --timeout`).
inline constexpr int kTimeoutExitCode = 87;

struct HeldLock {
  std::atomic<uint64_t> lock;
  std::atomic<uint32_t> depth;  // recorded saturated at kMaxDepth (aux16 is 16 bits)
  std::atomic<uint8_t> shared;
  std::atomic<uint8_t> type;  // trace::LockType, low byte
};

struct ThreadState {
  // Hot, written by the owner only; FlushAll reads `pos` (bytes used in `buf`) from others.
  std::atomic<uint32_t> pos;
  uint32_t tid;
  uint32_t last;     // offset in `buf` of the last record written
  uint64_t last_ts;  // its time: a packed record has none of its own
  uint64_t epoch;       // SyncEpoch(): release-type events so far (StartsEpoch)
  // The same without the thread's allocations and frees: the epoch of its own stack's bytes,
  // which no heap block holds (tsan_thread.h, EpochFor).
  uint64_t stack_epoch;
  // Set after a wait no event records (a sleep): a relaxed fence before the next access
  // record orders what follows after the others' records. Cleared by any sync record.
  bool order_pending;
  // Non-zero: the number the thread's next synchronization record takes, drawn before the
  // operation it records (an atomic store's, so that a load reading its value is numbered
  // after it whatever the order of the two records' writes).
  uint64_t reserved_seq;
  bool in_runtime;      // re-entrancy guard
  bool flushing;        // the owner is inside FlushOwn (a signal handler must not wait)
  bool is_runtime;      // the watchdog's own state: not a program thread
  // Signals (intercept_signal.cc). `in_record` > 0 while the owner writes a record or holds
  // a runtime lock: a signal arriving then is held back in `sig_pending` and its handler runs
  // when the record is whole (LeaveRecord), so a handler never writes into a half record.
  uint32_t in_record;
  uint32_t in_handler;      // depth of signal handlers running on this thread
  uint32_t in_handler_sig;  // the innermost handler's signal and address
  uint64_t in_handler_site;
  uint64_t sig_pending;  // bit s-1: signal s held back (atomic: set by handlers)
  struct SignalQueue* sig_queue;  // what the held-back signals carry; mapped at first use
  // Frames written for an uninstrumented thread (native_stack.cc), outermost first.
  uint32_t native_n;
  uint64_t native[kMaxNativeFrames];
  void* native_cache;  // recent captures (native_stack.cc); mapped at first use
  // AnnotateIgnoreSyncBegin nesting: > 0, the thread's synchronization orders nothing.
  uint32_t ignore_sync;
  uint64_t ignore_sync_pc;  // the Begin that turned it on
  uint32_t sched_slot;      // the schedule controller's slot + 1 (schedule.cc), 0 = none

  LockRounds rounds;  // polls through locks counted on one round (lock_rounds.h)
  SharedKeys shared_keys;  // keys of shared locations it asked for (shared_writes.h)
  StoreRounds store_rounds;  // polls through spin locks (store_rounds.h)
  // A tryjoin spin (intercept_thread.cc): the detaches counted when its record was written.
  uint32_t join_try_detaches;

  // Guards `flushed` and the write of this thread's blocks (owner and FlushAll).
  SpinLock flush_lock;
  uint32_t flushed;
  bool drained;  // after a size limit: this thread's events up to the cut are written
  // Rounds of key destructors the exit has waited (runtime.cc); pthread_exit's call site.
  uint8_t exit_rounds;
  uint64_t exit_pc;
  // A program thread the watchdog counts (main, and threads started through pthread_create).
  bool counted;
  // The kernel's id of the thread that registered it (0 for a fiber, which threads take
  // turns to run): the watchdog reads what call it is in (/proc/self/task/ID/syscall).
  int32_t os_tid;

  // What the thread blocks on, for the watchdog. `blocked_on` (trace::BlockedOn, 0 = not
  // blocked) is stored last with release, so the other fields are valid when it is seen.
  std::atomic<uint8_t> blocked_on;
  std::atomic<uint8_t> blocked_exclusive;  // lock requested exclusively
  std::atomic<uint8_t> blocked_locktype;   // trace::LockType of the requested lock
  std::atomic<uint64_t> blocked_obj;
  std::atomic<uint64_t> blocked_since;  // ticks
  std::atomic<uint64_t> blocked_pc;     // call site of the blocking call
  // A fiber that no OS thread runs now (tsan_fibers.cc): it neither blocks nor runs, so the
  // watchdog leaves it out of "every thread is stuck".
  std::atomic<uint8_t> parked;
  // In a sleep call (intercept_sleep.cc): when it ends, in ticks with bit 0 set; 0 = awake.
  std::atomic<uint64_t> sleep_until;
  std::atomic<uint64_t> sleep_pc;
  std::atomic<uint64_t> awake_since;  // when its last sleep ended, in ticks; 0 = never slept

  // Locks held now. Entries [0, held_count) are valid; the watchdog reads them racily and
  // confirms what it sees on a second look.
  std::atomic<uint32_t> held_count;
  uint32_t held_overflow;
  HeldLock held[kMaxHeld];

  ThreadState* next;
  ThreadState* prev;

  // Records of this thread not yet written out: full Events and packed records
  // (trace_format.h), each a multiple of 8 bytes.
  alignas(8) unsigned char buf[kBufBytes];
};

// Brackets every write of a record into the owner's buffer (see ThreadState::in_record).
inline void EnterRecord(ThreadState* ts) {
  ++ts->in_record;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
// Whether the program installed a handler of its own for `sig` (intercept_signal.cc): the
// runtime's own, for a signal left at its default, does not count.
bool ProgramCatches(int sig);
// Runs the handlers of signals held back meanwhile (intercept_signal.cc).
TL_NOINLINE void DeliverPendingSignals(ThreadState* ts);
// Ends the bracket without running held-back handlers: for callers that still update the
// thread's bookkeeping after the record (stack depth, open range) and deliver afterwards.
inline void LeaveRecordQuiet(ThreadState* ts) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  --ts->in_record;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
inline void DeliverIfPending(ThreadState* ts) {
  if (TL_UNLIKELY(__atomic_load_n(&ts->sig_pending, __ATOMIC_RELAXED) != 0) &&
      ts->in_record == 0) {
    DeliverPendingSignals(ts);
  }
}
inline void LeaveRecord(ThreadState* ts) {
  LeaveRecordQuiet(ts);
  DeliverIfPending(ts);
}
// An async-signal-unsafe call made inside a signal handler (kSignalUnsafeCall).
TL_NOINLINE void SignalUnsafeCallSlow(ThreadState* ts, trace::SignalUnsafeCall call, uint64_t pc);
inline void CheckSignalUnsafe(trace::SignalUnsafeCall call, uint64_t pc);

inline trace::Event& FullAt(ThreadState* ts, uint32_t off) {
  return *reinterpret_cast<trace::Event*>(ts->buf + off);
}

// The thread's last record, with nothing after it (`pos`: where the next goes), is a release
// fence: a relaxed store now gives a spin lock back as a release store does, and ends a round
// of a poll through it as one does (store_rounds.h).
inline bool AfterReleaseFence(ThreadState* ts, uint32_t pos) {
  const uint32_t last = ts->last;
  if (pos != last + sizeof(trace::Event) || last < ts->flushed) return false;
  const trace::Event& e = FullAt(ts, last);
  return e.kind == static_cast<uint8_t>(trace::EventKind::kFence) &&
         trace::IsReleaseOrder(e.flags);
}

// --- runtime.cc ---------------------------------------------------------------------------

extern std::atomic<bool> g_enabled;
// The sequence counter: shared by the recording's processes once joined (process_tree.cc).
extern std::atomic<uint64_t>* g_seq;
extern std::atomic<uint64_t> g_dropped;  // events lost (EndRecord::dropped)
extern std::atomic<uint32_t> g_threads_live;  // registered thread states
// When the process's armed real-time timer (alarm, setitimer, timer_settime) expires, in
// ticks; kTimerPeriodic for one that repeats or whose time is not known; 0: none. Its signal
// may wake a waiter, so the watchdog does not call the process stuck before then
// (intercept_timer.cc).
extern std::atomic<uint64_t> g_timer_until;
inline constexpr uint64_t kTimerPeriodic = ~0ull;
extern bool g_use_tsc;
// constinit: no dynamic initialization, so no TLS wrapper call on the hot path.
extern constinit thread_local ThreadState* t_state __attribute__((tls_model("initial-exec")));

uint64_t NowSlow();
inline uint64_t Now() { return TL_LIKELY(g_use_tsc) ? __rdtsc() : NowSlow(); }
uint64_t TicksPerSecond();
void SetupClock();   // at start: the clock and a first rate (runtime_clock.cc)
void Recalibrate();  // the rate again, over the run so far

TL_NOINLINE ThreadState* CurrentSlow();
// The calling thread's state if it already has one. Never CurrentFast(), which would start
// the runtime: interceptors that libraries reach from their static initializers (a guarded
// static in the C++ runtime's start-up, an atexit) run before it set up the main thread.
inline ThreadState* Started() {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) > 1 && !ts->in_runtime ? ts : nullptr;
}
// The calling thread's state if it records now; nullptr inside the runtime or when off.
inline ThreadState* CurrentFast() {
  ThreadState* ts = t_state;
  if (TL_LIKELY(reinterpret_cast<uintptr_t>(ts) > 1)) return ts->in_runtime ? nullptr : ts;
  return CurrentSlow();
}

TL_NOINLINE void FlushOwn(ThreadState* ts);

// Brings the trace's call stack of the calling thread up to its live shadow stack
// (instrumented programs; tsan_access.cc). The shadow stack reaches the trace lazily, at
// memory accesses; without this a lock, wait or join event would carry only the outer frames.
// An uninstrumented program's native stack at a synchronization event (native_stack.cc).
void SyncProgramStack(ThreadState* ts, trace::EventKind kind, uint64_t site);
// The same before a synchronization event made at `site`, with one more frame for the
// user's call when `site` is in code that is not instrumented (tsan_thread.h): true when
// added, and then EndProgramEvent takes it off once the event is written.
bool BeginProgramEvent(ThreadState* ts, trace::EventKind kind, uint64_t site);
void EndProgramEvent();
// The calling thread's next memory access reads the clock (instrumented programs; after a
// sleep, whose end no event records).
void ClockNextAccess();
// In a fork child: the forking thread's frames are written again into the child's own trace,
// which starts without them, before its next event (the child's locals are then named).
void FramesForked();

// After a call that may have blocked and records nothing when it returns empty-handed (a
// sleep, a poll that timed out): ThreadState::order_pending (intercept_sleep.cc).
void ResumeAfterWait(ThreadState* ts);
// At a thread's exit: one kIgnoresAtExit per ignore it left on (tsan_ignores.cc).
void RecordIgnoresAtExit(ThreadState* ts);
// At a thread's exit: hands its stack over to the thread glibc will start on it next
// (instrumented programs; tsan_access.cc), so their accesses to it are not taken for races.
void ReleaseThreadStack();

// The hot path: one event into the owner's buffer. No lock, no allocation.
// `read_clock` false: the event takes the previous event's time (call-stack records written
// right before the event they belong to).
inline void EmitTo(ThreadState* ts, trace::EventKind kind, uint8_t flags, uint16_t aux16,
                   uint32_t aux32, uint64_t obj, uint64_t site, uint64_t seq_or_value = 0,
                   bool read_clock = true) {
  const bool library_frame =
      trace::IsSyncKind(kind) && ts == t_state && BeginProgramEvent(ts, kind, site);
  if (TL_UNLIKELY(ts->ignore_sync) && trace::IsSyncKind(kind)) flags = NoSyncFlags(kind, flags);
  if (StartsEpoch(kind, flags)) {  // even when the event itself is dropped below
    ++ts->epoch;
    ts->stack_epoch += kind != trace::EventKind::kAlloc && kind != trace::EventKind::kFree;
  }
  EnterRecord(ts);
  uint32_t p = ts->pos.load(std::memory_order_relaxed);
  if (TL_UNLIKELY(p > kBufBytes - sizeof(trace::Event))) {
    FlushOwn(ts);
    p = ts->pos.load(std::memory_order_relaxed);
    if (p > kBufBytes - sizeof(trace::Event)) {  // a fault inside our own flush
      g_dropped.fetch_add(1, std::memory_order_relaxed);
      LeaveRecord(ts);
      if (library_frame) EndProgramEvent();
      return;
    }
  }
  // (The kind is a constant at most call sites: the tests fold away.)
  if (trace::NamesLock(kind)) NoteLockNamed(obj);
  const bool ends_round = kind == trace::EventKind::kAtomicStore &&
                          (trace::IsReleaseOrder(flags) || AfterReleaseFence(ts, p));
  trace::Event& e = FullAt(ts, p);
  e.kind = static_cast<uint8_t>(kind);
  e.flags = flags;
  e.aux16 = aux16;
  e.aux32 = aux32;
  e.ts = read_clock ? (ts->last_ts = Now()) : ts->last_ts;
  if (trace::IsSyncKind(kind)) {
    ts->order_pending = false;  // this record's number orders what follows
    if (TL_UNLIKELY(ts->reserved_seq != 0)) {
      e.seq = ts->reserved_seq;
      ts->reserved_seq = 0;
    } else {
      e.seq = g_seq->fetch_add(1, std::memory_order_relaxed) + 1;
    }
  } else {
    e.seq = seq_or_value;
  }
  e.obj = obj;
  e.site = site;
  ts->last = p;
  ts->pos.store(p + sizeof(trace::Event), std::memory_order_release);
  const uint32_t end = p + sizeof(trace::Event) + 1;
  if (kind == trace::EventKind::kLockAcquired) {
    NoteLockAcquired(ts->rounds, ts->shared_keys, ts->in_handler != 0, ts->tid, obj,
                     flags & trace::kShared, end);
  }
  if (kind == trace::EventKind::kLockRelease) ts->rounds.NoteRelease(obj, end, site, flags);
  if (ends_round) ts->store_rounds.NoteRelease(obj, end, sizeof(trace::Event));
  LeaveRecord(ts);
  if (library_frame) EndProgramEvent();
}

// The record of a release of a lock the thread held (`depth` after it), unless the round it
// ends repeats the one before and is counted there instead (lock_rounds.cc).
inline void RecordRelease(ThreadState* ts, uint64_t lock, uint8_t flags, uint16_t depth,
                          uint64_t pc) {
  if (!FoldLockRound(ts, lock, flags, depth, pc)) {
    EmitTo(ts, trace::EventKind::kLockRelease, flags, depth, 0, lock, pc);
  }
}

// A relaxed fence: no happens-before, a sequence number that pins the merge order.
inline void OrderFence(ThreadState* ts, uint64_t pc) {
  EmitTo(ts, trace::EventKind::kFence, static_cast<uint8_t>(trace::MemoryOrder::kRelaxed), 0, 0,
         0, pc);
}

uint32_t NextTid();
// Sets up the state of a thread the runtime starts (trampoline); emits kThreadStart.
ThreadState* StartThread(uint32_t tid, uint32_t parent_tid);

// Thread states' memory and registry (runtime.cc), for their start and end
// (runtime_threads.cc: ExitKeyDestructor, g_exit_key's, records a thread's end).
extern ThreadState* const kDeadState;  // t_state of a thread whose end was recorded
extern pthread_key_t g_exit_key;
extern long g_exit_flush_delay_us;  // tests: a pause before an ending thread's last flush
ThreadState* NewState(uint32_t tid);
void FreeState(ThreadState* ts);
void Register(ThreadState* ts);
void Unregister(ThreadState* ts);
// Flushes a thread's buffer without disturbing its owner: only the owner resets it.
void FlushThread(ThreadState* ts, bool from_signal, bool self = false);
void ExitKeyDestructor(void* p);

// String table (runtime_strings.cc): mapped at start; its lock is held across fork, and a
// fork child writes every string again into its own trace.
void InitStrings();
SpinLock& StringsLock();
void RewriteStrings();

// The program's ThreadSanitizer settings (runtime_settings.cc): captured once before tracing
// starts, written into each trace (the first, and a fork child's) as a kSettings block.
void CaptureSettings();
void WriteSettings();

// Registry of live thread states (watchdog, FlushAll). Callers hold RegistryLock().
SpinLock& RegistryLock();
ThreadState* RegistryHead();

// Ends the trace: flushes every buffer, writes modules and the end block, marks the header.
// `clean` false (fatal signal) leaves the header incomplete. Safe to call more than once.
void CloseTrace(bool clean, bool watchdog);
const char* TracePath();
// True once CloseTrace began (the program is exiting): the watchdog stands down.
bool TraceClosing();

// The runtime's handler of fatal signals (fatal_signals.cc): installed for those the program
// left, or later puts back, at their default; it flushes the trace, then the signal ends the
// process. The program asking for such a signal's action sees SIG_DFL.
void InstallSignalHandlers();
bool IsRuntimeSignalHandler(const void* fn);
bool RuntimeDefaultAction(int sig, struct sigaction* out);

// Creates the watchdog's own state (tid 0), not registered as a program thread.
ThreadState* NewRuntimeState();
// A fiber's state (tsan_fibers.cc): a thread of the trace that no OS thread owns; whichever
// thread switches to it records into it. Registered, so every flush writes it.
ThreadState* NewFiberState(uint32_t tid);
// Signals held back on `from` (a fiber switched away from) go to `to`, which runs now.
void MovePendingSignals(ThreadState* from, ThreadState* to);
// What a state mapped at first use (intercept_signal.cc, native_stack.cc), given back with it.
void FreeSignalQueue(ThreadState* ts);
void FreeNativeCache(ThreadState* ts);
// Writes what is left of a fiber's records, unregisters and frees its state.
void EndFiberState(ThreadState* ts);
// Forks so far in this process's line (a fork child's states of other threads are gone).
uint64_t ForkGeneration();
// A thread ending while it runs a fiber goes back to its own state first (tsan_fibers.cc).
void FibersThreadExit();

// An OpenMP program on LLVM's libomp: its Archer tool is named so libomp loads it (openmp.cc).
void PrepareOpenMP();

// --- intercept_*.cc ------------------------------------------------------------------------

// Resolves the real libc functions (dlsym RTLD_NEXT); idempotent.
void ResolveReal();
extern int (*real_pthread_create)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
extern void (*real__exit)(int);

inline void CheckSignalUnsafe(trace::SignalUnsafeCall call, uint64_t pc) {
  ThreadState* ts = t_state;
  if (TL_UNLIKELY(reinterpret_cast<uintptr_t>(ts) > 1 && ts->in_handler != 0)) {
    SignalUnsafeCallSlow(ts, call, pc);
  }
}

namespace tsan {
extern bool instrumented_module;  // set by __tsan_init (tsan_access.cc)
void AtomicsForkChild();  // frees the atomics' stripes other threads held (tsan_atomic.cc)
}  // namespace tsan
extern bool annotated_memory;  // set by the annotation API's first access (annotations.cc)

// The header flag of a program that recorded no memory access: no instrumented module ran
// and the annotation API recorded none (set at close).
inline uint32_t InstrumentationFlag() {
  return __atomic_load_n(&tsan::instrumented_module, __ATOMIC_RELAXED) ||
                 __atomic_load_n(&annotated_memory, __ATOMIC_RELAXED)
             ? 0
             : trace::kHeaderUninstrumented;
}

}  // namespace threadlens::rt
