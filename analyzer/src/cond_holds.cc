// Locks held across a condition wait (see cond_holds.h).
#include "cond_holds.h"

namespace threadlens::analysis {

void CondHoldDetector::Remember(std::vector<SideRef>& per_thread, const SideRef& side,
                                bool keep_last) {
  for (SideRef& s : per_thread) {
    if (s.tid != side.tid) continue;
    if (keep_last) s = side;
    return;
  }
  if (per_thread.size() < kMaxThreadsPerObject) per_thread.push_back(side);
}

void CondHoldDetector::OnAcquired(const ThreadCtx& t, const SideRef& side) {
  std::vector<Taker>& per_thread = takers_[side.obj];
  for (const Taker& a : per_thread) {
    if (a.side.tid == side.tid) return;
  }
  if (per_thread.size() >= kMaxThreadsPerObject) return;
  Taker a{side};
  if (t.fork_join && t.fj_slot != ~0u) {
    a.fj_slot = t.fj_slot;
    a.fj_epoch = t.fork_join->Get(t.fj_slot);
  }
  per_thread.push_back(a);
}

void CondHoldDetector::OnNotify(const SideRef& side) {
  Remember(notifiers_[side.obj], side, true);
}

void CondHoldDetector::OnWaitHolding(const ThreadCtx& t, const SideRef& wait, bool timed) {
  for (const Held& h : t.held) {
    if (!seen_.insert({wait.obj, h.lock, wait.site}).second) continue;
    if (candidates_.size() >= max_reports_) {
      truncated_ = true;
      return;
    }
    SideRef held = h.acquired;
    held.obj = h.lock;
    candidates_.push_back({wait, held, timed, t.fork_join});
  }
}

std::vector<RawFinding> CondHoldDetector::TakeFindings() {
  std::vector<RawFinding> out;
  for (const Candidate& c : candidates_) {
    const uint64_t lock = c.held.obj;
    auto takers = takers_.find(lock);
    if (takers == takers_.end()) continue;
    const SideRef* other = nullptr;       // another thread that takes the lock
    const SideRef* notify = nullptr;      // ... and notifies the condition variable after
    auto notifiers = notifiers_.find(c.wait.obj);
    for (const Taker& taker : takers->second) {
      const SideRef& a = taker.side;
      if (a.tid == c.wait.tid || BeforeTheWaiter(taker, c)) continue;
      if (!other) other = &a;
      if (notifiers == notifiers_.end()) continue;
      for (const SideRef& n : notifiers->second) {
        if (n.tid == a.tid && a.index < n.index) {
          other = &a;
          notify = &n;
          break;
        }
      }
      if (notify) break;
    }
    if (!other) continue;
    // Another notifier that never needed the lock before notifying could wake the waiter
    // while the first stalls (each thread of APR's condition test signals under a mutex of
    // its own): a stall, not a certain lockout.
    bool other_waker = false;
    if (notify) {
      for (const SideRef& n : notifiers->second) {
        if (n.tid == c.wait.tid) continue;
        bool needs = false;
        for (const Taker& a : takers->second) {
          needs |= a.side.tid == n.tid && a.side.index < n.index && !BeforeTheWaiter(a, c);
        }
        other_waker |= !needs;
      }
    }
    RawFinding f;
    f.kind = "misuse";
    f.subkind = "wait-holding-lock";
    f.severity = notify && !c.timed && !other_waker ? Severity::kError : Severity::kWarning;
    f.sides = {c.wait, c.held, *other};
    if (notify) f.sides.push_back(*notify);
    f.locks = {lock};
    f.tids = {c.wait.tid, other->tid};
    f.sort_key = c.wait.index;
    out.push_back(std::move(f));
  }
  candidates_.clear();
  return out;
}

}  // namespace threadlens::analysis
