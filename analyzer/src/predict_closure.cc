// Sync-preserving closure as a worklist over per-thread frontiers (see predict_closure.h).
#include "predict_closure.h"

#include <algorithm>

namespace threadlens::analysis {

using Op = PredictTrace::Op;

SyncClosure::SyncClosure(const PredictTrace& trace)
    : trace_(trace),
      frontier_(trace.threads(), 0),
      done_(trace.threads(), 0),
      thread_dirty_(trace.threads(), 0),
      thread_touched_(trace.threads(), 0),
      lock_dirty_(trace.Locks().size(), 0) {}

void SyncClosure::Reset() {
  for (uint32_t t : touched_threads_) {
    frontier_[t] = done_[t] = 0;
    thread_dirty_[t] = thread_touched_[t] = 0;
  }
  touched_threads_.clear();
  dirty_threads_.clear();
  for (uint32_t l : dirty_locks_) lock_dirty_[l] = 0;
  dirty_locks_.clear();
}

void SyncClosure::Include(uint32_t thread, uint32_t count) {
  if (thread >= frontier_.size()) return;
  const auto& ids = trace_.OfThread(thread);
  count = std::min<uint32_t>(count, static_cast<uint32_t>(ids.size()));
  if (count <= frontier_[thread]) return;
  // One event of the trace recorded as several (an access split by granule, a read-modify-write)
  // is in the set whole.
  while (count < ids.size() && trace_.IndexLow(ids[count]) == trace_.IndexLow(ids[count - 1])) {
    ++count;
  }
  frontier_[thread] = count;
  if (!thread_touched_[thread]) {
    thread_touched_[thread] = 1;
    touched_threads_.push_back(thread);
  }
  if (!thread_dirty_[thread]) {
    thread_dirty_[thread] = 1;
    dirty_threads_.push_back(thread);
  }
}

void SyncClosure::IncludeClosed(const uint32_t* closed, size_t n) {
  bool grew = false;
  for (uint32_t t = 0; t < n && t < frontier_.size(); ++t) {
    if (closed[t] <= frontier_[t]) continue;
    // The new events' own needs (thread order, forks, reads-from) are in `closed` already;
    // only what was in the set before may need processing, and it is done below.
    if (done_[t] < frontier_[t]) {  // not processed yet: Close() goes through all of it
      Include(t, closed[t]);
      continue;
    }
    frontier_[t] = done_[t] = closed[t];
    grew = true;
    if (!thread_touched_[t]) {
      thread_touched_[t] = 1;
      touched_threads_.push_back(t);
    }
  }
  if (!grew) return;
  // Two closed sets' union breaks no rule but the locks' order: check every lock again.
  for (uint32_t l = 0; l < lock_dirty_.size(); ++l) {
    if (!lock_dirty_[l]) {
      lock_dirty_[l] = 1;
      dirty_locks_.push_back(l);
    }
  }
}

void SyncClosure::IncludeBefore(uint32_t id) {
  const auto& h = trace_.HotOf(id);
  const auto& ids = trace_.OfThread(h.thread);
  uint32_t pos = h.pos;
  while (pos > 0 && trace_.IndexLow(ids[pos - 1]) == trace_.IndexLow(id)) --pos;
  Include(h.thread, pos);
  if (uint32_t f = trace_.ForkOf(h.thread); f != PredictTrace::kNone) IncludeEvent(f);
}

void SyncClosure::Process(uint32_t id) {
  const PredictTrace::Hot& h = trace_.HotOf(id);
  switch (h.op) {
    case Op::kAcquire:
      if (h.aux != PredictTrace::kNone && !lock_dirty_[h.aux]) {
        lock_dirty_[h.aux] = 1;
        dirty_locks_.push_back(h.aux);
      }
      break;
    case Op::kJoin:
      if (h.aux != PredictTrace::kNone) {
        Include(h.aux, static_cast<uint32_t>(trace_.OfThread(h.aux).size()));
      }
      break;
    case Op::kRead:
    case Op::kWrite:
    case Op::kWake:
    case Op::kPost:
    case Op::kPend:
    case Op::kTryFail:
      if (h.link != PredictTrace::kNone) IncludeEvent(h.link);
      break;
    default:
      break;
  }
}

// Every acquisition of the lock in the set but the latest (in trace order) has its release in
// the set. Per thread only its last acquisition in the set matters: earlier ones released
// before it in program order.
void SyncClosure::SyncRule(uint32_t lock_index) {
  const auto& lock = trace_.Locks()[lock_index];
  uint32_t latest = PredictTrace::kNone;
  auto last_in_set = [&](const PredictTrace::ThreadAcquires& a) -> uint32_t {
    const uint32_t f = frontier_[a.thread];
    auto it = std::partition_point(a.ids.begin(), a.ids.end(),
                                   [&](uint32_t id) { return trace_.Pos(id) < f; });
    return it == a.ids.begin() ? PredictTrace::kNone : *(it - 1);
  };
  for (const auto& a : lock.by_thread) {
    uint32_t id = last_in_set(a);
    if (id != PredictTrace::kNone && (latest == PredictTrace::kNone || id > latest)) latest = id;
  }
  for (const auto& a : lock.by_thread) {
    uint32_t id = last_in_set(a);
    if (id == PredictTrace::kNone || id == latest) continue;
    uint32_t rel = trace_.Link(id);
    // Never released, yet another acquisition followed: an inconsistent trace. The whole
    // thread keeps the order, whatever it was.
    if (rel == PredictTrace::kNone) {
      Include(a.thread, static_cast<uint32_t>(trace_.OfThread(a.thread).size()));
    } else {
      IncludeEvent(rel);
    }
  }
}

void SyncClosure::Close() {
  while (!dirty_threads_.empty() || !dirty_locks_.empty()) {
    while (!dirty_threads_.empty()) {
      uint32_t t = dirty_threads_.back();
      dirty_threads_.pop_back();
      thread_dirty_[t] = 0;
      const auto& ids = trace_.OfThread(t);
      if (done_[t] == 0 && frontier_[t] > 0) {
        if (uint32_t f = trace_.ForkOf(t); f != PredictTrace::kNone) IncludeEvent(f);
      }
      // frontier_[t] may grow while this runs (a read of the thread's own write): re-read it.
      while (done_[t] < frontier_[t]) {
        Process(ids[done_[t]++]);
        ++work_;
      }
    }
    while (!dirty_locks_.empty() && dirty_threads_.empty()) {
      uint32_t l = dirty_locks_.back();
      dirty_locks_.pop_back();
      lock_dirty_[l] = 0;
      SyncRule(l);
      work_ += trace_.Locks()[l].by_thread.size();
    }
  }
}

std::vector<uint32_t> SyncClosure::Linearize() const { return MergeThreads(trace_, {}, frontier_); }

std::vector<uint32_t> MergeThreads(const PredictTrace& trace, const std::vector<uint32_t>& from,
                                   const std::vector<uint32_t>& to) {
  size_t count = 0;
  uint32_t lo = ~0u, hi = 0;  // the span of trace positions the events lie in
  for (uint32_t t = 0; t < to.size(); ++t) {
    const uint32_t begin = t < from.size() ? from[t] : 0;
    if (begin >= to[t]) continue;
    const auto& ids = trace.OfThread(t);
    count += to[t] - begin;
    lo = std::min(lo, ids[begin]);
    hi = std::max(hi, ids[to[t] - 1] + 1);
  }
  std::vector<uint32_t> out;
  if (count == 0) return out;
  out.reserve(count);
  if (count > (hi - lo) / 16) {  // a dense set: one pass over its span beats sorting it
    for (uint32_t id = lo; id < hi; ++id) {
      const PredictTrace::Hot& h = trace.HotOf(id);
      const uint32_t begin = h.thread < from.size() ? from[h.thread] : 0;
      if (h.thread < to.size() && h.pos >= begin && h.pos < to[h.thread]) out.push_back(id);
    }
    return out;
  }
  for (uint32_t t = 0; t < to.size(); ++t) {
    const uint32_t begin = t < from.size() ? from[t] : 0;
    if (begin >= to[t]) continue;
    const auto& ids = trace.OfThread(t);
    out.insert(out.end(), ids.begin() + begin, ids.begin() + to[t]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace threadlens::analysis
