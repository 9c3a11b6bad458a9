// Deadlocks and hangs that did happen, by the wait-for graph of Holt ("Some deadlock
// properties of computer systems", Computing Surveys 1972): the state of the threads blocked
// at the end of the trace (the watchdog's kBlocked/kHolds records, else the requests and
// waits still open).
// A wait-for cycle among lock waiters is a deadlock; a thread blocked on a condition
// variable, a join or a semaphore and not in such a cycle is a hang, together with the
// threads waiting for locks it holds. Cost: O(blocked threads^2) once, at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

struct BlockedThread {
  uint32_t tid = 0;
  Pending::Kind on = Pending::kNone;
  uint64_t obj = 0;
  SideRef where;       // the request or wait, when traced
  bool has_where = false;
  bool destroying = false;  // on == kCond: inside the condition variable's destroy
  bool timed = false;       // a timed request or wait: it ends by itself
  bool exclusive = true;    // on == kFileLock: an exclusive request
  // on == kProcess: 1 + the index of the process waited for, when it is in the recording and
  // each of its threads is blocked or gone (else 0: it may yet end, and no edge is made).
  uint32_t process = 0;
  // on == kPipe: a readiness wait's other ends (poll, select, epoll_wait), any of which
  // wakes it, beside obj.
  std::vector<uint64_t> also;
};

struct HeldBy {
  uint32_t tid = 0;
  uint64_t lock = 0;
  SideRef acquired;    // where the holder took it, when traced
  bool has_acquired = false;
  bool shared = false;  // a shared hold (a file lock's; other locks' holders conflict)
  // A file lock of the holder's process (fcntl, lockf): it keeps out other processes' threads
  // only.
  bool process = false;
  // A file lock of part of the file: ranges are not told apart, so it keeps out no wait for
  // sure, and makes no wait-for edge.
  bool range = false;
};

// The side a blocked thread shows in a finding: where it waits, on what.
SideRef BlockedSide(const BlockedThread& b);

// `recursive(lock)` tells whether re-locking is allowed (else: self-deadlock). Hangs are
// reported only when `nobody_running`: a thread still running at the end could yet wake the
// waiters (the trace may just have been cut), so they are not called hung then. The caller
// passes false as well when the program ended on its own: its waiters were idle. A thread
// waiting (join or lock) on a thread of a deadlock, self-deadlock or hang is part of that
// finding (`waiters` of a (self-)deadlock, a further side of a hang), never a finding of
// its own; `accounted` receives every blocked tid some finding explains.
std::vector<RawFinding> FindBlocked(const std::vector<BlockedThread>& blocked,
                                    const std::vector<HeldBy>& holds,
                                    const std::function<bool(uint64_t)>& recursive,
                                    bool nobody_running,
                                    std::set<uint32_t>* accounted = nullptr);

}  // namespace threadlens::analysis
