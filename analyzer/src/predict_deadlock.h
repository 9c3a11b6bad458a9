// Sound deadlock prediction: sync-preserving deadlocks (SPD; Tunç, Mathur, Pavlogiannis &
// Viswanathan, "Sound Dynamic Deadlock Prediction in Linear Time", POPL 2023).
//
// A deadlock pattern is a sequence of acquire events e_0..e_{k-1} of distinct threads, where
// e_i takes lock l_i while its thread holds l_{i-1} (indices mod k), and the locks held at the
// e_i are pairwise disjoint (no gate lock). It is a sync-preserving deadlock when the
// sync-preserving closure (predict_closure.h) of the thread predecessors of e_0..e_{k-1}
// contains none of the e_i: the closure, run in trace order, then leaves each thread i just
// before e_i, holding l_{i-1} while requesting l_i: all k threads are blocked. That closure
// and the k requests are the witness.
//
// The patterns of one lock-order cycle are grouped by abstract acquire (thread, lock, held
// locks); for each choice of abstract acquires the concrete ones are tried in trace order with
// one pointer per edge, and an e_i found inside the closure is never needed again (the closure
// only grows as the pointers move). So one choice costs one closure over the trace, as in the
// paper's SPDOffline. Cost: O(choices x (events + acquisitions x threads per lock)), bounded
// by a work budget.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "predict_closure.h"
#include "predict_trace.h"

namespace threadlens::analysis {

struct DeadlockWitness {
  std::vector<uint32_t> pattern;   // e_0..e_{k-1}, one per cycle edge
  std::vector<uint32_t> held;      // per edge, the acquisition of the lock held at e_i
  std::vector<uint32_t> schedule;  // the closure in trace order
};

class DeadlockPredictor {
 public:
  explicit DeadlockPredictor(const PredictTrace& trace) : trace_(trace), closure_(trace) {}

  enum class Verdict { kWitness, kNone, kUndecided };
  // `edges[i]` = (l_{i-1}, l_i): the cycle's lock-order edges, each taking `second` holding
  // `first`. `budget` is the closure work left (SyncClosure::work), shared across calls;
  // kUndecided when it ran out or a lock of the cycle is irregular (predict_trace.h).
  Verdict Find(const std::vector<std::pair<uint64_t, uint64_t>>& edges, uint64_t& budget,
               DeadlockWitness* witness);

 private:
  struct Group {
    uint32_t thread = 0;
    const std::vector<uint64_t>* held = nullptr;
    std::vector<uint32_t> ids;  // concrete acquires, trace order
  };
  // Tries one choice of abstract acquires: kWitness (and the witness) when a deadlock exists,
  // kUndecided when `budget` ran out first.
  Verdict Sweep(const std::vector<const Group*>& choice, uint64_t& budget,
                DeadlockWitness* witness);
  uint32_t HeldAcquire(uint32_t id, uint64_t lock) const;

  const PredictTrace& trace_;
  SyncClosure closure_;
  std::map<uint64_t, uint32_t> lock_index_;  // lock -> index into trace_.Locks()
  std::map<std::pair<uint64_t, uint64_t>, std::vector<Group>> groups_;  // per edge
};

}  // namespace threadlens::analysis
