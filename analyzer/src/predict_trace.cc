// The prediction trace model (see predict_trace.h): recording, then one pass in trace order
// that derives the links the closure engine follows.
#include "predict_trace.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace threadlens::analysis {

void PredictTrace::Store(const Event& e) {
  const uint32_t id = static_cast<uint32_t>(cold_.size());
  const uint32_t hi = static_cast<uint32_t>(e.index >> 32);
  if (index_hi_.empty() ? hi != 0 : index_hi_.back().second != hi) index_hi_.push_back({id, hi});
  auto [site, fresh] = site_ids_.try_emplace(e.site, static_cast<uint32_t>(sites_.size()));
  if (fresh) sites_.push_back(e.site);
  cold_.push_back(Cold{static_cast<uint32_t>(e.obj), static_cast<uint32_t>(e.obj >> 32),
                       static_cast<uint32_t>(e.index), site->second, e.stack, e.lockset});
  const uint8_t flags = (e.shared ? kShared : 0) | (e.atomic ? kAtomic : 0) |
                        (e.blocking ? kBlocking : 0) | (e.nested ? kNested : 0) |
                        (e.part ? kPart : 0);
  hot_.push_back(Hot{e.thread, 0, kNone, kNone, e.op, flags, e.life});
}

void PredictTrace::Add(const Event& e, bool after_wake) {
  if (e.thread >= per_thread_.size()) per_thread_.resize(e.thread + 1);
  for (size_t i = 0; i < deferred_.size(); ++i) {
    if (deferred_[i].first != e.thread) continue;
    const Event held = deferred_[i].second;
    deferred_.erase(deferred_.begin() + static_cast<ptrdiff_t>(i));
    if (e.op == Op::kWake) {
      Store(e);
      Store(held);
      return;
    }
    Store(held);
    break;
  }
  if (after_wake) {
    deferred_.push_back({e.thread, e});
    return;
  }
  Store(e);
}

PredictTrace::Event PredictTrace::At(uint32_t id) const {
  const Cold& c = cold_[id];
  const Hot& h = hot_[id];
  Event e;
  e.obj = static_cast<uint64_t>(c.obj_hi) << 32 | c.obj_lo;
  uint64_t hi = 0;
  if (!index_hi_.empty()) {
    auto it = std::upper_bound(index_hi_.begin(), index_hi_.end(), id,
                               [](uint32_t x, const auto& p) { return x < p.first; });
    if (it != index_hi_.begin()) hi = std::prev(it)->second;
  }
  e.index = hi << 32 | c.index_lo;
  e.site = sites_[c.site];
  e.thread = h.thread;
  e.stack = c.stack;
  e.lockset = c.lockset;
  e.op = h.op;
  e.shared = h.flags & kShared;
  e.atomic = h.flags & kAtomic;
  e.blocking = h.flags & kBlocking;
  e.nested = h.flags & kNested;
  e.part = h.flags & kPart;
  e.life = h.life;
  return e;
}

const std::vector<uint64_t>& PredictTrace::HeldAt(uint32_t id) const {
  const Hot& h = hot_[id];
  if (h.op == Op::kRead || h.op == Op::kWrite || h.op == Op::kWake) {
    return held_sets_[h.aux == kNone ? 0 : h.aux];
  }
  if (h.op != Op::kAcquire || (h.flags & kNested) || h.aux == kNone) return held_sets_[0];
  for (const ThreadAcquires& a : locks_[h.aux].by_thread) {
    if (a.thread != h.thread) continue;
    auto it = std::lower_bound(a.ids.begin(), a.ids.end(), id);
    if (it != a.ids.end() && *it == id) return held_sets_[a.held[it - a.ids.begin()]];
  }
  return held_sets_[0];
}

void PredictTrace::AddThread(uint32_t thread, uint32_t tid) {
  if (thread >= tids_.size()) tids_.resize(thread + 1, 0);
  tids_[thread] = tid;
  if (thread >= per_thread_.size()) per_thread_.resize(thread + 1);
}

void PredictTrace::SemInit(uint64_t key, uint32_t count, uint32_t thread) {
  // A condition wait's re-acquisition held back for this thread happened before the init.
  for (size_t i = 0; i < deferred_.size(); ++i) {
    if (deferred_[i].first != thread) continue;
    Store(deferred_[i].second);
    deferred_.erase(deferred_.begin() + static_cast<ptrdiff_t>(i));
    break;
  }
  if (thread >= per_thread_.size()) per_thread_.resize(thread + 1);
  auto [gen, first] = sem_gen_.try_emplace(key, 0);
  if (!first && gen->second + 1 == kMaxSemGenerations) {
    sem_init_[SemKey(key)].count = -1;  // too many: the last generation takes the rest
    return;
  }
  if (!first) ++gen->second;
  const uint32_t at = static_cast<uint32_t>(size());
  sem_init_[SemKey(key)] = SemStart{count, at, static_cast<uint32_t>(sem_inits_.size())};
  sem_inits_.push_back(SemInitAt{SemKey(key), thread, at});
}

std::vector<uint64_t> PredictTrace::KnownSemaphores() const {
  std::vector<uint64_t> out;
  for (const auto& [key, s] : sem_init_) {
    if (s.count >= 0) out.push_back(key);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void PredictTrace::Finalize() {
  if (finalized_) return;
  finalized_ = true;
  for (const auto& d : deferred_) Store(d.second);
  deferred_.clear();
  site_ids_ = {};
  const uint32_t n = static_cast<uint32_t>(cold_.size());
  auto obj_of = [&](uint32_t id) {
    return static_cast<uint64_t>(cold_[id].obj_hi) << 32 | cold_[id].obj_lo;
  };
  for (uint32_t id = 0; id < n; ++id) {
    const Hot& h = hot_[id];
    if (h.op != Op::kFork && h.op != Op::kJoin) continue;
    const uint64_t obj = obj_of(id);
    if (obj < (1u << 30) && obj >= per_thread_.size()) per_thread_.resize(obj + 1);
  }
  {
    // Exact sizes: no vector grows past what it holds.
    std::vector<uint32_t> count(per_thread_.size(), 0);
    for (uint32_t id = 0; id < n; ++id) ++count[hot_[id].thread];
    for (size_t t = 0; t < per_thread_.size(); ++t) per_thread_[t].reserve(count[t]);
  }
  fork_.assign(per_thread_.size(), kNone);
  join_.assign(per_thread_.size(), kNone);
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
    Hot& h = hot_[id];
    const uint64_t obj = obj_of(id);
    h.pos = static_cast<uint32_t>(per_thread_[h.thread].size());
    per_thread_[h.thread].push_back(id);
    ThreadState& t = threads[h.thread];
    const bool shared = h.flags & kShared;
    switch (h.op) {
      case Op::kAcquire: {
        uint32_t li = lock_idx(obj);
        if (shared) locks_[li].irregular = true;
        if (t.depth[obj]++ > 0) {
          h.flags |= kNested;
          break;
        }
        const uint32_t held_before = t.held;
        h.aux = li;
        t.open.push_back({obj, id});
        t.held = intern(t);
        if (!shared) {
          // Two exclusive holds at once: the trace disagrees with itself (an untraced unlock).
          if (owner.count(obj)) locks_[li].irregular = true;
          owner[obj] = id;
        }
        auto& by = locks_[li].by_thread;
        auto bt = std::find_if(by.begin(), by.end(),
                               [&](const ThreadAcquires& a) { return a.thread == h.thread; });
        if (bt == by.end()) bt = by.insert(by.end(), ThreadAcquires{h.thread, {}, {}});
        bt->ids.push_back(id);
        bt->held.push_back(held_before);
        break;
      }
      case Op::kRelease: {
        uint32_t& d = t.depth[obj];
        if (d == 0) {
          // Not held by this thread (an unlock by another thread): no critical section to keep.
          locks_[lock_idx(obj)].irregular = true;
          h.flags |= kNested;
          break;
        }
        if (--d > 0) {
          h.flags |= kNested;
          break;
        }
        for (size_t i = t.open.size(); i-- > 0;) {
          if (t.open[i].first != obj) continue;
          hot_[t.open[i].second].link = id;
          t.open.erase(t.open.begin() + static_cast<ptrdiff_t>(i));
          t.held = intern(t);
          break;
        }
        auto o = owner.find(obj);
        if (o != owner.end() && hot_[o->second].thread == h.thread) owner.erase(o);
        break;
      }
      case Op::kRead:
      case Op::kWrite: {
        h.aux = t.held;
        const uint64_t key = granular_ ? obj >> 3 : obj;
        auto w = last_write.find(key);
        if (h.op == Op::kRead) {
          if (w != last_write.end()) h.link = w->second;
        } else {
          if (granular_ && w != last_write.end()) h.link = w->second;
          last_write[key] = id;
        }
        break;
      }
      case Op::kFork:
        if (obj < fork_.size() && fork_[obj] == kNone) fork_[obj] = id;
        if (obj < per_thread_.size()) h.aux = static_cast<uint32_t>(obj);
        break;
      case Op::kJoin:
        if (obj < per_thread_.size()) h.aux = static_cast<uint32_t>(obj);
        if (obj < join_.size() && join_[obj] == kNone) join_[obj] = id;
        break;
      case Op::kNotify:
        last_notify[obj] = id;
        break;
      case Op::kWake:
        h.aux = t.held;  // the locks a waiter keeps while it sleeps
        if (auto it = last_notify.find(obj); it != last_notify.end()) h.link = it->second;
        break;
      case Op::kPost: {
        auto [it, fresh] = last_post.try_emplace(obj, id);
        if (!fresh) {
          h.link = it->second;
          it->second = id;
        }
        break;
      }
      case Op::kPend:
        if (auto it = last_post.find(obj); it != last_post.end()) h.link = it->second;
        break;
      case Op::kTryFail:
        if (auto it = owner.find(obj); it != owner.end()) h.link = it->second;
        break;
      case Op::kPendFail:
        break;
    }
    if (h.op == Op::kPost || h.op == Op::kPend || h.op == Op::kPendFail) {
      // A semaphore used before its initialization: its count there is unknown.
      if (auto it = sem_init_.find(obj); it != sem_init_.end() && id < it->second.first) {
        it->second.count = -1;
      }
    }
  }
  for (SemInitAt& in : sem_inits_) {
    const auto& own = per_thread_[in.thread];
    in.pos = static_cast<uint32_t>(std::lower_bound(own.begin(), own.end(), in.pos) - own.begin());
  }
}

bool PredictTrace::ForkJoinBefore(uint32_t x, uint32_t y) const {
  // Events after x: x, then each join that waits for the thread of the event before it.
  // Events before y: y, then each fork that started the thread of the event before it. x is
  // before y when a thread holds one of each, x's side first. Chains are cut short: this
  // may say false of ordered events, never true of unordered ones.
  constexpr int kMaxHops = 16;
  uint32_t after_t[kMaxHops + 1], after_pos[kMaxHops + 1];
  int n = 0;
  for (uint32_t id = x; id != kNone && n <= kMaxHops; id = join_[hot_[id].thread]) {
    after_t[n] = hot_[id].thread;
    after_pos[n++] = hot_[id].pos;
  }
  int hops = 0;
  for (uint32_t id = y; id != kNone && hops <= kMaxHops; id = fork_[hot_[id].thread], ++hops) {
    const Hot& h = hot_[id];
    for (int k = 0; k < n; ++k) {
      if (after_t[k] == h.thread && after_pos[k] <= h.pos) return true;
    }
  }
  return false;
}

}  // namespace threadlens::analysis
