// Witnesses for race candidates that keeping every lock's order cannot prove (WCP candidates,
// predict_wcp.h): a schedule that may run critical sections in another order than observed.
//
// The events that must run before the two accesses are closed first: each thread's events
// before its access, a thread's creation, all of a joined thread, the writer each read reads
// from, the notification a wake-up needs, the post a pend needs (the links of predict_trace.h),
// but not the lock rule of the sync-preserving closure. Threads other than the two accesses'
// run on to the end of their open critical sections (closed again), when that leaves both
// accesses out. A section whose release is outside the set stays open at the end, so it must
// be the last of its lock.
//
// Before any search, each section that stays open is checked: what must run before it (its
// thread's earlier events, and the ends of its lock's other sections in the set, with what
// they need) must not need it (its thread from it on, and what depends on those); when it
// does, no schedule exists. Otherwise those events are the search's first choices.
//
// Then the set is scheduled: in trace order up to the first section that stays open (a
// correct reordering, as the trace is), the rest by a depth-first search whose only choices
// are lock acquisitions and writes (every other event only enables others, so it runs as soon
// as it can). A read runs only when its observed writer is the last write of its location, a
// write only when no read still due of the current last write is left, an acquisition only
// when the lock is free. The search stops after a number of steps proportional to what is left
// after the prefix, and within the caller's budget: it is sound and not complete.
//
// A schedule found is replayed by CheckRaceSchedule, which knows nothing of the search, before
// it is reported.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "flat_map.h"
#include "predict_trace.h"

namespace threadlens::analysis {

class ReorderSearch {
 public:
  explicit ReorderSearch(const PredictTrace& trace);

  enum class Result { kFound, kNone, kOutOfBudget };
  // A schedule after which `first` and `second` (accesses of two threads) are both the next
  // event of their thread. `budget`: steps, decremented.
  Result Find(uint32_t first, uint32_t second, uint64_t& budget, std::vector<uint32_t>* schedule);

 private:
  struct Done {
    uint32_t id;
    uint32_t prev;  // a write: the location's last writer before it; a release: its lock
  };
  // The set to schedule, as a count per thread. False when an access is inside it or it
  // holds an event this search does not model.
  bool Close(uint32_t first, uint32_t second, uint64_t& work);
  // `limit` (a count per thread) becomes the closure of the `seeds` (thread, count) under what
  // each event needs, grown from `limit` when `closed` (a set closed already), else from
  // nothing. False on an event this search does not model.
  bool Grow(std::vector<uint32_t>& limit, const std::vector<std::pair<uint32_t, uint32_t>>& seeds,
            uint64_t& work, bool closed = false) const;
  uint32_t UnitStart(uint32_t id) const;  // first part of the recorded event
  // Each section that stays open comes last on its lock: what the lock's other sections need
  // must not need it. False when that fails; else priority_ marks what must come first.
  bool OrderOpenSections(const std::vector<uint32_t>& order, uint64_t& work);
  bool Prepare();
  bool Scheduled(uint32_t id) const {
    const auto& h = trace_.HotOf(id);
    return cur_[h.thread] > h.pos;
  }
  bool InSet(uint32_t id) const {
    const auto& h = trace_.HotOf(id);
    return limit_[h.thread] > h.pos;
  }
  uint64_t KeyOf(uint32_t id) const {
    return trace_.Granular() ? trace_.Obj(id) >> 3 : trace_.Obj(id);
  }
  bool Try(uint32_t id);          // runs `id` when it can
  bool TryUnit(uint32_t thread);  // the thread's next recorded event, all its parts
  bool UnitSafe(uint32_t thread) const;
  void Undo(size_t mark);

  const PredictTrace& trace_;
  std::unordered_set<uint64_t> irregular_;  // locks whose sections this search does not model
  std::vector<uint32_t> limit_, cur_, holder_, remaining_;
  std::vector<uint32_t> open_;      // acquisitions in the set whose release is not
  std::vector<uint32_t> priority_;  // per thread: events before this count go first
  std::vector<Done> log_;
  uint64_t tries_ = 0;             // events tried, run or not: the search's work
  FlatMap<uint32_t> last_write_;   // location -> its last write so far
  FlatMap<uint32_t> readers_due_;  // writer -> its reads still to run
  FlatMap<uint32_t> initial_due_;  // location -> reads of its initial value still to run
  std::unordered_map<uint32_t, std::vector<uint32_t>> notify_after_;  // notify -> waiters' steps
  FlatMap<uint32_t> release_lock_;  // release in the set -> its lock
};

// Replays `schedule` then the two accesses: each thread runs a prefix of its own events in
// order, after its creation; a join after the joined thread's last event; no acquisition of a
// lock another thread holds, no release of one not held; every read reads from its observed
// writer; a wake-up after a notification sent since its thread's previous step; a pend after
// its post. Then `first` and `second` are the next events of two threads, accesses of one
// address, at least one a write, not both atomic.
bool CheckRaceSchedule(const PredictTrace& trace, const std::vector<uint32_t>& schedule,
                       uint32_t first, uint32_t second);

}  // namespace threadlens::analysis
