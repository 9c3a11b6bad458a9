// Sync-preserving closure: the smallest set of events that contains given events and is closed
// under thread order, fork and join, reads-from (and the other links of predict_trace.h), and
// sync-preservation: when two critical sections of a lock both have their acquire in the set,
// the earlier one's release is in it too, so critical sections keep their observed order.
// This is the closure of SyncP (Mathur, Pavlogiannis & Viswanathan, "Optimal Prediction of
// Synchronization-Preserving Races", POPL 2021) and of SPD (Tunç, Mathur, Pavlogiannis &
// Viswanathan, "Sound Dynamic Deadlock Prediction in Linear Time", POPL 2023).
//
// A set closed under thread order is a prefix of every thread, so the set is a vector
// timestamp: Frontier()[t] events of thread t. The linearization of such a closed set in trace
// order is a correct reordering of the trace (program order, lock semantics and reads-from
// kept); this is what makes a prediction's witness.
//
// Incremental, as the papers' algorithms are: Include() only grows the set, and Close() does
// the work the growth requires, each event once, plus one pass over a lock's threads each time
// a new acquisition of it enters. Over any sequence of growing calls the cost is
// O(events + acquisitions x threads per lock) in all. Reset() costs the threads and locks the
// last use touched.
#pragma once

#include <cstdint>
#include <vector>

#include "predict_trace.h"

namespace threadlens::analysis {

class SyncClosure {
 public:
  explicit SyncClosure(const PredictTrace& trace);

  void Reset();
  // Adds the first `count` events of `thread` (and, after Close, what they need).
  void Include(uint32_t thread, uint32_t count);
  // Adds event `id` and its thread predecessors.
  void IncludeEvent(uint32_t id) {
    const auto& h = trace_.HotOf(id);
    Include(h.thread, h.pos + 1);
  }
  // Adds what must run before event `id`, not `id` itself: its thread's earlier events and, for
  // a thread's first event, the creation of the thread.
  void IncludeBefore(uint32_t id);
  // Adds a set already closed (the Frontier() of an earlier closure): its events need no
  // processing, only the lock rules of the union; Close() then applies them.
  void IncludeClosed(const uint32_t* closed, size_t n);
  void IncludeClosed(const std::vector<uint32_t>& closed) {
    IncludeClosed(closed.data(), closed.size());
  }
  // Grows the set to its closure.
  void Close();
  bool Contains(uint32_t id) const {
    const auto& h = trace_.HotOf(id);
    return frontier_[h.thread] > h.pos;
  }
  const std::vector<uint32_t>& Frontier() const { return frontier_; }
  // Events processed and lock rules applied since construction: the work done, for budgets.
  uint64_t work() const { return work_; }
  // The set's events in trace order.
  std::vector<uint32_t> Linearize() const;

 private:
  void Process(uint32_t id);
  void SyncRule(uint32_t lock_index);

  const PredictTrace& trace_;
  std::vector<uint32_t> frontier_, done_;
  std::vector<uint32_t> dirty_threads_, touched_threads_;
  std::vector<uint8_t> thread_dirty_, thread_touched_;
  std::vector<uint32_t> dirty_locks_;
  std::vector<uint8_t> lock_dirty_;
  uint64_t work_ = 0;
};

// The events of each thread t from position from[t] (0 when `from` is shorter) up to to[t], in
// trace order: one pass over the span of the trace they lie in when they are dense in it,
// else sorted (O(min(span, events x log events))).
std::vector<uint32_t> MergeThreads(const PredictTrace& trace, const std::vector<uint32_t>& from,
                                   const std::vector<uint32_t>& to);

}  // namespace threadlens::analysis
