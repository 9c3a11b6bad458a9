// Communication deadlock prediction: reorderings of the run in which a condition wait never
// ends, each checked by replaying it (predict_stuck.h).
//
// Lost notifications. A wait woken by notification N: the notifier's thread runs through N and
// the end of the critical sections it is in, then the waiter runs to its wait, then every
// thread runs as far as it can without a new notification of that condition variable. When
// that is a real execution (the waiter's reads still read what they read, which a predicate
// checked under the mutex and set before N never does) that ends with every thread finished
// or blocked, the notification was lost and the program hangs.
//
// Deadlocks through a notification. A waiter that keeps locks while it sleeps blocks whoever
// needs them; when every thread that would notify it is blocked, directly or through a chain of
// lock requests, on a lock the waiter or another blocked thread holds, nobody moves. Patterns
// are chosen as in SPD (predict_deadlock.h) with a wait as one of the blocked events: the
// waiter's wake, one lock request per notifying thread (before its notification), and lock
// requests of other threads holding what those request, held locks pairwise disjoint, at most
// kMaxThreads threads. The sync-preserving closure of their predecessors must contain none of
// them nor any notification after the wait began; the other threads then run as far as they
// can, and the replay must end with all of them stuck.
//
// Cost: per candidate a few closures over the trace (one per thread and binary search step
// when extending), within the work budget shared with the other predictions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "predict_closure.h"
#include "predict_trace.h"

namespace threadlens::analysis {

struct CommWitness {
  bool lost = false;                      // a lost notification, else a deadlock through a wait
  uint32_t wake = 0;                      // the waiter's wake that never comes
  uint32_t notify = PredictTrace::kNone;  // lost: the notification moved before the wait
  std::vector<uint32_t> pattern;          // deadlock: the blocked events, the wake first
  std::vector<uint32_t> schedule;         // the reordering, in order
  std::vector<uint32_t> blocked;          // every blocked thread's next event at the end
};

class CommPredictor {
 public:
  static constexpr size_t kMaxThreads = 4;
  explicit CommPredictor(const PredictTrace& trace);

  using Found = std::function<void(const CommWitness&)>;
  // Each returns false when `budget` (closure work) ran out before it tried every candidate.
  bool FindLost(uint64_t& budget, const Found& found);
  bool FindCycles(uint64_t& budget, const Found& found);

 private:
  struct Group {  // acquisitions (or wakes) of one thread, object and held locks
    uint32_t thread = 0;
    uint64_t obj = 0;
    const std::vector<uint64_t>* held = nullptr;
    std::vector<uint32_t> ids;  // trace order
  };
  using Limits = std::vector<uint32_t>;  // per thread, the most events it may run
  // Limits of a wait that began at `begin` on `cv`: no thread may reach a notification of it
  // that follows `begin` in trace order, unless it is before `from`[thread] already.
  void NotifyLimits(uint64_t cv, uint32_t begin, const std::vector<uint32_t>* from,
                    Limits& limits) const;
  bool Within(const SyncClosure& c, const Limits& limits) const;
  // Lets every thread run as far as its limits and the closure allow.
  bool Extend(std::optional<SyncClosure>& c, const Limits& limits, uint64_t& budget);
  std::vector<uint32_t> Between(const std::vector<uint32_t>& from,
                                const std::vector<uint32_t>& to) const;
  bool TryPattern(const std::vector<const Group*>& choice, uint64_t& budget, CommWitness* out);

  const PredictTrace& trace_;
  std::map<uint64_t, std::vector<uint32_t>> notifies_;  // condition variable -> ids
  std::vector<Group> wakes_, acquires_;
};

}  // namespace threadlens::analysis
