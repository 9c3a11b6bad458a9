// Schedules that may reorder critical sections (see predict_schedule.h).
#include "predict_schedule.h"

#include <algorithm>

namespace threadlens::analysis {

using Op = PredictTrace::Op;
namespace {
constexpr uint32_t kNone = PredictTrace::kNone;
}  // namespace

ReorderSearch::ReorderSearch(const PredictTrace& trace) : trace_(trace) {
  for (const auto& l : trace.Locks()) {
    if (l.irregular) irregular_.insert(l.lock);
  }
}

bool ReorderSearch::Grow(std::vector<uint32_t>& limit,
                         const std::vector<std::pair<uint32_t, uint32_t>>& seeds, uint64_t& work,
                         bool closed) const {
  const uint32_t n = trace_.threads();
  if (!closed) limit.assign(n, 0);
  std::vector<uint32_t> done = limit, dirty;  // a closed set's events need no processing
  auto include = [&](uint32_t t, uint32_t count) {
    const auto& ids = trace_.OfThread(t);
    count = std::min<uint32_t>(count, static_cast<uint32_t>(ids.size()));
    if (count <= limit[t]) return;
    // A recorded event split in parts (granules, a read-modify-write) is in whole.
    while (count < ids.size() && trace_.IndexLow(ids[count]) == trace_.IndexLow(ids[count - 1]))
      ++count;
    limit[t] = count;
    dirty.push_back(t);
  };
  auto include_event = [&](uint32_t id) {
    include(trace_.HotOf(id).thread, trace_.HotOf(id).pos + 1);
  };
  for (const auto& [t, count] : seeds) include(t, count);
  while (!dirty.empty()) {
    const uint32_t t = dirty.back();
    dirty.pop_back();
    const auto& ids = trace_.OfThread(t);
    if (done[t] == 0 && limit[t] > 0) {
      if (uint32_t f = trace_.ForkOf(t); f != kNone) include_event(f);
    }
    while (done[t] < limit[t]) {
      const uint32_t id = ids[done[t]++];
      ++work;
      const auto& h = trace_.HotOf(id);
      switch (h.op) {
        case Op::kJoin:
          if (h.aux != kNone) include(h.aux, static_cast<uint32_t>(trace_.OfThread(h.aux).size()));
          break;
        case Op::kAcquire:
        case Op::kRelease:
          break;
        case Op::kTryFail:
          return false;  // would need the lock held at that point: not modelled
        case Op::kWake:
          if (h.link == kNone) return false;  // no notification to wake it
          include_event(h.link);
          break;
        default:
          if (h.link != kNone) include_event(h.link);
          break;
      }
    }
  }
  return true;
}

uint32_t ReorderSearch::UnitStart(uint32_t id) const {
  const auto& ids = trace_.OfThread(trace_.HotOf(id).thread);
  uint32_t pos = trace_.HotOf(id).pos;
  while (pos > 0 && trace_.IndexLow(ids[pos - 1]) == trace_.IndexLow(id)) --pos;
  return pos;
}

bool ReorderSearch::Close(uint32_t first, uint32_t second, uint64_t& work) {
  std::vector<std::pair<uint32_t, uint32_t>> seeds;
  for (uint32_t e : {first, second}) {
    seeds.push_back({trace_.HotOf(e).thread, UnitStart(e)});
    if (uint32_t f = trace_.ForkOf(trace_.HotOf(e).thread); f != kNone) {
      seeds.push_back({trace_.HotOf(f).thread, trace_.HotOf(f).pos + 1});
    }
  }
  if (!Grow(limit_, seeds, work)) return false;
  auto excludes_accesses = [&](const std::vector<uint32_t>& limit) {
    for (uint32_t e : {first, second}) {
      if (limit[trace_.HotOf(e).thread] != UnitStart(e)) return false;
    }
    return true;
  };
  if (!excludes_accesses(limit_)) return false;  // an access must run before the other
  // Other threads may run on to the end of their open sections: then only the two accesses'
  // threads hold locks at the end. Kept when that leaves both accesses out.
  const uint32_t t1 = trace_.HotOf(first).thread, t2 = trace_.HotOf(second).thread;
  std::vector<uint32_t> grown = limit_;
  for (int round = 0; round < 8; ++round) {
    seeds.clear();
    for (uint32_t t = 0; t < trace_.threads(); ++t) {
      if (grown[t] == 0 || t == t1 || t == t2) continue;
      const auto& ids = trace_.OfThread(t);
      for (uint32_t p = 0; p < grown[t]; ++p) {
        ++work;
        const uint32_t rel = trace_.Link(ids[p]);
        if (trace_.LockIndex(ids[p]) == kNone || rel == kNone) continue;
        if (trace_.HotOf(rel).pos >= grown[t]) seeds.push_back({t, trace_.HotOf(rel).pos + 1});
      }
    }
    std::vector<uint32_t> next = grown;
    if (!Grow(next, seeds, work, true) || !excludes_accesses(next)) return true;
    if (next == grown) break;
    grown = std::move(next);
  }
  limit_ = std::move(grown);
  return true;
}

bool ReorderSearch::OrderOpenSections(const std::vector<uint32_t>& order, uint64_t& work) {
  const uint32_t n = trace_.threads();
  priority_.assign(n, 0);
  std::vector<uint32_t> before, after(n);
  std::vector<std::pair<uint32_t, uint32_t>> seeds;
  for (uint32_t a : open_) {
    const auto& ha = trace_.HotOf(a);
    // What must run before the lock's other sections in the set end, and before `a`.
    seeds.clear();
    if (ha.pos > 0) seeds.push_back({ha.thread, ha.pos});
    for (const auto& by : trace_.Locks()[trace_.LockIndex(a)].by_thread) {
      for (uint32_t acq : by.ids) {
        if (acq == a || !InSet(acq)) continue;
        const uint32_t rel = trace_.Link(acq);
        if (rel == kNone || !InSet(rel)) return false;  // two sections would stay open
        seeds.push_back({trace_.HotOf(rel).thread, trace_.HotOf(rel).pos + 1});
      }
    }
    if (!Grow(before, seeds, work)) return false;
    // What needs `a` first: its thread from it on, and what depends on those, in trace order.
    std::fill(after.begin(), after.end(), kNone);
    after[ha.thread] = ha.pos;
    auto is_after = [&](uint32_t id) {
      return trace_.HotOf(id).pos >= after[trace_.HotOf(id).thread];
    };
    for (uint32_t id : order) {
      const auto& h = trace_.HotOf(id);
      ++work;
      if (h.pos >= after[h.thread]) continue;
      bool needs = h.link != kNone && h.op != Op::kAcquire && is_after(h.link);
      if (h.pos == 0) {
        if (uint32_t f = trace_.ForkOf(h.thread); f != kNone) needs |= is_after(f);
      }
      if (h.op == Op::kJoin && h.aux != kNone) needs |= after[h.aux] < limit_[h.aux];
      if (needs) after[h.thread] = h.pos;
    }
    for (uint32_t t = 0; t < n; ++t) {
      if (before[t] > after[t]) return false;  // needed both before and after `a`
      priority_[t] = std::max(priority_[t], before[t]);
    }
  }
  return true;
}

bool ReorderSearch::Prepare() {
  const uint32_t n = trace_.threads();
  cur_.assign(n, 0);
  holder_.assign(trace_.Locks().size(), kNone);
  remaining_.assign(trace_.Locks().size(), 0);
  log_.clear();
  last_write_ = FlatMap<uint32_t>();
  readers_due_ = FlatMap<uint32_t>();
  initial_due_ = FlatMap<uint32_t>();
  notify_after_.clear();
  release_lock_ = FlatMap<uint32_t>();
  bool fresh = false;
  open_.clear();
  for (uint32_t t = 0; t < n; ++t) {
    const auto& ids = trace_.OfThread(t);
    for (uint32_t p = 0; p < limit_[t]; ++p) {
      const uint32_t id = ids[p];
      const auto& h = trace_.HotOf(id);
      switch (h.op) {
        case Op::kAcquire:
        case Op::kRelease:
          if (irregular_.count(trace_.Obj(id))) return false;
          if (uint32_t l = trace_.LockIndex(id); l != kNone) {
            ++remaining_[l];
            if (h.link != kNone && InSet(h.link)) {
              release_lock_.FindOrInsert(h.link, fresh) = l;
            } else if (h.op == Op::kAcquire) {
              open_.push_back(id);
            }
          }
          break;
        case Op::kRead:
          if (h.link == kNone) {
            ++initial_due_.FindOrInsert(KeyOf(id), fresh);
          } else {
            ++readers_due_.FindOrInsert(h.link, fresh);
          }
          break;
        case Op::kWake:
          if (p > 0) notify_after_[h.link].push_back(ids[p - 1]);
          break;
        default:
          break;
      }
    }
  }
  return true;
}

bool ReorderSearch::Try(uint32_t id) {
  const auto& h = trace_.HotOf(id);
  const uint32_t t = h.thread;
  if (h.pos == 0) {
    if (uint32_t f = trace_.ForkOf(t); f != kNone && !Scheduled(f)) return false;
  }
  ++tries_;
  Done d{id, kNone};
  switch (h.op) {
    case Op::kAcquire: {
      const uint32_t l = trace_.LockIndex(id);
      if (l == kNone) break;
      if (holder_[l] != kNone) return false;
      // A section that stays open at the end comes after every other of its lock.
      const bool stays_open = h.link == kNone || !InSet(h.link);
      if (stays_open && remaining_[l] != 1) return false;
      holder_[l] = t;
      --remaining_[l];
      break;
    }
    case Op::kRelease: {
      const uint32_t* lock = release_lock_.Find(id);
      if (!lock) break;
      holder_[*lock] = kNone;
      d.prev = *lock;
      break;
    }
    case Op::kRead: {
      if (h.link != kNone && !Scheduled(h.link)) return false;
      const uint32_t* w = last_write_.Find(KeyOf(id));
      if ((w ? *w : kNone) != h.link) return false;
      if (h.link == kNone) {
        --*initial_due_.Find(KeyOf(id));
      } else {
        --*readers_due_.Find(h.link);
      }
      break;
    }
    case Op::kWrite: {
      if (h.link != kNone && !Scheduled(h.link)) return false;  // a granule's earlier write
      const uint32_t* w = last_write_.Find(KeyOf(id));
      const uint32_t prev = w ? *w : kNone;
      // Overwriting a value some read still due must see would leave that read nothing.
      if (prev == kNone) {
        const uint32_t* due = initial_due_.Find(KeyOf(id));
        if (due && *due > 0) return false;
      } else {
        const uint32_t* due = readers_due_.Find(prev);
        if (due && *due > 0) return false;
      }
      bool fresh = false;
      last_write_.FindOrInsert(KeyOf(id), fresh) = id;
      d.prev = prev;
      break;
    }
    case Op::kJoin:
      if (h.aux != kNone && cur_[h.aux] != trace_.OfThread(h.aux).size()) return false;
      break;
    case Op::kNotify: {
      // The waiters it wakes must have begun to wait.
      auto it = notify_after_.find(id);
      if (it != notify_after_.end()) {
        for (uint32_t w : it->second) {
          if (!Scheduled(w)) return false;
        }
      }
      break;
    }
    case Op::kWake:
    case Op::kPost:
    case Op::kPend:
      if (h.link != kNone && !Scheduled(h.link)) return false;
      break;
    default:
      break;
  }
  ++cur_[t];
  log_.push_back(d);
  return true;
}

void ReorderSearch::Undo(size_t mark) {
  while (log_.size() > mark) {
    const Done d = log_.back();
    log_.pop_back();
    const auto& h = trace_.HotOf(d.id);
    --cur_[h.thread];
    switch (h.op) {
      case Op::kAcquire:
        if (uint32_t l = trace_.LockIndex(d.id); l != kNone) {
          holder_[l] = kNone;
          ++remaining_[l];
        }
        break;
      case Op::kRelease:
        if (d.prev != kNone) holder_[d.prev] = h.thread;
        break;
      case Op::kRead:
        if (h.link == kNone) {
          ++*initial_due_.Find(KeyOf(d.id));
        } else {
          ++*readers_due_.Find(h.link);
        }
        break;
      case Op::kWrite:
        if (d.prev == kNone) {
          last_write_.Erase(KeyOf(d.id));
        } else {
          bool fresh = false;
          last_write_.FindOrInsert(KeyOf(d.id), fresh) = d.prev;
        }
        break;
      default:
        break;
    }
  }
}

bool ReorderSearch::TryUnit(uint32_t thread) {
  const size_t mark = log_.size();
  const auto& ids = trace_.OfThread(thread);
  const uint32_t low = trace_.IndexLow(ids[cur_[thread]]);
  do {
    if (!Try(ids[cur_[thread]])) {
      Undo(mark);
      return false;
    }
  } while (cur_[thread] < limit_[thread] && trace_.IndexLow(ids[cur_[thread]]) == low);
  return true;
}

bool ReorderSearch::UnitSafe(uint32_t thread) const {
  const auto& ids = trace_.OfThread(thread);
  const uint32_t low = trace_.IndexLow(ids[cur_[thread]]);
  for (uint32_t p = cur_[thread]; p < limit_[thread] && trace_.IndexLow(ids[p]) == low; ++p) {
    const auto& h = trace_.HotOf(ids[p]);
    if (h.op == Op::kWrite || (h.op == Op::kAcquire && !(h.flags & PredictTrace::kNested)))
      return false;
  }
  return true;
}

ReorderSearch::Result ReorderSearch::Find(uint32_t first, uint32_t second, uint64_t& budget,
                                          std::vector<uint32_t>* schedule) {
  uint64_t work = 0;
  auto spend = [&](uint64_t w) {
    if (w >= budget) {
      budget = 0;
      return false;
    }
    budget -= w;
    return true;
  };
  const bool closed = Close(first, second, work);
  if (!spend(work + 1)) return Result::kOutOfBudget;
  if (!closed || !Prepare()) return Result::kNone;
  const uint32_t n = trace_.threads();
  // In trace order up to the first section that stays open: a correct reordering as it is.
  std::vector<uint32_t> order;
  size_t count = 0;
  uint32_t last = 0;  // one past the set's latest event
  for (uint32_t t = 0; t < n; ++t) {
    count += limit_[t];
    if (limit_[t]) last = std::max(last, trace_.OfThread(t)[limit_[t] - 1] + 1);
  }
  order.reserve(count);
  if (count > last / 16) {  // a large set: one pass over the trace beats sorting it
    for (uint32_t id = 0; id < last; ++id) {
      if (InSet(id)) order.push_back(id);
    }
  } else {
    for (uint32_t t = 0; t < n; ++t) {
      const auto& ids = trace_.OfThread(t);
      order.insert(order.end(), ids.begin(), ids.begin() + limit_[t]);
    }
    std::sort(order.begin(), order.end());
  }
  if (!spend(order.size())) return Result::kOutOfBudget;
  work = 0;
  const bool orderable = OrderOpenSections(order, work);
  if (!spend(work + 1)) return Result::kOutOfBudget;
  if (!orderable) return Result::kNone;
  for (uint32_t id : order) {
    const auto& h = trace_.HotOf(id);
    if (cur_[h.thread] > h.pos) continue;  // a part of the event just run
    if (h.op == Op::kAcquire && trace_.LockIndex(id) != kNone &&
        (h.link == kNone || !InSet(h.link))) {
      break;
    }
    if (cur_[h.thread] != h.pos || !TryUnit(h.thread)) break;
  }
  // The rest: depth-first, acquisitions and writes in trace order first.
  // Steps for what is left after that prefix: a search that has not found a schedule after
  // many times that is unlikely to.
  uint64_t steps = 16 * (order.size() - log_.size()) + 10'000;
  struct Frame {
    size_t mark;
    std::vector<uint32_t> choices;  // threads
    size_t next;
  };
  std::vector<Frame> frames;
  uint64_t counted = tries_;
  auto thread_done = [&](uint32_t t) { return cur_[t] >= limit_[t]; };
  for (;;) {
    for (bool progress = true; progress;) {
      progress = false;
      for (uint32_t t = 0; t < n; ++t) {
        while (!thread_done(t) && UnitSafe(t) && TryUnit(t)) progress = true;
      }
    }
    if (log_.size() == order.size()) break;
    const size_t mark = log_.size();
    std::vector<uint32_t> choices;
    for (uint32_t t = 0; t < n; ++t) {
      if (thread_done(t) || UnitSafe(t) || !TryUnit(t)) continue;
      Undo(mark);
      choices.push_back(t);
    }
    // What must precede a section that stays open first, then trace order.
    std::sort(choices.begin(), choices.end(), [&](uint32_t a, uint32_t b) {
      const bool pa = cur_[a] < priority_[a], pb = cur_[b] < priority_[b];
      if (pa != pb) return pa;
      return trace_.OfThread(a)[cur_[a]] < trace_.OfThread(b)[cur_[b]];
    });
    bool moved = false;
    if (!choices.empty()) {
      frames.push_back({mark, std::move(choices), 1});
      moved = TryUnit(frames.back().choices[0]);
    }
    // A dead end: the latest choice with an alternative left takes it.
    while (!moved && !frames.empty()) {
      Frame& f = frames.back();
      Undo(f.mark);
      if (f.next < f.choices.size()) {
        moved = TryUnit(f.choices[f.next++]);
      } else {
        frames.pop_back();
      }
    }
    if (!moved) return Result::kNone;
    const uint64_t used = tries_ - counted;
    counted = tries_;
    if (used >= steps) return Result::kNone;
    steps -= used;
    if (!spend(used)) return Result::kOutOfBudget;
  }
  schedule->clear();
  for (const Done& d : log_) schedule->push_back(d.id);
  return Result::kFound;
}

}  // namespace threadlens::analysis
