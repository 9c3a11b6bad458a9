// Sync-preserving race prediction (see predict_race.h).
#include "predict_race.h"

#include <algorithm>
#include <tuple>

#include "lock_sets.h"

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

bool RacePredictor::FindAll(uint64_t& budget, const std::function<bool(uint32_t, uint32_t)>& skip,
                            const std::function<void(const RaceWitness&)>& on_race) {
  // Groups: (location, thread, write, site, locks held) -> accesses in trace order. Sorting
  // the accesses by that key puts each group in one run and a location's groups side by side;
  // the keys are copied out so that the sort reads them in place.
  struct Access {
    uint64_t obj, site;
    const std::vector<uint64_t>* held;
    uint32_t thread, id;
    uint16_t life;
    bool write;
    auto Group() const { return std::tie(obj, life, thread, write, site, held); }
  };
  std::vector<Access> accesses;
  size_t count = 0;
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    count += trace_.At(id).op == Op::kRead || trace_.At(id).op == Op::kWrite;
  }
  accesses.reserve(count);
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    const auto& e = trace_.At(id);
    if (e.op != Op::kRead && e.op != Op::kWrite) continue;
    accesses.push_back(
        {e.obj, e.site, &trace_.HeldAt(id), e.thread, id, e.life, e.op == Op::kWrite});
  }
  std::sort(accesses.begin(), accesses.end(), [](const Access& a, const Access& b) {
    return a.Group() != b.Group() ? a.Group() < b.Group() : a.id < b.id;
  });
  std::vector<uint32_t> ids;
  ids.reserve(accesses.size());
  for (const Access& a : accesses) ids.push_back(a.id);
  auto same_group = [&](size_t x, size_t y) { return accesses[x].Group() == accesses[y].Group(); };
  std::vector<std::vector<uint32_t>> groups;  // of one location
  for (size_t i = 0; i < ids.size();) {
    // A location: an address in one life of its memory.
    const uint64_t loc = trace_.At(ids[i]).obj;
    const uint16_t life = trace_.At(ids[i]).life;
    size_t end = i;
    bool several_threads = false;
    for (; end < ids.size() && trace_.At(ids[end]).obj == loc && trace_.At(ids[end]).life == life;
         ++end) {
      several_threads |= trace_.At(ids[end]).thread != trace_.At(ids[i]).thread;
    }
    if (!several_threads) {
      i = end;
      continue;
    }
    groups.clear();
    for (size_t j = i; j < end; ++j) {
      if (j == i || !same_group(j, j - 1)) groups.emplace_back();
      groups.back().push_back(ids[j]);
    }
    i = end;
    // Pairs of groups: different threads, at least one write, not both atomic.
    for (size_t a = 0; a < groups.size(); ++a) {
      for (size_t b = a + 1; b < groups.size(); ++b) {
        const auto& ea = trace_.At(groups[a].front());
        const auto& eb = trace_.At(groups[b].front());
        if (ea.thread == eb.thread) continue;
        if (ea.op != Op::kWrite && eb.op != Op::kWrite) continue;
        if (ea.atomic && eb.atomic) continue;
        // A lock held at both: the earlier critical section, and its access, must come first.
        if (!SortedDisjoint(trace_.HeldAt(groups[a].front()), trace_.HeldAt(groups[b].front()))) {
          continue;
        }
        RaceWitness w;
        switch (Sweep(groups[a], groups[b], budget, skip, &w)) {
          case Result::kFound:
            on_race(w);
            break;
          case Result::kNone:
            break;
          case Result::kOutOfBudget:
            return false;
        }
      }
    }
  }
  return true;
}

}  // namespace threadlens::analysis
