// Lost notifications and deadlocks through a condition wait (see predict_comm.h).
#include "predict_comm.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "lock_sets.h"
#include "predict_stuck.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

CommPredictor::CommPredictor(const PredictTrace& trace) : trace_(trace) {
  auto add = [](std::vector<Group>& groups, uint32_t thread, uint64_t obj,
                const std::vector<uint64_t>* held, uint32_t id,
                std::map<std::tuple<uint32_t, uint64_t, const void*>, size_t>& index) {
    auto [it, fresh] = index.try_emplace({thread, obj, held}, groups.size());
    if (fresh) groups.push_back(Group{thread, obj, held, {}});
    groups[it->second].ids.push_back(id);
  };
  std::map<std::tuple<uint32_t, uint64_t, const void*>, size_t> wake_index, acquire_index;
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    const PredictTrace::Event& e = trace_.At(id);
    if (e.op == Op::kNotify) {
      notifies_[e.obj].push_back(id);
    } else if (e.op == Op::kWake && e.blocking && trace_.Pos(id) > 0 &&
               !trace_.HeldAt(id).empty()) {
      add(wakes_, e.thread, e.obj, &trace_.HeldAt(id), id, wake_index);
    } else if (e.op == Op::kAcquire && e.blocking && !e.nested && !e.shared) {
      add(acquires_, e.thread, e.obj, &trace_.HeldAt(id), id, acquire_index);
    }
  }
}

void CommPredictor::NotifyLimits(uint64_t cv, uint32_t begin, const std::vector<uint32_t>* from,
                                 Limits& limits) const {
  auto it = notifies_.find(cv);
  if (it == notifies_.end()) return;
  for (uint32_t n : it->second) {
    const auto& h = trace_.HotOf(n);
    if (from ? h.pos < (*from)[h.thread] : n < begin) continue;
    limits[h.thread] = std::min(limits[h.thread], h.pos);
  }
}

bool CommPredictor::Within(const SyncClosure& c, const Limits& limits) const {
  for (uint32_t t = 0; t < limits.size(); ++t) {
    if (c.Frontier()[t] > limits[t]) return false;
  }
  return true;
}

bool CommPredictor::Extend(std::optional<SyncClosure>& c, const Limits& limits, uint64_t& budget) {
  std::optional<SyncClosure> trial;
  auto fits = [&](uint32_t t, uint32_t count) {
    trial.emplace(*c);
    const uint64_t before = trial->work();
    trial->Include(t, count);
    trial->Close();
    // The copy costs its vectors, by thread and by lock, whatever the closure then does.
    const uint64_t spent = trial->work() - before + trace_.threads() + trace_.Locks().size();
    Spend(budget, spent);
    return Within(*trial, limits);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t t = 0; t < trace_.threads(); ++t) {
      if (budget == 0) return false;
      const uint32_t cur = c->Frontier()[t];
      const uint32_t hi =
          std::min<uint32_t>(limits[t], static_cast<uint32_t>(trace_.OfThread(t).size()));
      if (hi <= cur) continue;
      if (fits(t, hi)) {
        c.emplace(*trial);
        changed = true;
        continue;
      }
      // The largest count that fits: the closure only grows with it.
      uint32_t lo = cur, bad = hi;
      while (bad - lo > 1 && budget > 0) {
        const uint32_t mid = lo + (bad - lo) / 2;
        (fits(t, mid) ? lo : bad) = mid;
      }
      if (lo > cur && fits(t, lo)) {
        c.emplace(*trial);
        changed = true;
      }
    }
  }
  return budget > 0;
}

std::vector<uint32_t> CommPredictor::Between(const std::vector<uint32_t>& from,
                                             const std::vector<uint32_t>& to) const {
  return MergeThreads(trace_, from, to);
}

bool CommPredictor::FindLost(uint64_t& budget, const Found& found) {
  // One witness per (waiter, wait site, condition variable, notification site); a few tries.
  std::map<std::tuple<uint32_t, uint64_t, uint64_t, uint64_t>, int> tries;
  std::optional<SyncClosure> c;
  // Latest waits first: a notification is lost only when no later one wakes the waiter, so
  // the last wait of a pattern is the likeliest.
  for (uint32_t k = static_cast<uint32_t>(trace_.size()); k-- > 0;) {
    if (trace_.HotOf(k).op != Op::kWake) continue;
    const PredictTrace::Event& e = trace_.At(k);
    if (!e.blocking) continue;
    const uint32_t n = trace_.Link(k), w = e.thread, pk = trace_.Pos(k);
    if (n == PredictTrace::kNone || pk == 0 || trace_.At(n).thread == w) continue;
    int& tried = tries[{w, e.site, e.obj, trace_.At(n).site}];
    if (tried < 0 || tried >= 4) continue;
    ++tried;
    if (budget == 0) return false;
    // What runs before both critical sections (the waiter's around its wait, the notifier's
    // around its notification), as in the run; then the notifier's through its end; then the
    // waiter's up to its wait.
    const uint32_t nt = trace_.At(n).thread;
    const auto& nids = trace_.OfThread(nt);
    const auto& wids = trace_.OfThread(w);
    std::map<uint64_t, int> open;
    const uint32_t pn = trace_.Pos(n);
    uint32_t end = static_cast<uint32_t>(nids.size()), n_start = pn, opened = pn;
    for (uint32_t p = 0; p < nids.size(); ++p) {
      const PredictTrace::Event& x = trace_.At(nids[p]);
      if (p == pn) n_start = open.empty() ? pn : opened;
      if (!x.nested && x.op == Op::kAcquire && open[x.obj]++ == 0 && open.size() == 1) opened = p;
      if (!x.nested && x.op == Op::kRelease && open.count(x.obj) && --open[x.obj] == 0) {
        open.erase(x.obj);
      }
      if (p >= pn && open.empty()) {
        end = p + 1;
        break;
      }
    }
    uint32_t w_start = pk - 1;  // the acquisition the wait's release ends
    for (uint32_t p = pk - 1; p-- > 0;) {
      if (trace_.Link(wids[p]) == wids[pk - 1] && trace_.At(wids[p]).op == Op::kAcquire) {
        w_start = p;
        break;
      }
    }
    const uint64_t setup = nids.size() + pk + trace_.threads() + trace_.Locks().size();
    Spend(budget, setup);
    c.emplace(trace_);
    // The closure's steps, as the other searches count them.
    uint64_t charged = 0;
    auto charge = [&] {
      Spend(budget, c->work() - charged);
      charged = c->work();
    };
    c->Include(nt, n_start);
    c->Include(w, w_start);
    c->Close();
    charge();
    if (c->Contains(n) || c->Frontier()[w] >= pk) continue;
    const std::vector<uint32_t> f0 = c->Frontier();
    c->Include(nt, end);
    c->Close();
    charge();
    if (c->Frontier()[w] >= pk) continue;  // the wait needs the notification
    const std::vector<uint32_t> f1 = c->Frontier();
    Limits limits(trace_.threads(), ~0u);
    limits[w] = pk;
    NotifyLimits(e.obj, 0, &f1, limits);
    c->Include(w, pk);
    c->Close();
    charge();
    if (!Within(*c, limits)) continue;
    const std::vector<uint32_t> f2 = c->Frontier();
    if (!Extend(c, limits, budget)) return false;
    CommWitness out;
    out.lost = true;
    out.wake = k;
    out.notify = n;
    out.schedule = Between({}, f0);
    for (const auto& part : {Between(f0, f1), Between(f1, f2), Between(f2, c->Frontier())}) {
      out.schedule.insert(out.schedule.end(), part.begin(), part.end());
    }
    // The replay's steps: a schedule may run through most of the trace.
    Spend(budget, out.schedule.size());
    StuckState st = CheckStuck(trace_, out.schedule);
    if (!st.error.empty() ||
        std::find(st.blocked.begin(), st.blocked.end(), k) == st.blocked.end()) {
      continue;
    }
    out.blocked = std::move(st.blocked);
    tried = -1;
    found(out);
  }
  return true;
}

bool CommPredictor::TryPattern(const std::vector<const Group*>& choice, uint64_t& budget,
                               CommWitness* out) {
  const size_t k = choice.size();
  std::vector<size_t> p(k, 0);
  std::optional<SyncClosure> c;
  c.emplace(trace_);
  const uint64_t setup = trace_.threads() + trace_.Locks().size();
  Spend(budget, setup);
  for (;;) {
    if (budget == 0) return false;
    for (size_t i = 0; i < k; ++i) c->IncludeBefore(choice[i]->ids[p[i]]);
    const uint64_t before = c->work();
    c->Close();
    const uint64_t spent = c->work() - before + 1;
    Spend(budget, spent);
    bool moved = false;
    for (size_t i = 0; i < k; ++i) {
      const auto& ids = choice[i]->ids;
      while (p[i] < ids.size() && c->Contains(ids[p[i]])) ++p[i], moved = true;
      if (p[i] == ids.size()) return false;
    }
    if (!moved) break;
  }
  Limits limits(trace_.threads(), ~0u);
  for (size_t i = 0; i < k; ++i) {
    const uint32_t id = choice[i]->ids[p[i]];
    limits[trace_.At(id).thread] = trace_.Pos(id);
    if (trace_.At(id).op == Op::kWake) {
      const uint32_t begin = trace_.OfThread(trace_.At(id).thread)[trace_.Pos(id) - 1];
      NotifyLimits(trace_.At(id).obj, begin, nullptr, limits);
    }
  }
  if (!Within(*c, limits) || !Extend(c, limits, budget)) return false;
  out->schedule = c->Linearize();
  StuckState st = CheckStuck(trace_, out->schedule);
  if (!st.error.empty()) return false;
  out->pattern.clear();
  for (size_t i = 0; i < k; ++i) {
    const uint32_t id = choice[i]->ids[p[i]];
    if (std::find(st.blocked.begin(), st.blocked.end(), id) == st.blocked.end()) return false;
    out->pattern.push_back(id);
  }
  out->lost = false;
  out->wake = out->pattern[0];
  out->blocked = std::move(st.blocked);
  return true;
}

bool CommPredictor::FindCycles(uint64_t& budget, const Found& found) {
  for (const Group& waiter : wakes_) {
    if (budget == 0) return false;
    // The threads that notify its condition variable, each with its last notification.
    std::map<uint32_t, uint32_t> notifiers;
    if (auto it = notifies_.find(waiter.obj); it != notifies_.end()) {
      for (uint32_t n : it->second) {
        if (trace_.At(n).thread != waiter.thread) notifiers[trace_.At(n).thread] = trace_.Pos(n);
      }
    }
    if (notifiers.empty() || notifiers.size() + 1 > kMaxThreads) continue;
    // Per notifier, its requests made before its last notification.
    std::vector<std::vector<Group>> options;
    for (auto [thread, last] : notifiers) {
      options.emplace_back();
      for (const Group& g : acquires_) {
        if (g.thread != thread) continue;
        Group before = g;
        before.ids.clear();
        for (uint32_t id : g.ids) {
          if (trace_.Pos(id) < last) before.ids.push_back(id);
        }
        if (!before.ids.empty()) options.back().push_back(std::move(before));
      }
    }
    std::vector<const Group*> choice{&waiter};
    bool done = false;
    auto free_to_add = [&](const Group& g) {
      for (const Group* x : choice) {
        if (x->thread == g.thread || !SortedDisjoint(*x->held, *g.held)) return false;
      }
      return true;
    };
    // Every requested lock held by a chosen thread; extra threads hold the ones still missing.
    auto resolve = [&](auto&& self) -> void {
      if (done || budget == 0) return;
      uint64_t missing = 0;
      bool any = false;
      for (const Group* x : choice) {
        if (trace_.At(x->ids[0]).op != Op::kAcquire) continue;
        bool held = false;
        for (const Group* y : choice)
          held |= std::binary_search(y->held->begin(), y->held->end(), x->obj);
        if (!held) {
          missing = x->obj;
          any = true;
          break;
        }
      }
      if (!any) {
        CommWitness w;
        if (TryPattern(choice, budget, &w)) {
          done = true;
          found(w);
        }
        return;
      }
      if (choice.size() >= kMaxThreads) return;
      for (const Group& g : acquires_) {
        if (!std::binary_search(g.held->begin(), g.held->end(), missing) || !free_to_add(g)) {
          continue;
        }
        choice.push_back(&g);
        self(self);
        choice.pop_back();
        if (done) return;
      }
    };
    auto pick = [&](auto&& self, size_t i) -> void {
      if (done || budget == 0) return;
      if (i == options.size()) {
        resolve(resolve);
        return;
      }
      for (const Group& g : options[i]) {
        if (!free_to_add(g)) continue;
        choice.push_back(&g);
        self(self, i + 1);
        choice.pop_back();
        if (done) return;
      }
    };
    pick(pick, 0);
  }
  return budget > 0;
}

}  // namespace threadlens::analysis
