// Lock state machine, with the usage checks of the Linux kernel's lock validator (lockdep,
// Molnar 2006) and Helgrind: who holds each lock, and the findings that come straight from it —
// misuse (unlock of a lock not held, unlock by a non-owner, read-unlock of a write hold, lock
// held at thread exit, destroy of a locked lock, lock of a destroyed lock), self-deadlock (a
// thread requests a non-recursive lock it holds), and the contention profile (acquisitions,
// contended ones, wait and hold times) with timeline spans.
//
// Cost: O(locks held by the thread) per lock event. Memory: one record per lock, plus the
// spans kept for timelines (capped).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

struct LockState {
  uint16_t type = 0xffff;       // trace::LockType
  uint32_t owner = 0;           // tid of the exclusive holder
  bool owned = false;
  uint32_t owner_depth = 0;
  std::vector<uint32_t> readers;  // tids holding it shared (with repetition for recursion)
  bool destroyed = false;
  SideRef owner_acquire;        // the exclusive holder's acquisition
  SideRef first_acquire;        // for a readable name when none was given
  bool acquired_ever = false;
  ContentionStats stats;
};

// Ends the thread's pending lock request: the request it interrupted, if any, is pending again.
void EndPendingRequest(ThreadCtx& t);

struct RawSpan {
  uint32_t tid;
  uint64_t obj;
  uint8_t kind;  // 0 hold, 1 wait, 2 hold-shared, 3 cond-wait, 4 join, 5 sem-wait,
                 // 6 futex-wait
  uint64_t begin, end;
};

class LockMonitor {
 public:
  LockMonitor(size_t max_misuse, size_t max_spans, double ns_per_tick)
      : max_misuse_(max_misuse), max_spans_(max_spans), ns_per_tick_(ns_per_tick) {}

  LockState& State(uint64_t lock) { return locks_[lock]; }
  const std::unordered_map<uint64_t, LockState>& Locks() const { return locks_; }

  // Removes `lock` from thread `tid`'s holds, returning the hold (nullopt when none); the
  // driver supplies it because it owns the per-thread state.
  using HoldDropper = std::function<std::optional<Held>(uint32_t tid, uint64_t lock)>;
  void SetHoldDropper(HoldDropper drop) { drop_hold_ = std::move(drop); }
  // Told of each lock's first acquisition (`side`), for what names it.
  using FirstTaken = std::function<void(const SideRef& side)>;
  void SetFirstTaken(FirstTaken f) { first_taken_ = std::move(f); }

  // A lock created (or announced at its first use) after a destroy is a new lock at the same
  // memory: a std::shared_mutex is destroyed but never initialised by a call.
  void OnCreate(uint64_t lock, uint16_t type);
  // A lock attempt that failed (`failed`: not by a timeout); on a destroyed lock, misuse.
  void OnTryFailed(const SideRef& side, bool failed);
  // Returns true when the request is a self-deadlock (already reported).
  bool OnRequest(ThreadCtx& t, const SideRef& side, uint8_t flags);
  // Returns false when this is a re-entry of a lock `t` already holds (no new hold).
  // `rounds`: later rounds of a poll through the lock the record stands for.
  bool OnAcquired(ThreadCtx& t, const SideRef& side, bool shared, uint8_t flags,
                  uint32_t rounds = 0);
  // Returns true when the release ended a hold of the lock: `t`'s (depth reached zero), or
  // the owner's when `t` unlocked a lock it does not hold and the unlock did not fail
  // (`failed`): the lock is then free, as it is in the program. `rounds_held_us`: how long
  // the rounds counted on the hold's acquisition held the lock.
  bool OnRelease(ThreadCtx& t, const SideRef& side, bool shared, bool* was_shared,
                 bool failed = false, uint32_t rounds_held_us = 0);
  void OnDestroy(ThreadCtx& t, const SideRef& side);
  void OnThreadExit(ThreadCtx& t, const SideRef& side);
  // Closes open spans at the end of the trace.
  void Finish(uint64_t end_ts);

  // A misuse found elsewhere (thread lifecycle), under the same cap as the monitor's own.
  void AddMisuse(RawFinding f);
  std::vector<RawFinding> TakeFindings();  // misuse, self-deadlock, contention
  std::vector<RawSpan>& Spans() { return spans_; }
  // A wait that is not a lock's (kind 3 condition wait, 4 join, 5 semaphore wait), within
  // the span budget.
  void AddWaitSpan(uint32_t tid, uint64_t obj, uint8_t kind, uint64_t begin, uint64_t end) {
    AddSpan(tid, obj, kind, begin, end);
  }
  bool spans_truncated() const { return spans_truncated_; }
  bool misuse_truncated() const { return misuse_truncated_; }
  // The tids holding `lock` right now (exclusive owner or readers).
  std::vector<uint32_t> Holders(uint64_t lock) const;
  // The locks in [base, base + size) acquired so far (of the first kTakenKept locks), by
  // address: f(lock, state).
  template <typename F>
  void ForEachTakenIn(uint64_t base, uint64_t size, F f) const {
    for (auto it = taken_.lower_bound(base); it != taken_.end() && *it - base < size; ++it) {
      f(*it, locks_.at(*it));
    }
  }
  static constexpr size_t kTakenKept = 1u << 16;
  // Self-deadlock already reported for (tid, lock)?
  bool SelfDeadlockReported(uint32_t tid, uint64_t lock) const {
    return self_reported_.count({tid, lock}) != 0;
  }
  void ReportSelfDeadlock(const ThreadCtx& t, const SideRef& request, const SideRef& acquired);

 private:
  void Misuse(const char* subkind, const SideRef& side, uint64_t lock,
              std::vector<SideRef> extra = {});
  bool ReleaseForOwner(const SideRef& side, LockState& st, bool* was_shared);
  void CheckDestroyed(const SideRef& side, LockState& st);
  void AddSpan(uint32_t tid, uint64_t obj, uint8_t kind, uint64_t begin, uint64_t end);

  std::unordered_map<uint64_t, LockState> locks_;
  std::set<uint64_t> taken_;  // ForEachTakenIn
  HoldDropper drop_hold_;
  FirstTaken first_taken_;
  std::vector<RawFinding> findings_;
  std::set<std::tuple<std::string, uint64_t, uint64_t>> misuse_seen_;  // subkind, lock, site
  std::set<std::pair<uint32_t, uint64_t>> self_reported_;
  std::vector<RawSpan> spans_;
  size_t max_misuse_, max_spans_;
  size_t misuse_count_ = 0;
  double ns_per_tick_;
  bool spans_truncated_ = false;
  bool misuse_truncated_ = false;
};

}  // namespace threadlens::analysis
