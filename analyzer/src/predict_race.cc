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
  // Groups: (location, thread, write, site, locks held) -> accesses in trace order. The
  // accesses are sorted by address first (12 bytes each, the address copied out so the sort
  // reads it in place), then each address's run by the rest of the key, read from the model.
#pragma pack(push, 4)
  struct Access {
    uint64_t obj;
    uint32_t id;
  };
#pragma pack(pop)
  static_assert(sizeof(Access) == 12);
  std::vector<Access> accesses;
  size_t count = 0;
  auto is_access = [&](uint32_t id) {
    const Op op = trace_.HotOf(id).op;
    return op == Op::kRead || op == Op::kWrite;
  };
  for (uint32_t id = 0; id < trace_.size(); ++id) count += is_access(id);
  accesses.reserve(count);
  for (uint32_t id = 0; id < trace_.size(); ++id) {
    if (is_access(id)) accesses.push_back({trace_.Obj(id), id});
  }
  std::sort(accesses.begin(), accesses.end(), [](const Access& a, const Access& b) {
    return a.obj != b.obj ? a.obj < b.obj : a.id < b.id;
  });
  // The rest of the key: life, thread, read or write, site, held locks (interned: equal sets,
  // equal ids).
  auto rest = [&](uint32_t id) {
    const PredictTrace::Hot& h = trace_.HotOf(id);
    return std::make_tuple(h.life, h.thread, h.op, trace_.SiteKey(id), h.aux);
  };
  std::vector<uint32_t> ids;                  // of one address
  std::vector<std::vector<uint32_t>> groups;  // of one location
  for (size_t i = 0; i < accesses.size();) {
    const uint64_t obj = accesses[i].obj;
    size_t stop = i;
    bool several_threads = false;
    for (; stop < accesses.size() && accesses[stop].obj == obj; ++stop) {
      several_threads |=
          trace_.HotOf(accesses[stop].id).thread != trace_.HotOf(accesses[i].id).thread;
    }
    if (!several_threads) {
      i = stop;
      continue;
    }
    ids.clear();
    for (size_t j = i; j < stop; ++j) ids.push_back(accesses[j].id);
    i = stop;
    std::stable_sort(ids.begin(), ids.end(),
                     [&](uint32_t x, uint32_t y) { return rest(x) < rest(y); });
    // A location: the address in one life of its memory.
    for (size_t l = 0; l < ids.size();) {
      size_t end = l;
      while (end < ids.size() && trace_.HotOf(ids[end]).life == trace_.HotOf(ids[l]).life) ++end;
      groups.clear();
      for (size_t j = l; j < end; ++j) {
        if (j == l || rest(ids[j]) != rest(ids[j - 1])) groups.emplace_back();
        groups.back().push_back(ids[j]);
      }
      l = end;
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
  }
  return true;
}

}  // namespace threadlens::analysis
