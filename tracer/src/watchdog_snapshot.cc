// The watchdog's view of the threads at a poll (watchdog_snapshot.h). Runs on the watchdog's
// thread; the blocked state is read racily from the others.
#include "watchdog_snapshot.h"

#include <signal.h>
#include <string.h>

#include "held_locks.h"
#include "pipe_waits.h"
#include "process_tree.h"
#include "runtime_internal.h"
#include "threadlens/trace_watchdog.h"

namespace threadlens::rt::watch {

using trace::BlockedOn;

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
    v.os_tid = ts->os_tid;
    v.since = ts->blocked_since.load(std::memory_order_relaxed);
    v.pc = ts->blocked_pc.load(std::memory_order_relaxed);
    v.sleep_until = ts->sleep_until.load(std::memory_order_acquire);
    v.sleep_pc = ts->sleep_pc.load(std::memory_order_relaxed);
    v.awake_since = ts->awake_since.load(std::memory_order_relaxed);
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
  // A wait for a signal may end by one from outside the program (a daemon's sigwait for
  // SIGTERM): as if running, unless it holds a lock another thread waits on, which keeps the
  // thread that would send it from running.
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    ThreadView& v = s.threads[i];
    if (v.on != static_cast<uint8_t>(BlockedOn::kSignal)) continue;
    bool holds = false;
    for (uint32_t j = 0; j < s.num_threads && !holds; ++j) {
      holds = j != i && OnLock(s.threads[j]) && Holds(s, v, s.threads[j].obj, nullptr);
    }
    if (!holds) v.on = 0;
  }
  // A read, write or readiness wait: a wait on pipes or sockets of the recording's, or as if
  // running (found out with the registry unlocked: it takes system calls). A readiness wait
  // counts only in a process whose every thread is blocked: while one runs, it is left unread
  // (a server's many idle event loops, at every poll).
  s.num_more = 0;
  bool running = false;
  for (uint32_t i = 0; i < s.num_threads && !running; ++i) {
    running = s.threads[i].on == 0 && !s.threads[i].parked;
  }
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    ThreadView& v = s.threads[i];
    v.first_more = v.num_more = 0;
    if (v.on != kBlockedOnFdIo) continue;
    if (running && v.obj == kReadyWaitObj) {
      v.on = 0;
      continue;
    }
    uint64_t keys[64];
    const uint32_t n = PipeWaitKeys(v.obj, v.os_tid, keys, sizeof keys / sizeof *keys);
    v.on = n && n - 1 <= kMaxMoreKeys - s.num_more ? static_cast<uint8_t>(BlockedOn::kPipe) : 0;
    if (!v.on) continue;
    v.obj = keys[0];
    v.first_more = s.num_more;
    v.num_more = n - 1;
    for (uint32_t k = 1; k < n; ++k) s.more[s.num_more++] = keys[k];
  }
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

// Whether each thread waits on what only the recording's processes can end (pipe_waits.h): a
// pipe of the recording, a child of it, a lock, or an object in private memory; and no timer
// is armed whose signal could wake one.
bool KnotReady(const Snapshot& s) {
  if (s.partial || g_timer_until.load(std::memory_order_relaxed) != 0) return false;
  // A SIGCHLD handler may end any wait when a child ends: the self-pipe trick writes a pipe
  // the process alone holds.
  if (ProgramCatches(SIGCHLD)) return false;
  for (uint32_t i = 0; i < s.num_threads; ++i) {
    const ThreadView& t = s.threads[i];
    if (t.parked || t.on == static_cast<uint8_t>(BlockedOn::kPipe) || OnLock(t)) continue;
    if (t.on == static_cast<uint8_t>(BlockedOn::kProcess)) {
      if (!ChildKey(t.obj)) return false;  // for any of several children, or none traced
      continue;
    }
    if (SharedLockKey(t.obj)) return false;  // another process may post it or notify
  }
  return true;
}

}  // namespace threadlens::rt::watch
