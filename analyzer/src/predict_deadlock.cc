// Sync-preserving deadlock prediction (see predict_deadlock.h).
#include "predict_deadlock.h"

#include <algorithm>

#include "lock_sets.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

uint32_t DeadlockPredictor::HeldAcquire(uint32_t id, uint64_t lock) const {
  const auto& ids = trace_.OfThread(trace_.At(id).thread);
  // Outermost acquisitions of one lock by one thread never overlap: the latest before e_i is
  // the one still held.
  for (uint32_t p = trace_.Pos(id); p-- > 0;) {
    const auto& e = trace_.At(ids[p]);
    if (e.op == Op::kAcquire && !e.nested && e.obj == lock) return ids[p];
  }
  return PredictTrace::kNone;
}

DeadlockPredictor::Verdict DeadlockPredictor::Sweep(const std::vector<const Group*>& choice,
                                                    uint64_t& budget, DeadlockWitness* witness) {
  const size_t k = choice.size();
  std::vector<size_t> p(k, 0);
  closure_.Reset();
  for (;;) {
    if (budget == 0) return Verdict::kUndecided;
    for (size_t i = 0; i < k; ++i) {
      closure_.IncludeBefore(choice[i]->ids[p[i]]);
    }
    const uint64_t before = closure_.work();
    closure_.Close();
    const uint64_t spent = closure_.work() - before + 1;
    Spend(budget, spent);
    bool moved = false;
    for (size_t i = 0; i < k; ++i) {
      const auto& ids = choice[i]->ids;
      while (p[i] < ids.size() && closure_.Contains(ids[p[i]])) {
        ++p[i];
        moved = true;
      }
      if (p[i] == ids.size()) return Verdict::kNone;
    }
    if (!moved) break;
  }
  if (witness) {
    witness->pattern.clear();
    witness->held.clear();
    for (size_t i = 0; i < k; ++i) {
      const uint32_t e = choice[i]->ids[p[i]];
      witness->pattern.push_back(e);
      // e_i holds the lock the previous edge's acquisition requests.
      const uint64_t held = trace_.At(choice[(i + k - 1) % k]->ids[0]).obj;
      witness->held.push_back(HeldAcquire(e, held));
    }
    witness->schedule = closure_.Linearize();
  }
  return Verdict::kWitness;
}

DeadlockPredictor::Verdict DeadlockPredictor::Find(
    const std::vector<std::pair<uint64_t, uint64_t>>& edges, uint64_t& budget,
    DeadlockWitness* witness) {
  const size_t k = edges.size();
  if (k < 2) return Verdict::kNone;
  if (lock_index_.empty()) {
    for (uint32_t i = 0; i < trace_.Locks().size(); ++i) lock_index_[trace_.Locks()[i].lock] = i;
  }
  std::vector<const std::vector<Group>*> groups(k);
  for (size_t i = 0; i < k; ++i) {
    auto [from, to] = edges[i];
    auto it = lock_index_.find(to);
    if (it == lock_index_.end()) return Verdict::kNone;
    const auto& lock = trace_.Locks()[it->second];
    if (lock.irregular) return Verdict::kUndecided;
    auto [cached, fresh] = groups_.try_emplace(edges[i]);
    if (fresh) {
      // The edge's acquisitions grouped by abstract acquire (thread, held locks).
      for (const auto& by : lock.by_thread) {
        for (uint32_t id : by.ids) {
          if (!trace_.At(id).blocking) continue;
          const auto& held = trace_.HeldAt(id);
          if (!std::binary_search(held.begin(), held.end(), from)) continue;
          auto& list = cached->second;
          auto g = std::find_if(list.begin(), list.end(), [&](const Group& x) {
            return x.thread == by.thread && x.held == &held;
          });
          if (g == list.end()) g = list.insert(list.end(), Group{by.thread, &held, {}});
          g->ids.push_back(id);
        }
      }
    }
    if (cached->second.empty()) return Verdict::kNone;
    groups[i] = &cached->second;
  }
  // Depth-first over the choices: distinct threads, pairwise disjoint held locks.
  std::vector<const Group*> choice(k, nullptr);
  bool found = false, out_of_budget = false;
  auto search = [&](auto&& self, size_t i) -> void {
    if (found || out_of_budget) return;
    if (i == k) {
      const Verdict v = Sweep(choice, budget, witness);
      found = v == Verdict::kWitness;
      out_of_budget = v == Verdict::kUndecided;
      return;
    }
    for (const Group& g : *groups[i]) {
      bool ok = true;
      for (size_t j = 0; j < i && ok; ++j) {
        ok = choice[j]->thread != g.thread && SortedDisjoint(*choice[j]->held, *g.held);
      }
      if (!ok) continue;
      choice[i] = &g;
      self(self, i + 1);
      if (found || out_of_budget) return;
    }
  };
  search(search, 0);
  if (found) return Verdict::kWitness;
  return out_of_budget ? Verdict::kUndecided : Verdict::kNone;
}

}  // namespace threadlens::analysis
