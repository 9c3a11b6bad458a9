// The prediction trace model (see predict_trace.h): recording, then one pass in trace order
// that derives the links the closure engine follows.
#include "predict_trace.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace threadlens::analysis {

void PredictTrace::Add(const Event& e, bool after_wake) {
  if (e.thread >= per_thread_.size()) per_thread_.resize(e.thread + 1);
  for (size_t i = 0; i < deferred_.size(); ++i) {
    if (deferred_[i].first != e.thread) continue;
    const Event held = deferred_[i].second;
    deferred_.erase(deferred_.begin() + static_cast<ptrdiff_t>(i));
    if (e.op == Op::kWake) {
      events_.push_back(e);
      events_.push_back(held);
      return;
    }
    events_.push_back(held);
    break;
  }
  if (after_wake) {
    deferred_.push_back({e.thread, e});
    return;
  }
  events_.push_back(e);
}

void PredictTrace::AddThread(uint32_t thread, uint32_t tid) {
  if (thread >= tids_.size()) tids_.resize(thread + 1, 0);
  tids_[thread] = tid;
  if (thread >= per_thread_.size()) per_thread_.resize(thread + 1);
}

void PredictTrace::Finalize() {
  if (finalized_) return;
  finalized_ = true;
  for (const auto& d : deferred_) events_.push_back(d.second);
  deferred_.clear();
  const uint32_t n = static_cast<uint32_t>(events_.size());
  for (uint32_t id = 0; id < n; ++id) {
    const Event& e = events_[id];
    if ((e.op == Op::kFork || e.op == Op::kJoin) && e.obj < (1u << 30) &&
        e.obj >= per_thread_.size()) {
      per_thread_.resize(e.obj + 1);
    }
  }
  hot_.assign(n, Hot{});
  for (Hot& h : hot_) h.link = h.aux = kNone;
  held_of_.assign(n, 0);
  fork_.assign(per_thread_.size(), kNone);
  held_sets_.assign(1, {});

  struct ThreadState {
    std::vector<std::pair<uint64_t, uint32_t>> open;  // outermost holds: lock, acquire id
    std::unordered_map<uint64_t, uint32_t> depth;
    uint32_t held = 0;  // id of the sorted locks of `open`
  };
  std::vector<ThreadState> threads(per_thread_.size());
  std::unordered_map<uint64_t, uint32_t> lock_index, last_write, last_notify, last_post;
  std::unordered_map<uint64_t, uint32_t> owner;  // lock -> open exclusive acquire id
  std::map<std::vector<uint64_t>, uint32_t> held_ids{{{}, 0}};
  auto intern = [&](const ThreadState& t) {
    std::vector<uint64_t> held;
    for (const auto& h : t.open) held.push_back(h.first);
    std::sort(held.begin(), held.end());
    auto [it, fresh] = held_ids.try_emplace(held, static_cast<uint32_t>(held_sets_.size()));
    if (fresh) held_sets_.push_back(std::move(held));
    return it->second;
  };
  auto lock_idx = [&](uint64_t lock) {
    auto [it, inserted] = lock_index.try_emplace(lock, static_cast<uint32_t>(locks_.size()));
    if (inserted) locks_.push_back(LockAcquires{lock, {}, false});
    return it->second;
  };

  for (uint32_t id = 0; id < n; ++id) {
    Event& e = events_[id];
    hot_[id].pos = static_cast<uint32_t>(per_thread_[e.thread].size());
    per_thread_[e.thread].push_back(id);
    ThreadState& t = threads[e.thread];
    switch (e.op) {
      case Op::kAcquire: {
        uint32_t li = lock_idx(e.obj);
        if (e.shared) locks_[li].irregular = true;
        if (t.depth[e.obj]++ > 0) {
          e.nested = true;
          break;
        }
        held_of_[id] = t.held;
        hot_[id].aux = li;
        t.open.push_back({e.obj, id});
        t.held = intern(t);
        if (!e.shared) {
          // Two exclusive holds at once: the trace disagrees with itself (an untraced unlock).
          if (owner.count(e.obj)) locks_[li].irregular = true;
          owner[e.obj] = id;
        }
        auto& by = locks_[li].by_thread;
        auto bt = std::find_if(by.begin(), by.end(),
                               [&](const ThreadAcquires& a) { return a.thread == e.thread; });
        if (bt == by.end()) bt = by.insert(by.end(), ThreadAcquires{e.thread, {}});
        bt->ids.push_back(id);
        break;
      }
      case Op::kRelease: {
        uint32_t& d = t.depth[e.obj];
        if (d == 0) {
          // Not held by this thread (an unlock by another thread): no critical section to keep.
          locks_[lock_idx(e.obj)].irregular = true;
          e.nested = true;
          break;
        }
        if (--d > 0) {
          e.nested = true;
          break;
        }
        for (size_t i = t.open.size(); i-- > 0;) {
          if (t.open[i].first != e.obj) continue;
          hot_[t.open[i].second].link = id;
          t.open.erase(t.open.begin() + static_cast<ptrdiff_t>(i));
          t.held = intern(t);
          break;
        }
        auto o = owner.find(e.obj);
        if (o != owner.end() && events_[o->second].thread == e.thread) owner.erase(o);
        break;
      }
      case Op::kRead:
      case Op::kWrite: {
        held_of_[id] = t.held;
        const uint64_t key = granular_ ? e.obj >> 3 : e.obj;
        auto w = last_write.find(key);
        if (e.op == Op::kRead) {
          if (w != last_write.end()) hot_[id].link = w->second;
        } else {
          if (granular_ && w != last_write.end()) hot_[id].link = w->second;
          last_write[key] = id;
        }
        break;
      }
      case Op::kFork:
        if (e.obj < fork_.size() && fork_[e.obj] == kNone) fork_[e.obj] = id;
        break;
      case Op::kNotify:
        last_notify[e.obj] = id;
        break;
      case Op::kWake:
        held_of_[id] = t.held;  // the locks a waiter keeps while it sleeps
        if (auto it = last_notify.find(e.obj); it != last_notify.end()) hot_[id].link = it->second;
        break;
      case Op::kPost: {
        auto [it, fresh] = last_post.try_emplace(e.obj, id);
        if (!fresh) {
          hot_[id].link = it->second;
          it->second = id;
        }
        break;
      }
      case Op::kPend:
        if (auto it = last_post.find(e.obj); it != last_post.end()) hot_[id].link = it->second;
        break;
      case Op::kTryFail:
        if (auto it = owner.find(e.obj); it != owner.end()) hot_[id].link = it->second;
        break;
      case Op::kJoin:
        break;
    }
  }
  for (uint32_t id = 0; id < n; ++id) {
    const Event& e = events_[id];
    Hot& h = hot_[id];
    h.thread = e.thread;
    h.op = e.op;
    if ((e.op == Op::kJoin || e.op == Op::kFork) && e.obj < per_thread_.size()) {
      h.aux = static_cast<uint32_t>(e.obj);
    }
  }
}

}  // namespace threadlens::analysis
