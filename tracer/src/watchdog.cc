// The watchdog: a thread of the runtime that turns a hung program into a trace. It polls the
// threads' blocked state; when threads blocked on locks form a wait-for cycle, when a thread
// waits for a lock it already holds, when processes wait on each other through pipes
// (pipe_waits.h), or when every live thread has been blocked (lock, cond, join, semaphore;
// timed waits excluded) for longer than the delay — or is asleep with more than the delay
// still to sleep, beside at least one blocked thread, and either sleeps in a loop (it was
// awake since they blocked and woke none; counted once they have waited kLoopPatience delays)
// or for over a minute — it writes the threads'
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
#include "pipe_waits.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "watchdog.h"
#include "watchdog_snapshot.h"
#include "threadlens/recording.h"

namespace threadlens::rt {
namespace {

using trace::BlockedOn;
using trace::EventKind;
using trace::WatchdogReason;

using watch::FindCycle;
using watch::Hold;
using watch::Holds;
using watch::KnotReady;
using watch::kMaxThreads;
using watch::kPollNs;
using watch::OnLock;
using watch::Snapshot;
using watch::TakeSnapshot;
using watch::ThreadView;

Snapshot* g_snap = nullptr;
double g_delay_s = 0;
double g_timeout_s = 0;      // 0: no time limit
uint64_t g_start_ticks = 0;  // when the time limit started (a fork child keeps its parent's)
std::atomic<bool> g_fired{false};
bool g_across = false;  // the cycle found runs through other processes (process_locks.cc)
constexpr uint32_t kMaxKnot = 64;
// A sleep that ends later than this counts as stuck beside blocked threads even the first time.
constexpr double kLongSleepS = 60;
// A thread that sleeps in a loop counts as stuck only once the blocked threads have waited this
// many delays (a minute with the default 2 s): a retry loop that sleeps a few seconds at a time,
// while the others wait for what it retries, is work; a heartbeat beside a hang still ends.
constexpr double kLoopPatience = 30;
uint32_t g_knot[kMaxKnot], g_knot_size = 0;  // the processes of a deadlock through pipes

// The blocked state of threads idx[0..n) (null: the first n), as a key that changes when any
// of their waits does.
uint64_t Key(const Snapshot& s, const uint32_t* idx, uint32_t n, uint32_t reason) {
  uint64_t k = reason * 0x9e3779b97f4a7c15ull;
  for (uint32_t i = 0; i < n; ++i) {
    const ThreadView& t = s.threads[idx ? idx[i] : i];
    uint64_t since = t.on ? t.since : t.sleep_until;
    k ^= (t.tid * 0x100000001b3ull) ^ (since * 0xff51afd7ed558ccdull) ^ t.obj;
    k *= 0x9e3779b97f4a7c15ull;
  }
  return k | 1;
}

// Signals a process is sent from outside the recording (Ctrl-C, kill, a terminal).
constexpr int kOutsideSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGIO,
                                   SIGWINCH};

// Whether this process's threads, all blocked, have waited long enough to count as stuck on
// what only the recording's processes can end: at once, unless the program catches a signal
// from outside, whose handler may end the waits (a daemon that polls its self-pipe until
// SIGTERM or SIGHUP writes it); then once the same waits lasted the delay.
bool WaitedOutOutsideSignals(const Snapshot& s) {
  static uint64_t state = 0, since = 0;
  const uint64_t k = Key(s, nullptr, s.num_threads, 0);
  const uint64_t now = Now();
  if (k != state) {
    state = k;
    since = now;
  }
  bool catches = false;
  for (int sig : kOutsideSignals) catches = catches || ProgramCatches(sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX && !catches; ++sig) catches = ProgramCatches(sig);
  return !catches ||
         static_cast<double>(now - since) / static_cast<double>(TicksPerSecond()) >= g_delay_s;
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
  // A thread on a pipe counts as running here (its data may come from outside the cycle);
  // the rule of pipes (pipe_waits.h) counts it as blocked, in a process `ready` for it.
  bool settled = !s.partial, ready = !s.partial;
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    const ThreadView& t = s.threads[i];
    settled = settled && ((t.on != 0 && t.on != static_cast<uint8_t>(BlockedOn::kPipe)) ||
                          t.parked);
    ready = ready && (t.on != 0 || t.parked);
  }
  ready = ready && KnotReady(s) && WaitedOutOutsideSignals(s);
  for (uint32_t i = 0; i < s.num_threads && nw < trace::kMaxSharedWaits; ++i) {
    const ThreadView& t = s.threads[i];
    uint64_t k = 0;
    if (t.on == static_cast<uint8_t>(BlockedOn::kLock)) k = SharedLockKey(t.obj);
    // A file lock is one in every process (its channel is the file's).
    if (t.on == static_cast<uint8_t>(BlockedOn::kFileLock)) k = FileLockKey(t.obj, !t.exclusive);
    // A wait for a child to end: the child holds its own end (below) until it exits; for the
    // rule of pipes alone, while another thread waits on a pipe.
    if (t.on == static_cast<uint8_t>(BlockedOn::kProcess)) {
      k = settled ? ChildKey(t.obj) : ready ? KnotChildKey(ChildKey(t.obj)) : 0;
    }
    if (t.on == static_cast<uint8_t>(BlockedOn::kPipe)) k = t.obj;  // its other end's
    if (k) {
      waits[nw] = k;
      idx[nw++] = i;
    }
  }
  // A readiness wait's other ends, each a wait of the process too (past the threads' own):
  // one left out would let a process that can be woken count as stuck.
  uint32_t nm = nw;
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    const ThreadView& t = s.threads[i];
    for (uint32_t k = 0; k < t.num_more; ++k) {
      if (nm < trace::kMaxSharedWaits) waits[nm++] = s.more[t.first_more + k];
      else ready = false;
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
  if (ready && nh < trace::kMaxSharedHolds) {
    holds[nh++] = KnotReadyKey(static_cast<uint32_t>(getpid()));
  }
  // The pipe ends held, while some process waits on a pipe (it takes a look at every
  // descriptor): a process that may read or write the other end keeps the waiter waiting.
  bool pipes = false;
  for (uint32_t i = 0; i < nw && !pipes; ++i) pipes = trace::IsPipeEndKey(waits[i]);
  if (pipes || AnyPipeWait()) nh += HeldPipeEnds(holds + nh, trace::kMaxSharedHolds - nh);
  PublishLocks(waits, nm, holds, nh);
  return nw;
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
    // A readiness wait's other ends: more records of the same wait (kAlsoBlocked).
    for (uint32_t k = 0; k < t.num_more; ++k) {
      EmitTo(me, EventKind::kBlocked, t.on, trace::kAlsoBlocked, t.tid,
             s.more[t.first_more + k], t.pc);
    }
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
  g_watchdog_ending.store(true, std::memory_order_release);
  const bool knot = reason == WatchdogReason::kPipeDeadlock;
  if (knot) {  // the pipe ends this process holds: its first thread's, for the whole process
    static uint64_t ends[256];
    const uint32_t held = HeldPipeEnds(ends, 256);
    for (uint32_t i = 0; i < held && s.num_threads > 0; ++i) {
      EmitTo(me, EventKind::kHolds, trace::kProcessHold, 1, s.threads[0].tid, ends[i], 0);
    }
  }
  CloseTrace(true, true);
  if (g_across) AwaitCycleEnd();
  if (knot) AwaitKnotEnd(g_knot, g_knot_size);

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
    case WatchdogReason::kPipeDeadlock:
      len = g_knot_size > 1
                ? snprintf(msg, sizeof msg,
                           "threadlens: watchdog: deadlock across processes: thread %s of pid "
                           "%d waits on a pipe, a socket, an eventfd or a process, and only "
                           "the %u "
                           "processes that wait on each other could end the wait",
                           tids, getpid(), g_knot_size)
                : snprintf(msg, sizeof msg,
                           "threadlens: watchdog: deadlock: thread %s waits on a pipe (a "
                           "socket, an eventfd) whose other end only this process holds, and "
                           "all its threads are blocked",
                           tids);
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
    if (!key && OnPipeKnot(g_knot, kMaxKnot, &g_knot_size)) {
      n = 0;
      for (uint32_t i = 0; i < s.num_threads; ++i) {
        if (s.threads[i].on) idx[n++] = i;
      }
      reason = WatchdogReason::kPipeDeadlock;
      key = Key(s, idx, n, 5);
    }
    if (!key && s.num_threads > 0 && !s.partial) {
      // A sleeping thread counts as stuck when it will sleep on for longer than the delay
      // (one that wakes sooner may yet wake the others), and either was awake since every
      // blocked thread blocked without waking one (a thread that sleeps in a loop) or will
      // sleep on for over a minute. A first shorter sleep may be the work the others wait
      // for (a pool's task that sleeps while the pool's owner waits for it). Sleepers alone
      // are no hang.
      uint64_t now = Now();
      const uint64_t delay_ticks = static_cast<uint64_t>(g_delay_s * tps);
      const double long_s = g_delay_s > kLongSleepS ? g_delay_s : kLongSleepS;
      const uint64_t long_ticks = static_cast<uint64_t>(long_s * tps);
      bool all = true, any_blocked = false, any_asleep = false;
      uint64_t last_blocked = 0, first_awake = ~0ull;  // among the sleepers not long asleep
      n = 0;
      for (uint32_t i = 0; i < s.num_threads && all; ++i) {
        const ThreadView& t = s.threads[i];
        if (t.parked) continue;  // a fiber runs only when a thread switches to it
        idx[n++] = i;
        if (t.on == static_cast<uint8_t>(BlockedOn::kProcess) ||
            t.on == static_cast<uint8_t>(BlockedOn::kPipe)) {
          // A wait for a child ends when the child does, a pipe's when another process uses
          // its other end, which this process cannot see: only the rules across processes
          // (above) count them as stuck.
          all = false;
        } else if (t.on != 0) {
          all = static_cast<double>(now - t.since) / tps > g_delay_s;
          any_blocked = any_blocked || t.on != static_cast<uint8_t>(BlockedOn::kJoin);
          if (t.since > last_blocked) last_blocked = t.since;
        } else {
          all = t.sleep_until > now && t.sleep_until - now > delay_ticks;
          any_asleep = true;
          if (t.sleep_until - now <= long_ticks && t.awake_since < first_awake) {
            first_awake = t.awake_since;
          }
        }
      }
      // Each sleeper due within the minute was awake after the last thread blocked, and that
      // was kLoopPatience delays ago.
      if (first_awake != ~0ull && (first_awake == 0 || first_awake <= last_blocked)) all = false;
      const auto patience = static_cast<uint64_t>(kLoopPatience * g_delay_s * tps);
      if (first_awake != ~0ull && now - last_blocked <= patience) all = false;
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

std::atomic<bool> g_watchdog_ending{false};

void StayStopped() {
  for (;;) {
    timespec ts{1, 0};
    nanosleep(&ts, nullptr);
  }
}

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
