// Locks held across a condition wait: the nested monitor lockout (Lister, "The problem of
// nested monitor calls", Operating Systems Review 1977). A thread that waits on a
// condition variable releases only the wait's mutex; every other lock it holds stays held
// until it is woken. A thread that needs such a lock stalls meanwhile, and when the thread
// that would send the wake-up needs it first, neither ever moves: a deadlock that no lock
// order shows, because the second edge is a notification, not a lock.
//
// Reported per (condition variable, held lock, wait site):
//  - error: a thread that notifies the condition variable takes the held lock before one of
//    its notifications (in its program order), every other notifier does too, and the wait
//    is untimed;
//  - warning: another thread takes the held lock (it stalls while the waiter sleeps), or the
//    error pattern with a timed wait (it ends, late), or with another notifier that needs
//    no held lock (it can send the wake-up).
// A lock no other thread takes is not reported, nor one other threads only try (a try-lock
// fails instead of stalling), nor one taken only where creations and joins order it before
// the waiter started (no schedule lets the waiter hold it first).
//
// Cost: O(locks held) per condition wait, O(1) per acquisition and notification. Memory: the
// first acquisition of each lock by up to kMaxThreadsPerObject threads, the last notification
// of each condition variable by as many, and one record per distinct wait-holding pattern.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

class CondHoldDetector {
 public:
  explicit CondHoldDetector(size_t max_reports) : max_reports_(max_reports) {}

  // Thread `t` took `side.obj` (not a re-entry, nor a try-lock: it never stalls).
  void OnAcquired(const ThreadCtx& t, const SideRef& side);
  // A notify or broadcast of the condition variable `side.obj`.
  void OnNotify(const SideRef& side);
  // `t` has released the wait's mutex inside a wait on `wait.obj` and still holds t.held.
  void OnWaitHolding(const ThreadCtx& t, const SideRef& wait, bool timed);

  std::vector<RawFinding> TakeFindings();
  bool truncated() const { return truncated_; }

 private:
  static constexpr size_t kMaxThreadsPerObject = 8;
  struct Candidate {
    SideRef wait;
    SideRef held;  // the waiter's acquisition of the held lock
    bool timed = false;
    std::shared_ptr<const VectorClock> fork_join;  // the waiter's, at the wait
  };
  // A thread's first acquisition of a lock, with its fork/join epoch then.
  struct Taker {
    SideRef side;
    uint32_t fj_slot = ~0u, fj_epoch = 0;
  };
  static void Remember(std::vector<SideRef>& per_thread, const SideRef& side, bool keep_last);
  // The acquisition came before the waiting thread's start by creations and joins alone
  // (the waiter's creator took the lock before creating it): no schedule has it wait first.
  static bool BeforeTheWaiter(const Taker& a, const Candidate& c) {
    return a.fj_slot != ~0u && c.fork_join && a.fj_epoch <= c.fork_join->Get(a.fj_slot);
  }

  size_t max_reports_;
  bool truncated_ = false;
  std::unordered_map<uint64_t, std::vector<Taker>> takers_;       // lock -> first acquisitions
  std::unordered_map<uint64_t, std::vector<SideRef>> notifiers_;  // cv -> last notifications
  std::vector<Candidate> candidates_;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> seen_;  // cv, lock, wait site
};

}  // namespace threadlens::analysis
