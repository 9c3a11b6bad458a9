// The watchdog: a thread of the runtime that turns a hung program into a trace. It polls the
// threads' blocked state; when threads blocked on locks form a wait-for cycle, when a thread
// waits for a lock it already holds, or when every live thread has been blocked (lock, cond,
// join, semaphore; timed waits excluded) for longer than the delay — or is asleep with more
// than the delay still to sleep, beside at least one blocked thread — it writes the threads'
// state (kWatchdogFired, kBlocked, kRunning, kHolds), closes the trace, prints one line and
// ends the program with kWatchdogExitCode. When the run's time limit runs out it does the
// same whatever the threads do, and exits with kTimeoutExitCode.
//
// The blocked state is read racily from other threads. A verdict is acted on only when the
// same threads are seen blocked in the same calls (same start time) on two polls in a row.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"
#include "process_tree.h"
#include "held_locks.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "watchdog.h"
#include "threadlens/recording.h"

namespace threadlens::rt {
namespace {

using trace::BlockedOn;
using trace::EventKind;
using trace::WatchdogReason;

constexpr uint32_t kMaxThreads = 4096;
constexpr uint32_t kMaxHolds = 65536;
constexpr uint32_t kMaxFileHolds = 1024;
constexpr uint64_t kPollNs = 100'000'000;

struct Hold {
  uint32_t tid;
  uint16_t depth;
  uint8_t shared;
  uint64_t lock;
};

struct ThreadView {
  uint32_t tid;
  uint8_t on;  // BlockedOn, 0 = running
  uint8_t exclusive;
  uint8_t parked;  // a fiber no thread runs now
  uint64_t obj;
  uint64_t since;
  uint64_t pc;
  uint64_t sleep_until;  // ticks | 1 while in a sleep call, else 0
  uint64_t sleep_pc;
  uint32_t first_hold, num_holds;
};

struct Snapshot {
  ThreadView threads[kMaxThreads];
  Hold holds[kMaxHolds];
  // File locks belong to descriptors, not threads: each is held by the thread that took it.
  fdsync::FileLockHold files[kMaxFileHolds];
  uint32_t num_threads, num_holds, num_files;
  bool partial;  // more threads than kMaxThreads: "all blocked" cannot be decided
};

Snapshot* g_snap = nullptr;
double g_delay_s = 0;
double g_timeout_s = 0;      // 0: no time limit
uint64_t g_start_ticks = 0;  // when the time limit started (a fork child keeps its parent's)
std::atomic<bool> g_fired{false};
bool g_across = false;  // the cycle found runs through other processes (process_locks.cc)

void TakeSnapshot(Snapshot& s) {
  s.num_threads = s.num_holds = 0;
  s.partial = false;
  RegistryLock().Lock();
  for (ThreadState* ts = RegistryHead(); ts; ts = ts->next) {
    if (ts->is_runtime) continue;
    if (s.num_threads == kMaxThreads) {
      s.partial = true;
      break;
    }
    ThreadView& v = s.threads[s.num_threads++];
    v.tid = ts->tid;
    v.on = ts->blocked_on.load(std::memory_order_acquire);
    v.parked = ts->parked.load(std::memory_order_acquire);
    v.exclusive = ts->blocked_exclusive.load(std::memory_order_relaxed);
    v.obj = ts->blocked_obj.load(std::memory_order_relaxed);
    v.since = ts->blocked_since.load(std::memory_order_relaxed);
    v.pc = ts->blocked_pc.load(std::memory_order_relaxed);
    v.sleep_until = ts->sleep_until.load(std::memory_order_acquire);
    v.sleep_pc = ts->sleep_pc.load(std::memory_order_relaxed);
    v.first_hold = s.num_holds;
    uint32_t n = ts->held_count.load(std::memory_order_acquire);
    if (n > kMaxHeld) n = kMaxHeld;
    for (uint32_t i = 0; i < n && s.num_holds < kMaxHolds; ++i) {
      Hold& h = s.holds[s.num_holds++];
      h.tid = ts->tid;
      h.lock = ts->held[i].lock.load(std::memory_order_relaxed);
      h.depth = RecordedDepth(ts->held[i].depth.load(std::memory_order_relaxed));
      h.shared = ts->held[i].shared.load(std::memory_order_relaxed);
    }
    v.num_holds = s.num_holds - v.first_hold;
  }
  RegistryLock().Unlock();
  s.num_files = fdsync::FileLocksHeld(s.files, kMaxFileHolds);
}

// A wait the wait-for graph follows: for a lock some thread holds.
bool OnLock(const ThreadView& t) {
  return t.on == static_cast<uint8_t>(BlockedOn::kLock) ||
         t.on == static_cast<uint8_t>(BlockedOn::kFileLock);
}

bool Holds(const Snapshot& s, const ThreadView& t, uint64_t lock, bool* shared) {
  for (uint32_t i = 0; i < t.num_holds; ++i) {
    const Hold& h = s.holds[t.first_hold + i];
    if (h.lock == lock) {
      if (shared) *shared = h.shared;
      return true;
    }
  }
  // A process's file lock keeps out none of its threads; one of part of the file maybe none.
  for (uint32_t i = 0; i < s.num_files; ++i) {
    const fdsync::FileLockHold& f = s.files[i];
    if (f.tid == t.tid && f.channel == lock && !f.process && !f.range) {
      if (shared) *shared = f.shared;
      return true;
    }
  }
  return false;
}

// Index of a thread that `t` waits for (holds the lock t requests in a conflicting mode),
// starting the search at `from`; -1 when none.
int NextHolder(const Snapshot& s, const ThreadView& t, uint32_t from) {
  for (uint32_t j = from; j < s.num_threads; ++j) {
    if (s.threads[j].tid == t.tid) continue;
    bool shared = false;
    if (!Holds(s, s.threads[j], t.obj, &shared)) continue;
    if (shared && !t.exclusive) continue;  // readers do not block readers
    return static_cast<int>(j);
  }
  return -1;
}

// Finds a cycle in the wait-for graph among threads blocked on locks. Iterative DFS (colors:
// 0 new, 1 on the path, 2 done); fills `cycle` with thread indices and returns its length.
uint32_t FindCycle(const Snapshot& s, uint32_t* cycle) {
  static uint8_t color[kMaxThreads];
  static uint32_t path[kMaxThreads];
  static uint32_t next_from[kMaxThreads];
  memset(color, 0, s.num_threads);
  for (uint32_t root = 0; root < s.num_threads; ++root) {
    if (color[root] || !OnLock(s.threads[root])) continue;
    uint32_t depth = 0;
    path[depth] = root;
    next_from[depth] = 0;
    color[root] = 1;
    ++depth;
    while (depth > 0) {
      uint32_t u = path[depth - 1];
      const ThreadView& t = s.threads[u];
      int v = OnLock(t) ? NextHolder(s, t, next_from[depth - 1]) : -1;
      if (v < 0) {
        color[u] = 2;
        --depth;
        continue;
      }
      next_from[depth - 1] = static_cast<uint32_t>(v) + 1;
      if (color[v] == 1) {
        uint32_t n = 0, i = depth;
        while (i-- > 0) {
          cycle[n++] = path[i];
          if (path[i] == static_cast<uint32_t>(v)) break;
        }
        return n;
      }
      if (color[v] == 0) {
        color[v] = 1;
        path[depth] = static_cast<uint32_t>(v);
        next_from[depth] = 0;
        ++depth;
      }
    }
  }
  return 0;
}

// Publishes this process's waits for and holds of locks in shared memory for the other
// processes' watchdogs; fills `idx` with the threads that wait and returns how many.
uint32_t PublishSharedLocks(const Snapshot& s, uint32_t* idx) {
  if (!SharedRecordingOrNull()) return 0;
  static uint64_t waits[trace::kMaxSharedWaits], holds[trace::kMaxSharedHolds];
  uint32_t nw = 0, nh = 0;
  // The graph is one of processes: while a thread of this one runs (or sleeps), it may yet
  // give up a lock another of its threads waits on, or end the process. Its waits for a child
  // and its own end count only once none does.
  bool settled = !s.partial;
  for (uint32_t i = 0; i < s.num_threads && settled; ++i) {
    settled = s.threads[i].on != 0 || s.threads[i].parked;
  }
  for (uint32_t i = 0; i < s.num_threads && nw < trace::kMaxSharedWaits; ++i) {
    const ThreadView& t = s.threads[i];
    uint64_t k = 0;
    if (t.on == static_cast<uint8_t>(BlockedOn::kLock)) k = SharedLockKey(t.obj);
    // A file lock is one in every process (its channel is the file's).
    if (t.on == static_cast<uint8_t>(BlockedOn::kFileLock)) k = FileLockKey(t.obj, !t.exclusive);
    // A wait for a child to end: the child holds its own end (below) until it exits.
    if (t.on == static_cast<uint8_t>(BlockedOn::kProcess) && settled) k = ChildKey(t.obj);
    if (k) {
      waits[nw] = k;
      idx[nw++] = i;
    }
  }
  for (uint32_t i = 0; i < s.num_holds && nh < trace::kMaxSharedHolds; ++i) {
    if (uint64_t k = SharedLockKey(s.holds[i].lock)) holds[nh++] = k;
  }
  for (uint32_t i = 0; i < s.num_files && nh < trace::kMaxSharedHolds; ++i) {
    if (!s.files[i].range) holds[nh++] = FileLockKey(s.files[i].channel, s.files[i].shared);
  }
  if (settled && nh < trace::kMaxSharedHolds) {
    holds[nh++] = ExitKey(static_cast<uint32_t>(getpid()));
  }
  PublishLocks(waits, nw, holds, nh);
  return nw;
}

uint64_t Key(const Snapshot& s, const uint32_t* idx, uint32_t n, uint32_t reason) {
  uint64_t k = reason * 0x9e3779b97f4a7c15ull;
  for (uint32_t i = 0; i < n; ++i) {
    const ThreadView& t = s.threads[idx[i]];
    uint64_t since = t.on ? t.since : t.sleep_until;
    k ^= (t.tid * 0x100000001b3ull) ^ (since * 0xff51afd7ed558ccdull) ^ t.obj;
    k *= 0x9e3779b97f4a7c15ull;
  }
  return k | 1;
}

int FormatTids(char* out, size_t size, const Snapshot& s, const uint32_t* idx, uint32_t n) {
  int len = 0;
  for (uint32_t i = 0; i < n && len < static_cast<int>(size) - 16; ++i) {
    const char* sep = i == 0 ? "" : (i + 1 == n ? " and " : ", ");
    len += snprintf(out + len, size - len, "%s%u", sep, s.threads[idx[i]].tid);
  }
  return len;
}

[[noreturn]] void Fire(ThreadState* me, const Snapshot& s, WatchdogReason reason,
                       const uint32_t* idx, uint32_t n) {
  const bool timeout = reason == WatchdogReason::kTimeout;
  EmitTo(me, EventKind::kWatchdogFired, static_cast<uint8_t>(reason), 0,
         static_cast<uint32_t>((timeout ? g_timeout_s : g_delay_s) * 1000), 0, 0);
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    const ThreadView& t = s.threads[i];
    if (t.parked) continue;  // neither blocked nor running: its holds follow
    if (!t.on) {
      EmitTo(me, EventKind::kRunning, t.sleep_until ? trace::kAsleep : 0, 0, t.tid, 0,
             t.sleep_until ? t.sleep_pc : 0);
      continue;
    }
    uint16_t shared_request = (t.on == static_cast<uint8_t>(BlockedOn::kLock) ||
                               t.on == static_cast<uint8_t>(BlockedOn::kFileLock)) &&
                              !t.exclusive;
    const bool child = t.on == static_cast<uint8_t>(BlockedOn::kProcess);
    const uint64_t obj = child ? ChildKey(t.obj) : t.obj;
    EmitTo(me, EventKind::kBlocked, t.on, shared_request, t.tid, obj, t.pc);
  }
  for (uint32_t i = 0; i < s.num_holds; ++i) {
    const Hold& h = s.holds[i];
    EmitTo(me, EventKind::kHolds, h.shared ? trace::kShared : 0, h.depth, h.tid, h.lock, 0);
  }
  for (uint32_t i = 0; i < s.num_files; ++i) {
    const fdsync::FileLockHold& f = s.files[i];
    EmitTo(me, EventKind::kHolds,
           (f.shared ? trace::kShared : 0) | (f.process ? trace::kProcessHold : 0) |
               (f.range ? trace::kRangeHold : 0),
           1, f.tid, f.channel, f.site);
  }
  CloseTrace(true, true);
  if (g_across) AwaitCycleEnd();

  char tids[256];
  FormatTids(tids, sizeof tids, s, idx, n);
  char msg[1024];
  int len = 0;
  switch (reason) {
    case WatchdogReason::kLockCycle:
      len = g_across ? snprintf(msg, sizeof msg,
                                "threadlens: watchdog: deadlock across processes: thread %s of "
                                "pid %d waits for a lock or the end of another process of the "
                                "cycle",
                                tids, getpid())
                     : snprintf(msg, sizeof msg,
                                "threadlens: watchdog: deadlock: threads %s wait for each other's "
                                "locks",
                                tids);
      break;
    case WatchdogReason::kSelfDeadlock:
      len = snprintf(msg, sizeof msg,
                     "threadlens: watchdog: self-deadlock: thread %s waits for lock 0x%llx it "
                     "already holds",
                     tids, static_cast<unsigned long long>(s.threads[idx[0]].obj));
      break;
    case WatchdogReason::kAllBlocked:
      len = snprintf(msg, sizeof msg,
                     "threadlens: watchdog: hang: all %u threads blocked (or asleep) for more "
                     "than %g s",
                     n, g_delay_s);
      break;
    case WatchdogReason::kTimeout: {
      uint32_t blocked = 0;
      for (uint32_t i = 0; i < s.num_threads; ++i) blocked += s.threads[i].on != 0;
      len = snprintf(msg, sizeof msg,
                     "threadlens: timeout: the run was ended after %g s (--timeout); %u of %u "
                     "threads blocked",
                     g_timeout_s, blocked, s.num_threads);
      break;
    }
  }
  const int status = timeout ? kTimeoutExitCode : kWatchdogExitCode;
  if (len > 0 && len < static_cast<int>(sizeof msg)) {
    len += snprintf(msg + len, sizeof msg - len, "; trace %s; exit status %d\n", TracePath(),
                    status);
  }
  if (len > static_cast<int>(sizeof msg)) len = sizeof msg;
  // To the program's stderr as it was at start: the program may have redirected fd 2.
  TerminalMessage(msg, len > 0 ? len : 0);
  real__exit(status);
  __builtin_unreachable();
}

std::atomic<int> g_program_threads{1};
std::atomic<bool> g_stop{false};
pthread_t g_watchdog;
std::atomic<bool> g_running{false};

void* WatchdogMain(void*) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  ThreadState* me = NewRuntimeState();
  t_state = me;
  me->in_runtime = false;
  uint64_t last_key = 0;
  static uint32_t idx[kMaxThreads], shared_idx[trace::kMaxSharedWaits];
  const double tps = static_cast<double>(TicksPerSecond());
  for (;;) {
    timespec ts{0, static_cast<long>(kPollNs)};
    nanosleep(&ts, nullptr);
    if (!g_enabled.load() || TraceClosing() || g_stop.load()) return nullptr;
    Snapshot& s = *g_snap;
    TakeSnapshot(s);
    uint64_t key = 0;
    WatchdogReason reason{};
    uint32_t n = 0;
    if (g_timeout_s > 0 && static_cast<double>(Now() - g_start_ticks) / tps >= g_timeout_s) {
      if (!TraceClosing() && !g_fired.exchange(true)) {
        Fire(me, s, WatchdogReason::kTimeout, idx, 0);
      }
      return nullptr;
    }
    if (!(g_delay_s > 0)) continue;
    const uint32_t shared_waits = PublishSharedLocks(s, shared_idx);

    // A thread waiting for a lock it holds: only another thread could free it, and that
    // thread cannot, so this never ends (recursive locks do not block here).
    for (uint32_t i = 0; i < s.num_threads && !key; ++i) {
      const ThreadView& t = s.threads[i];
      bool shared = false;
      // A shared file lock held keeps out only an exclusive request of its own thread.
      if (OnLock(t) && Holds(s, t, t.obj, &shared) &&
          !(shared && !t.exclusive && t.on == static_cast<uint8_t>(BlockedOn::kFileLock))) {
        idx[0] = i;
        n = 1;
        reason = WatchdogReason::kSelfDeadlock;
        key = Key(s, idx, n, 2);
      }
    }
    if (!key) {
      n = FindCycle(s, idx);
      if (n) {
        reason = WatchdogReason::kLockCycle;
        key = Key(s, idx, n, 1);
      }
    }
    g_across = false;
    if (!key && shared_waits && OnProcessCycle()) {
      n = shared_waits;
      memcpy(idx, shared_idx, n * sizeof *idx);
      reason = WatchdogReason::kLockCycle;
      key = Key(s, idx, n, 4);
      g_across = true;
    }
    if (!key && s.num_threads > 0 && !s.partial) {
      // A sleeping thread counts as stuck when it will sleep on for longer than the delay:
      // one that wakes sooner may yet wake the others. Sleepers alone are no hang.
      uint64_t now = Now();
      const uint64_t delay_ticks = static_cast<uint64_t>(g_delay_s * tps);
      bool all = true, any_blocked = false, any_asleep = false;
      n = 0;
      for (uint32_t i = 0; i < s.num_threads && all; ++i) {
        const ThreadView& t = s.threads[i];
        if (t.parked) continue;  // a fiber runs only when a thread switches to it
        idx[n++] = i;
        if (t.on == static_cast<uint8_t>(BlockedOn::kProcess)) {
          // A wait for a child ends when the child does, which this process cannot see: only
          // the cycles across processes (above) count it as stuck.
          all = false;
        } else if (t.on != 0) {
          all = static_cast<double>(now - t.since) / tps > g_delay_s;
          any_blocked = any_blocked || t.on != static_cast<uint8_t>(BlockedOn::kJoin);
        } else {
          all = t.sleep_until > now && t.sleep_until - now > delay_ticks;
          any_asleep = true;
        }
      }
      // A join of a sleeping thread ends when it wakes and returns: not stuck. Sleepers
      // beside joins only (main joining a sleeping worker) are no hang either.
      for (uint32_t i = 0; i < s.num_threads && all && any_asleep; ++i) {
        const ThreadView& t = s.threads[i];
        if (t.on != static_cast<uint8_t>(BlockedOn::kJoin)) continue;
        for (uint32_t j = 0; j < s.num_threads; ++j) {
          if (s.threads[j].tid == t.obj && !s.threads[j].on) all = false;
        }
      }
      // An armed timer's signal may yet wake a waiter: stuck only once it is past the delay.
      const uint64_t timer = g_timer_until.load(std::memory_order_relaxed);
      if (timer != 0 && (timer == kTimerPeriodic || timer + delay_ticks > now)) all = false;
      if (all && n > 0 && (any_blocked || !any_asleep)) {
        reason = WatchdogReason::kAllBlocked;
        key = Key(s, idx, n, 3);
      }
    }
    if (key && key == last_key && !TraceClosing() && !g_fired.exchange(true)) {
      Fire(me, s, reason, idx, n);
    }
    last_key = key;
  }
}

}  // namespace

void ProgramThreadCreating() { g_program_threads.fetch_add(1, std::memory_order_relaxed); }
void ProgramThreadNotCreated() { g_program_threads.fetch_sub(1, std::memory_order_relaxed); }

void ProgramThreadEnded() {
  if (g_program_threads.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (!g_running.exchange(false)) return;
  g_stop.store(true);
  // The join returns once the watchdog's exit left this thread as the process's last.
  pthread_join(g_watchdog, nullptr);
}

void StartWatchdog() {
  // At start-up and in a fork child, the calling thread is the only one.
  g_program_threads.store(1);
  g_stop.store(false);
  g_running.store(false);
  const char* env = getenv("THREADLENS_WATCHDOG");
  g_delay_s = env && *env ? strtod(env, nullptr) : 0;
  const char* limit = getenv("THREADLENS_TIMEOUT");
  g_timeout_s = limit && *limit ? strtod(limit, nullptr) : 0;
  if (!(g_delay_s > 0) && !(g_timeout_s > 0)) return;
  if (!g_start_ticks) g_start_ticks = Now();
  if (!g_snap)
    g_snap = static_cast<Snapshot*>(mmap(nullptr, sizeof(Snapshot), PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (g_snap == MAP_FAILED) {
    g_snap = nullptr;
    return;
  }
  g_fired.store(false);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  // Joinable: the program's last thread waits for its end (ProgramThreadEnded).
  pthread_attr_setstacksize(&attr, 256 * 1024);
  if (!real_pthread_create) ResolveReal();
  // Created with every signal blocked, not only from its first instruction on: a
  // process-directed signal the program's threads block (taken by sigwait or a signalfd)
  // must never land on this thread, whose default action would end the program.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  if (real_pthread_create(&g_watchdog, &attr, WatchdogMain, nullptr) == 0) g_running.store(true);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace threadlens::rt
