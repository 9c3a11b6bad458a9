// Semaphore hang prediction: reorderings of the run in which a sem_wait that returned in the
// run blocks forever, each checked by replaying it (predict_stuck.h). Only semaphores whose
// initial count the trace records (PredictTrace::SemInitial) take part; with it, a wait can
// complete exactly when the initial count plus the posts before it exceeds the waits before it.
//
// For each wait W of thread w (latest first: the last of each wait site and semaphore, then up
// to 3 more per thread, site and semaphore) the search builds schedules in which w never gets
// past W, replaying the model one event at a time:
//  - waiter first: w runs up to W, other threads only when w cannot move (each step the
//    earliest of the trace that may run); then the others run, in trace order, as far as they
//    can;
//  - waiter late: every thread runs in trace order as far as it can, w only up to W.
// The schedule is a prediction when the replay ends with every thread finished or blocked and
// w blocked at W: the posts W needed were taken by other waits first, or the threads that
// would post are blocked themselves. When such a poster is blocked on a lock w holds while it
// waits, it is a deadlock through the wait; otherwise a hang.
//
// Cost: per candidate at most two replays of the trace, each O(events x threads), within the
// work budget.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "predict_trace.h"

namespace threadlens::analysis {

struct SemWitness {
  uint32_t wait = 0;                    // the waiter's pend that never completes
  uint32_t post = PredictTrace::kNone;  // the post it needed in the run (the last before it)
  // A deadlock: per poster blocked on a lock the waiter holds, its blocked acquisition.
  std::vector<uint32_t> posters;
  std::vector<uint32_t> schedule;  // the reordering, in order
  std::vector<uint32_t> blocked;   // every blocked thread's next event at the end
};

class SemPredictor {
 public:
  explicit SemPredictor(const PredictTrace& trace) : trace_(trace) {}
  using Found = std::function<void(const SemWitness&)>;
  // False when `budget` (replayed events) ran out before every candidate was tried.
  bool Find(uint64_t& budget, const Found& found);

 private:
  bool Try(uint32_t wait, bool waiter_first, uint64_t& budget, SemWitness* out) const;

  const PredictTrace& trace_;
};

}  // namespace threadlens::analysis
