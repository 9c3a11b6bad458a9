// Sync-preserving race prediction (see predict_race.h).
#include "predict_race.h"

#include <algorithm>
#include <span>
#include <tuple>

#include "lock_sets.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

RacePredictor::Result RacePredictor::Sweep(std::span<const uint32_t> a,
                                           std::span<const uint32_t> b, uint64_t& budget,
                                           RaceWitness* out) {
  size_t p = 0, q = 0;
  closure_.Reset();
  // An access's prefix closure, when kept, comes in whole: the first step starts from the
  // union of the two fronts' closures.
  auto include_before = [&](uint32_t id) {
    if (const uint32_t* f = PrefixOf(id)) closure_.IncludeClosed(f, trace_.threads());
    closure_.IncludeBefore(id);
  };
  for (;;) {
    if (budget == 0) return Result::kOutOfBudget;
    include_before(a[p]);
    include_before(b[q]);
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

bool RacePredictor::PrefixClosures(const std::vector<uint32_t>& fronts, uint64_t& budget) {
  // Per thread, its fronts in program order: one growing closure gives each its frontier.
  std::vector<std::vector<uint32_t>> by_thread(trace_.threads());
  for (uint32_t id : fronts) by_thread[trace_.HotOf(id).thread].push_back(id);
  SyncClosure prefix(trace_);
  for (auto& ids : by_thread) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    prefix.Reset();
    for (uint32_t id : ids) {
      const uint64_t before = prefix.work();
      prefix.IncludeBefore(id);
      prefix.Close();
      const uint64_t spent = prefix.work() - before + 1;
      if (spent >= budget) return false;
      budget -= spent;
      prefix_of_.push_back({id, static_cast<uint32_t>(prefixes_.size())});
      prefixes_.insert(prefixes_.end(), prefix.Frontier().begin(), prefix.Frontier().end());
    }
  }
  std::sort(prefix_of_.begin(), prefix_of_.end());
  return true;
}

const uint32_t* RacePredictor::PrefixOf(uint32_t id) const {
  auto it = std::lower_bound(prefix_of_.begin(), prefix_of_.end(), std::pair<uint32_t, uint32_t>{id, 0});
  return it != prefix_of_.end() && it->first == id ? &prefixes_[it->second] : nullptr;
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
  // The groups of the pairs to search, back to back: group k is kept_ids[kept_at[k] ..
  // kept_at[k + 1]).
  std::vector<uint32_t> kept_ids, kept_at{0};
  auto kept = [&](size_t k) {
    return std::span<const uint32_t>(kept_ids.data() + kept_at[k], kept_at[k + 1] - kept_at[k]);
  };
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  constexpr uint32_t kNoSlot = ~0u;
  std::vector<uint32_t> slot;  // per group of the location: its index among the kept
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
      // Pairs of groups: different threads, at least one write, not both atomic. A group is
      // kept at its first pair.
      slot.assign(groups.size(), kNoSlot);
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
          if (skip(groups[a].front(), groups[b].front())) continue;
          for (size_t g : {a, b}) {
            if (slot[g] == kNoSlot) {
              slot[g] = static_cast<uint32_t>(kept_at.size() - 1);
              kept_ids.insert(kept_ids.end(), groups[g].begin(), groups[g].end());
              kept_at.push_back(static_cast<uint32_t>(kept_ids.size()));
            }
          }
          pairs.push_back({slot[a], slot[b]});
        }
      }
    }
  }
  // The sort keys are done with: the searches below keep only the groups of their pairs.
  std::vector<Access>().swap(accesses);
  std::vector<uint32_t>().swap(ids);
  std::vector<std::vector<uint32_t>>().swap(groups);
  // Each pair's closure starts from the union of its two fronts' own closures, computed once
  // per access in one pass per thread: a pair then costs only what the union adds.
  std::vector<uint32_t> fronts;
  for (size_t k = 0; k + 1 < kept_at.size(); ++k) {
    const std::span<const uint32_t> g = kept(k);
    // Every access a sweep may step to, while the frontiers stay within bounds.
    if ((fronts.size() + g.size()) * trace_.threads() <= kMaxPrefixValues) {
      fronts.insert(fronts.end(), g.begin(), g.end());
    } else {
      fronts.push_back(g.front());
    }
  }
  prefixes_.clear();
  prefix_of_.clear();
  // One pass per thread: at most threads x events, on top of the pairs' budget.
  uint64_t prefix_budget = trace_.threads() * (trace_.size() + 1) + 1;
  if (!PrefixClosures(fronts, prefix_budget)) return false;
  for (const auto& [ga, gb] : pairs) {
    RaceWitness w;
    switch (Sweep(kept(ga), kept(gb), budget, &w)) {
      case Result::kFound:
        on_race(w);
        break;
      case Result::kNone:
        break;
      case Result::kOutOfBudget:
        return false;
    }
  }
  return true;
}

}  // namespace threadlens::analysis
