// Replays a candidate schedule of a communication-deadlock prediction (predict_comm.h) against
// the trace model and says whether it is a real execution that ends with the whole program
// stuck. The searches build their schedules heuristically (they may move critical sections out
// of their observed order); this check is what makes the predictions sound:
//  - each thread's events run as a prefix of its own, in order, after its creation; a join
//    after the joined thread's last event;
//  - a lock is held by one thread at a time (read holds together), released by its holder;
//  - every read reads from the same write as in the trace (by granule on binary traces);
//  - a wake follows a notification of its condition variable sent after the waiter's
//    previous event (its release of the mutex as it began to wait); a pend follows the post
//    it needed in the trace;
//  - at the end every thread has run all its events, was never created, or is blocked: at an
//    acquisition of a lock another thread holds, at a wake with no notification since its wait
//    began, or at a join of a thread that has not ended.
// Cost: O(schedule + threads).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "predict_trace.h"

namespace threadlens::analysis {

struct StuckState {
  std::string error;              // empty when the schedule is valid and stuck
  std::vector<uint32_t> blocked;  // each blocked thread's next event, by thread
};

StuckState CheckStuck(const PredictTrace& trace, const std::vector<uint32_t>& schedule);

}  // namespace threadlens::analysis
