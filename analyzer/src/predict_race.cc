// Sync-preserving race prediction (see predict_race.h).
#include "predict_race.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace threadlens::analysis {

using Op = PredictTrace::Op;

RacePredictor::Result RacePredictor::Sweep(const std::vector<uint32_t>& a,
                                           const std::vector<uint32_t>& b, uint64_t& budget,
                                           const std::function<bool(uint32_t, uint32_t)>& skip,
                                           RaceWitness* out) {
  if (skip(a.front(), b.front())) return Result::kNone;
  size_t p = 0, q = 0;
  closure_.Reset();
  for (;;) {
    if (budget == 0) return Result::kOutOfBudget;
    closure_.IncludeBefore(a[p]);
    closure_.IncludeBefore(b[q]);
    const uint64_t before = closure_.work();
    closure_.Close();
    const uint64_t spent = closure_.work() - before + 1;
    budget = spent >= budget ? 0 : budget - spent;
    bool moved = false;
    while (p < a.size() && closure_.Contains(a[p])) ++p, moved = true;
    while (q < b.size() && closure_.Contains(b[q])) ++q, moved = true;
    if (p == a.size() || q == b.size()) return Result::kNone;
    if (!moved) break;
  }
  out->first = std::min(a[p], b[q]);
  out->second = std::max(a[p], b[q]);
  out->schedule = closure_.Linearize();
  return Result::kFound;
}

bool RacePredictor::FindAll(uint64_t& budget,
                            const std::function<bool(uint32_t, uint32_t)>& skip,
                            const std::function<void(const RaceWitness&)>& on_race) {
  // Groups: (location, thread, write, site) -> accesses in trace order.
  using Key = std::tuple<uint64_t, uint32_t, bool, uint64_t>;
  std::map<Key, std::vector<uint32_t>> groups;
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    const auto& e = trace_.At(id);
    if (e.op != Op::kRead && e.op != Op::kWrite) continue;
    groups[{e.obj, e.thread, e.op == Op::kWrite, e.site}].push_back(id);
  }
  // Pairs of groups of one location: different threads, at least one write, not both atomic.
  std::vector<const std::vector<uint32_t>*> same;
  auto it = groups.begin();
  while (it != groups.end()) {
    const uint64_t loc = std::get<0>(it->first);
    same.clear();
    for (; it != groups.end() && std::get<0>(it->first) == loc; ++it) same.push_back(&it->second);
    for (size_t i = 0; i < same.size(); ++i) {
      for (size_t j = i + 1; j < same.size(); ++j) {
        const auto& ea = trace_.At(same[i]->front());
        const auto& eb = trace_.At(same[j]->front());
        if (ea.thread == eb.thread) continue;
        if (ea.op != Op::kWrite && eb.op != Op::kWrite) continue;
        if (ea.atomic && eb.atomic) continue;
        RaceWitness w;
        switch (Sweep(*same[i], *same[j], budget, skip, &w)) {
          case Result::kFound: on_race(w); break;
          case Result::kNone: break;
          case Result::kOutOfBudget: return false;
        }
      }
    }
  }
  return true;
}

}  // namespace threadlens::analysis
