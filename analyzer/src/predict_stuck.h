// Replays a candidate schedule of a communication-deadlock prediction (predict_comm.h,
// predict_sem.h) against the trace model and says whether it is a real execution that ends with
// the whole program stuck. The searches build their schedules heuristically (they may move
// critical sections out of their observed order); this check is what makes the predictions
// sound:
//  - each thread's events run as a prefix of its own, in order, after its creation; a join
//    after the joined thread's last event;
//  - a lock is held by one thread at a time (read holds together), released by its holder;
//  - every read reads from the same write as in the trace (by granule on binary traces);
//  - a wake follows a notification of its condition variable sent after the waiter's
//    previous event (its release of the mutex as it began to wait);
//  - a semaphore whose initial count is known: a wait takes one of its count (initial count
//    plus posts so far, minus waits so far), which must be positive; a failed try or timed
//    wait finds it zero. Its posts and waits come after its initialization, and none of a
//    generation after the next generation's initialization (which the replay places after the
//    initializing thread's events before it, at the latest before its next one). Other pends
//    follow the post they needed in the trace;
//  - at the end every thread has run all its events, was never created, or is blocked: at an
//    acquisition of a lock another thread holds, at a wake with no notification since its wait
//    began, at a sem_wait of a semaphore whose count is zero, or at a join of a thread that
//    has not ended.
// Cost: O(schedule + threads).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "predict_trace.h"

namespace threadlens::analysis {

struct StuckState {
  std::string error;              // empty when the schedule is valid and stuck
  std::vector<uint32_t> blocked;  // each blocked thread's next event, by thread
};

StuckState CheckStuck(const PredictTrace& trace, const std::vector<uint32_t>& schedule);

// The state of a replay, one event at a time: what CheckStuck runs, and what a search that
// builds its schedule step by step asks.
class Replay {
 public:
  explicit Replay(const PredictTrace& trace);
  // Why `id` cannot run next (nullptr when it can).
  const char* Check(uint32_t id) const;
  void Apply(uint32_t id);
  // The next event of `thread`, kNone when it ran all of them.
  uint32_t Next(uint32_t thread) const;
  uint32_t Ran(uint32_t thread) const { return next_[thread]; }
  // Whether `thread`, not finished, waits at its next event for what no thread did yet.
  bool Blocked(uint32_t thread) const;
  // The exclusive holder of `lock` (kNone when free).
  uint32_t Holder(uint64_t lock) const;
  int64_t SemCount(uint64_t key) const;

 private:
  struct LockState {
    uint32_t owner = PredictTrace::kNone;  // exclusive holder
    uint32_t depth = 0;                    // its re-entries
    uint32_t shared = 0;                   // read holds
  };
  bool Done(uint32_t id) const {
    const auto& h = trace_.HotOf(id);
    return next_[h.thread] > h.pos;
  }
  uint64_t Key(const PredictTrace::Event& e) const {
    return trace_.Granular() ? e.obj >> 3 : e.obj;
  }
  // The count of a semaphore with a known initial count (false for other keys).
  bool Count(uint64_t key, int64_t* count) const;
  // Why an event on generation `key` (known count) cannot run now, nullptr when it can.
  const char* Generation(uint64_t key) const;
  // Records that generation `key` began (its initialization is placed by now).
  void Begin(uint64_t key);

  const PredictTrace& trace_;
  std::vector<uint32_t> next_;
  std::vector<uint64_t> last_step_;  // step number of each thread's latest event
  std::unordered_map<uint64_t, LockState> locks_;
  std::unordered_map<uint64_t, uint32_t> last_write_;   // key -> write id
  std::unordered_map<uint64_t, uint64_t> last_notify_;  // condition variable -> step
  std::unordered_map<uint64_t, int64_t> sems_;          // key -> posts minus waits so far
  std::unordered_map<uint64_t, uint32_t> live_;         // semaphore -> generation begun
  // Per thread, the generations it initializes: (position, key), by position; and how many
  // of them are placed.
  std::vector<std::vector<std::pair<uint32_t, uint64_t>>> inits_;
  std::vector<uint32_t> placed_;
  uint64_t step_ = 0;
};

}  // namespace threadlens::analysis
