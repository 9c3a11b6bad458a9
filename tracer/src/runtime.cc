// The tracer runtime core: configuration, per-thread buffers and their flushing, the module
// map, and the process events (exit, fork, fatal signals). The file itself is written by
// trace_output.cc, strings by runtime_strings.cc, the clock kept by runtime_clock.cc, and
// threads' start and end are runtime_threads.cc's.
//
// Rules here (this code runs inside the user's program): no exceptions, no iostream, no
// malloc (memory comes from mmap), no pthread locks (the runtime intercepts them; it uses
// SpinLock on its slow paths). The hot path is EmitTo() in runtime_internal.h.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "confirm.h"
#include "confirm_race.h"
#include "fd_sync.h"
#include "held_locks.h"
#include "process_tree.h"
#include "runtime_internal.h"
#include "schedule.h"
#include "tsan_libc.h"
#include "watchdog.h"
#include "threadlens/crc32c.h"
#include "threadlens/trace_packed.h"

namespace threadlens::rt {

using trace::BlockHeader;
using trace::BlockKind;
using trace::Event;
using trace::EventKind;

std::atomic<bool> g_enabled{false};
std::atomic<uint64_t> g_dropped{0};
std::atomic<uint32_t> g_threads_live{0};
constinit thread_local ThreadState* t_state __attribute__((tls_model("initial-exec"))) = nullptr;

ThreadState* const kDeadState = reinterpret_cast<ThreadState*>(1);
pthread_key_t g_exit_key;
long g_exit_flush_delay_us = 0;

namespace {

std::atomic<bool> g_closed{false};
std::atomic<bool> g_close_started{false};
std::atomic<uint64_t> g_events_written{0};
std::atomic<uint32_t> g_threads_seen{0};
std::atomic<uint32_t> g_next_tid{2};  // 1 is the main thread, 0 the runtime

uint64_t g_fork_generation = 0;
SpinLock g_registry_lock;
ThreadState* g_registry = nullptr;

// ---------------------------------------------------------------------------------------
// A small helper that avoids libc functions which might take intercepted locks.

void* MapMemory(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ReportFatal("out of memory for trace buffers");
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Thread states.

ThreadState* NewState(uint32_t tid) {
  auto* ts = static_cast<ThreadState*>(MapMemory(sizeof(ThreadState)));
  // mmap memory is zeroed: every atomic and counter starts at 0.
  ts->tid = tid;
  return ts;
}

void FreeState(ThreadState* ts) {
  FreeSignalQueue(ts);
  FreeNativeCache(ts);
  munmap(ts, sizeof(ThreadState));
}

void Register(ThreadState* ts) {
  // Registered by its own thread (a fiber by the one that made it, parked: none of its own).
  ts->os_tid = ts->parked.load(std::memory_order_relaxed)
                   ? 0
                   : static_cast<int32_t>(syscall(SYS_gettid));
  g_registry_lock.Lock();
  ts->prev = nullptr;
  ts->next = g_registry;
  if (g_registry) g_registry->prev = ts;
  g_registry = ts;
  g_registry_lock.Unlock();
  g_threads_seen.fetch_add(1, std::memory_order_relaxed);
  g_threads_live.fetch_add(1, std::memory_order_relaxed);
}

void Unregister(ThreadState* ts) {
  g_registry_lock.Lock();
  if (ts->prev)
    ts->prev->next = ts->next;
  else
    g_registry = ts->next;
  if (ts->next) ts->next->prev = ts->prev;
  g_registry_lock.Unlock();
  g_threads_live.fetch_sub(1, std::memory_order_relaxed);
}

namespace {

// A foreign flush's copy of a buffer (callers hold the registry lock).
unsigned char* g_flush_copy = nullptr;

// The last sequence number of a clean close: threads still running then go on recording
// while each is flushed in turn, and a record numbered after it is not written, so the trace
// is every thread's events up to one moment (0: not closing).
std::atomic<uint64_t> g_close_cut{0};

// Writes `src`'s records up to the first one numbered after `cut` (0: all of them) as one
// block, into the room kept below the limit when `room`; false when nothing was written.
// Records are counted by their first byte, which the owner never changes once written.
bool WriteRecords(uint32_t tid, const unsigned char* src, uint32_t size, uint64_t cut,
                  bool room) {
  uint32_t count = 0, at = 0;
  for (; at < size; ++count) {
    if (src[at] & trace::kPackedTag) {
      at += trace::kPackedSize;
      continue;
    }
    trace::Event e;
    memcpy(&e, src + at, sizeof e);
    if (cut && IsSyncKind(static_cast<EventKind>(e.kind)) && e.seq > cut) break;
    at += sizeof(Event);
  }
  if (count == 0 || !WriteEventBlock(tid, count, src, at, room)) return false;
  g_events_written.fetch_add(count, std::memory_order_relaxed);
  return true;
}

// Writes [flushed, pos) of `ts` as one block. Caller holds ts->flush_lock. `owner`: the
// buffer is reset; `foreign`: the owner runs on (caller holds the registry lock).
// After a limit (size cap, file size limit, full disk) cut the trace, each thread writes once
// more: its records up to the cut (TraceCut), so that the trace is every thread's events up
// to one moment. A thread that was quiet since (its buffer not written before the limit) would otherwise lose them,
// and with them the synchronization that orders other threads' accesses.
void FlushLocked(ThreadState* ts, bool owner, bool foreign) {
  uint32_t pos = ts->pos.load(std::memory_order_acquire);
  uint32_t from = ts->flushed;
  if (pos > from && !g_closed.load(std::memory_order_acquire) && !ts->drained) {
    // The owner may still patch its last record in place (a range grows, a repeat is
    // counted): a foreign flush checksums and writes a copy, so the block stays whole.
    const unsigned char* src = ts->buf + from;
    if (foreign && g_flush_copy) {
      memcpy(g_flush_copy, src, pos - from);
      src = g_flush_copy;
    }
    // A refused block may be the one that reached the limit: it goes in as the last.
    const uint64_t close_cut = g_close_cut.load(std::memory_order_acquire);
    if ((TraceStopped() || !WriteRecords(ts->tid, src, pos - from, close_cut, false)) &&
        TraceCut()) {
      ts->drained = true;
      WriteRecords(ts->tid, src, pos - from, TraceCut(), true);
    }
    // Once closing, a thread's flush is its last: what it records later (past the cut)
    // would start in the middle of what the cut left out.
    if (close_cut) ts->drained = true;
  }
  if (owner) {
    ts->flushed = 0;
    ts->rounds.Reset();  // lock and store rounds: no release left in the buffer
    ts->store_rounds.Reset();
    ts->pos.store(0, std::memory_order_relaxed);
  } else {
    ts->flushed = pos;
  }
}

}  // namespace

void FlushThread(ThreadState* ts, bool from_signal, bool self) {
  bool owner = self || ts == t_state;
  if (from_signal) {
    if (!ts->flush_lock.TryLockFor(1000)) return;
  } else {
    ts->flush_lock.Lock();
  }
  FlushLocked(ts, owner && !from_signal, !owner);
  ts->flush_lock.Unlock();
}

namespace {

bool FlushEverything(bool from_signal) {
  if (from_signal) {
    if (!g_registry_lock.TryLockFor(1000)) return false;
  } else {
    g_registry_lock.Lock();
  }
  for (ThreadState* ts = g_registry; ts; ts = ts->next) FlushThread(ts, from_signal);
  g_registry_lock.Unlock();
  return true;
}


// ---------------------------------------------------------------------------------------
// Trace file.

void WriteHeader(bool initial) {
  Recalibrate();
  rt::WriteHeader(initial, TicksPerSecond());
}

// ---------------------------------------------------------------------------------------
// Fork: the child gets its own trace; the parent's unflushed events stay with the parent.

void ForkPrepare() {
  if (!g_enabled.load()) return;
  ProcessForkPrepare();
  StringsLock().Lock();
  g_registry_lock.Lock();
}

void ForkParent() {
  if (!g_enabled.load()) return;
  g_registry_lock.Unlock();
  StringsLock().Unlock();
  ProcessForkParent();
}

// The locks in memory shared with the parent that the forking thread held stay the parent
// thread's (the child's copy of a private lock is its own): the child waits for them.
void DropSharedHolds(ThreadState* ts) {
  for (uint32_t i = ts->held_count.load(std::memory_order_relaxed); i-- > 0;) {
    const uint64_t lock = ts->held[i].lock.load(std::memory_order_relaxed);
    if (SharedLockKey(lock) == 0) continue;
    while (HeldPop(ts, lock, nullptr) > 0) {
    }
  }
}

void ForkChild() {
  ++g_fork_generation;
  if (!g_enabled.load()) return;
  ProcessForkChildReset();
  ScheduleOffInChild();
  ConfirmForkChild();
  g_registry_lock.Reset();
  ModulesForkChild();
  tsan::AtomicsForkChild();
  StringsLock().Reset();
  ThreadState* self = t_state;
  // The other threads do not exist in the child; their states are the parent's memory.
  for (ThreadState* ts = g_registry; ts;) {
    ThreadState* next = ts->next;
    if (ts != self) munmap(ts, sizeof(ThreadState));
    ts = next;
  }
  g_registry = nullptr;
  g_threads_live.store(0);
  g_closed.store(false);
  g_close_started.store(false);
  g_events_written.store(0);
  g_threads_seen.store(0);
  CloseTraceFiles();
  // Locks are announced again (kLockCreate at first use) in the child's trace.
  ResetLockSet();
  if (!OpenTraceFile(true, Header().recording)) {
    g_enabled.store(false);
    return;
  }
  RewriteStrings();
  WriteModules();
  WriteSettings();
  if (reinterpret_cast<uintptr_t>(self) > 1) {
    self->pos.store(0);
    self->flushed = 0;
    self->rounds.Reset();
    self->rounds.shared_id = 0;  // its stamps of shared locks are no longer the parent's
    self->store_rounds.Reset();
    self->drained = false;
    self->flush_lock.Reset();
    Register(self);
    DropSharedHolds(self);
    EmitTo(self, EventKind::kThreadStart, 0, 0, 0, 0, 0);
    ProcessForkChild();
  }
  StartWatchdog();
}

// exit's stdio clean-up comes after the trace's end (an exit handler, or this library's
// destructor, whichever runs first): made at the end first, traced.
void CloseAtExit(uintptr_t pc) {
  ThreadState* self = t_state;
  if (g_enabled.load() && !TraceClosing() && static_cast<uint32_t>(getpid()) == Header().pid &&
      reinterpret_cast<uintptr_t>(self) > 1 && !self->is_runtime) {
    // A flush into a pipe whose reader is gone raises SIGPIPE: held until the trace is
    // complete, as when the C library's own flush raised it after the trace's end.
    sigset_t pipe, old;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old);
    tsan::libc::StreamsFlushedAtExit(pc);
    CloseTrace(true, false);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return;
  }
  CloseTrace(true, false);
}

void AtExit() { CloseAtExit(TL_CALLER_PC); }

}  // namespace

void RecordModules() {
  if (g_enabled.load() && !g_closed.load(std::memory_order_acquire)) WriteModules(true);
}

// ---------------------------------------------------------------------------------------

// Not through the sched_yield interceptor, which may wait for the schedule's token.
void SpinLock::Wait() { syscall(SYS_sched_yield); }

bool TraceClosing() { return g_close_started.load(std::memory_order_acquire); }

uint32_t NextTid() { return g_next_tid.fetch_add(1, std::memory_order_relaxed); }

SpinLock& RegistryLock() { return g_registry_lock; }
ThreadState* RegistryHead() { return g_registry; }


uint64_t ForkGeneration() { return g_fork_generation; }

ThreadState* NewRuntimeState() {
  ThreadState* ts = NewState(kRuntimeTid);
  ts->is_runtime = true;
  Register(ts);
  g_threads_seen.fetch_sub(1, std::memory_order_relaxed);
  return ts;
}


void FlushOwn(ThreadState* ts) {
  // Re-entered from a synchronous fault's handler while this thread holds its own flush lock
  // (asynchronous signals wait, see intercept_signal.cc): waiting would never end, so the
  // caller drops the event instead.
  if (ts->flushing) return;
  EnterRecord(ts);  // a signal waits until the buffer is written and reset
  ts->flushing = true;
  ts->flush_lock.Lock();
  FlushLocked(ts, true, false);
  ts->flush_lock.Unlock();
  ts->flushing = false;
  LeaveRecord(ts);
}

void CloseTrace(bool clean, bool watchdog) {
  if (!g_enabled.load()) return;
  // A vfork child shares our memory and file: closing would end the parent's trace.
  if (static_cast<uint32_t>(getpid()) != Header().pid) return;
  if (g_close_started.exchange(true)) return;
  // The thread that ends the process ends as itself, not as a fiber it runs.
  if (clean && !watchdog) FibersThreadExit();
  ThreadState* self = t_state;
  bool from_signal = !clean;
  if (clean && reinterpret_cast<uintptr_t>(self) > 1 && !self->is_runtime && !watchdog) {
    threadlens::rt::fdsync::FileLocksAtExit();  // the kernel gives them up with the process
    ProcessExit();
    RecordIgnoresAtExit(self);  // main's return (or any exit) ends its thread too
    EmitTo(self, EventKind::kThreadExit, trace::kProcessEnded, 0, 0, 0, 0);
  }
  // Threads that still run record on while the others are flushed: without a cut, one
  // thread's lock release could be lost and another's later acquisition kept.
  if (clean) g_close_cut.store(g_seq->load(std::memory_order_acquire), std::memory_order_release);
  const bool flushed = FlushEverything(from_signal);
  g_closed.store(true, std::memory_order_release);
  if (from_signal && flushed && !TraceStopped()) Header().flags |= trace::kHeaderSignalFlush;
  if (clean && !TraceStopped()) {
    WriteModules();
    trace::EndRecord end{};
    end.events = g_events_written.load();
    end.threads = g_threads_seen.load();
    end.dropped = g_dropped.load();
    end.locks = LocksNamedForEnd();
    WriteBlock(BlockKind::kEnd, 0, 1, &end, sizeof end);
    // The end block may not have fit (size cap): then the trace stays incomplete.
    if (!TraceStopped()) Header().flags |= trace::kHeaderComplete;
  }
  if (clean && watchdog) {
    Header().flags |= trace::kHeaderWatchdog;
  }
  if (ProcessForked()) Header().flags |= trace::kHeaderForked;
  Header().flags |= InstrumentationFlag();
  WriteHeader(false);
  ProcessClosed(watchdog);
  // Events after this point are not recorded; Current() keeps returning states so the
  // program runs on unchanged.
}

ThreadState* Current() { return CurrentFast(); }
bool Enabled() { return g_enabled.load(std::memory_order_relaxed); }

void Emit(EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32, uint64_t obj,
          uint64_t site) {
  ThreadState* ts = CurrentFast();
  if (ts) EmitTo(ts, kind, flags, aux16, aux32, obj, site);
}

// Declared weak by the ThreadSanitizer-ABI files: a non-sync event with a value in `seq`.
void EmitWithValue(EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32, uint64_t obj,
                   uint64_t site, uint64_t value) {
  ThreadState* ts = CurrentFast();
  if (ts) EmitTo(ts, kind, flags, aux16, aux32, obj, site, value);
}

uint64_t SyncEpoch() {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) > 1 ? ts->epoch : 0;
}

void FlushAll() {
  FlushEverything(false);
  WriteHeader(false);
}

void ReportFatal(const char* message) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "threadlens: fatal: %s\n", message);
  TerminalMessage(buf, n > 0 ? n : 0);
  abort();
}

// Runs before main (after libc is initialized). Interceptors called earlier pass through.
__attribute__((constructor(101))) static void InitRuntime() {
  ResolveReal();
  const char* path = getenv("THREADLENS_TRACE");
  if (!path || !*path) return;
  // The first traced process of a run writes THREADLENS_TRACE itself and marks the
  // environment, so descendants (fork, exec, spawn) write their own BASE.PID files.
  bool descendant = getenv("THREADLENS_TRACE_OWNER") != nullptr;
  SetupClock();
  const uint64_t recording = JoinRecording(descendant);
  if (!OpenTraceFile(descendant, recording)) return;
  if (!descendant) {
    char pid[32];
    snprintf(pid, sizeof pid, "%d", getpid());
    setenv("THREADLENS_TRACE_OWNER", pid, 1);
  }
  if (const char* delay = getenv("THREADLENS_TEST_EXIT_FLUSH_DELAY_US")) {
    g_exit_flush_delay_us = atol(delay);
  }
  InitStrings();
  InitObjectMaps();
  ConfirmInit();
  ConfirmRaceInit();
  ScheduleInit();
  g_flush_copy = static_cast<unsigned char*>(MapMemory(kBufBytes));
  InitCompression();
  CaptureSettings();  // before tracing: the program's __tsan_default_options runs untraced
  pthread_key_create(&g_exit_key, ExitKeyDestructor);
  g_enabled.store(true, std::memory_order_release);
  WriteModules();
  WriteSettings();

  ThreadState* main_state = NewState(1);
  main_state->counted = true;
  t_state = main_state;
  Register(main_state);
  pthread_setspecific(g_exit_key, main_state);  // main may end with pthread_exit
  EmitTo(main_state, EventKind::kThreadStart, 0, 0, 0, 0, 0);
  TidMapSet(pthread_self(), 1);
  ProcessSpawnedStart();
  fdsync::FileLocksInherited();

  pthread_atfork(ForkPrepare, ForkParent, ForkChild);
  InstallSignalHandlers();
  atexit(AtExit);
  StartWatchdog();
  PrepareOpenMP();
}

// Library destructors run in _dl_fini, an exit handler: before AtExit when this library was
// loaded with the program (its constructor registered AtExit before _dl_fini was), after it
// when loaded later. Whichever runs first ends the trace.
__attribute__((destructor)) static void FiniRuntime() { CloseAtExit(TL_CALLER_PC); }

}  // namespace threadlens::rt
