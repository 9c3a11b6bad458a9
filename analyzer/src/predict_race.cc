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
    Spend(budget, spent);
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

bool RacePredictor::PrefixClosures(uint32_t thread) {
  if (computed_[thread]) return true;
  computed_[thread] = 1;
  // The thread's fronts in program order: one growing closure gives each its frontier.
  std::vector<uint32_t>& ids = fronts_[thread];
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  prefix_.Reset();
  for (uint32_t id : ids) {
    const uint64_t before = prefix_.work();
    prefix_.IncludeBefore(id);
    prefix_.Close();
    const uint64_t spent = prefix_.work() - before + 1;
    if (spent >= prefix_budget_) return false;
    prefix_budget_ -= spent;
    prefix_at_[thread].push_back(static_cast<uint32_t>(prefixes_.size()));
    prefixes_.insert(prefixes_.end(), prefix_.Frontier().begin(), prefix_.Frontier().end());
  }
  return true;
}

const uint32_t* RacePredictor::PrefixOf(uint32_t id) const {
  const uint32_t t = trace_.HotOf(id).thread;
  if (!computed_[t]) return nullptr;
  const std::vector<uint32_t>& ids = fronts_[t];
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) return nullptr;
  return &prefixes_[prefix_at_[t][it - ids.begin()]];
}

void RacePredictor::AddPairs(const std::vector<std::vector<uint32_t>>& groups,
                             const std::function<bool(uint32_t, uint32_t)>& skip,
                             std::vector<Pair>& pairs) {
  // Signatures: what decides whether two groups may race, but their threads (read or write,
  // atomic, site, locks held). Groups are in thread order, and so is each signature's list.
  struct Sig {
    Op op;
    bool atomic;
    uint32_t site, held;
    std::vector<uint32_t> groups;
  };
  std::vector<Sig> sigs;
  for (uint32_t g = 0; g < groups.size(); ++g) {
    const uint32_t id = groups[g].front();
    const PredictTrace::Hot& h = trace_.HotOf(id);
    const bool atomic = h.flags & PredictTrace::kAtomic;
    const uint32_t site = trace_.SiteKey(id);
    auto it = std::find_if(sigs.begin(), sigs.end(), [&](const Sig& s) {
      return s.op == h.op && s.atomic == atomic && s.site == site && s.held == h.aux;
    });
    if (it == sigs.end()) it = sigs.insert(sigs.end(), Sig{h.op, atomic, site, h.aux, {}});
    it->groups.push_back(g);
  }
  constexpr uint32_t kNoSlot = ~0u;
  std::vector<uint32_t> slot(groups.size(), kNoSlot);  // a group is kept at its first pair
  std::vector<std::pair<uint32_t, uint32_t>> class_sites;
  std::vector<uint32_t> class_pairs;
  std::vector<uint8_t> class_capped;
  for (size_t i = 0; i < sigs.size(); ++i) {
    for (size_t j = i; j < sigs.size(); ++j) {
      const Sig& x = sigs[i];
      const Sig& y = sigs[j];
      // At least one write, not both atomic.
      if ((x.op != Op::kWrite && y.op != Op::kWrite) || (x.atomic && y.atomic)) continue;
      const uint32_t fx = groups[x.groups.front()].front(), fy = groups[y.groups.front()].front();
      // A lock held at both (the earlier critical section, and its access, must come first), or
      // a race already reported: asked at the first pair that fork and join leave, since
      // most pairs of a location's signatures have none (and these reads miss the cache).
      int admissible = -1;
      auto admit = [&] {
        if (admissible < 0) {
          admissible = SortedDisjoint(trace_.HeldAt(fx), trace_.HeldAt(fy)) && !skip(fx, fy);
        }
        return admissible == 1;
      };
      const std::pair<uint32_t, uint32_t> sites{std::min(x.site, y.site),
                                                std::max(x.site, y.site)};
      uint32_t c = static_cast<uint32_t>(
          std::find(class_sites.begin(), class_sites.end(), sites) - class_sites.begin());
      if (c == class_sites.size()) {
        class_sites.push_back(sites);
        class_pairs.push_back(0);
        class_capped.push_back(0);
      }
      // Pairs of groups of other threads, nearest threads first (index distance d), until the
      // class has kTriesPerClass of them or kChecksPerClass were looked at.
      const int64_t m = static_cast<int64_t>(x.groups.size());
      const int64_t n = static_cast<int64_t>(y.groups.size());
      uint32_t checks = 0;
      bool more = false;
      auto try_pair = [&](uint32_t a, uint32_t b) {
        if (class_pairs[c] == kTriesPerClass || checks == kChecksPerClass) {
          more = true;
          return false;
        }
        ++checks;
        if (trace_.HotOf(groups[a].front()).thread == trace_.HotOf(groups[b].front()).thread) {
          return true;
        }
        // One group's accesses all before the other's by fork and join: no reordering brings
        // them together (the closure before the later holds the earlier).
        if (trace_.ForkJoinBefore(groups[a].back(), groups[b].front()) ||
            trace_.ForkJoinBefore(groups[b].back(), groups[a].front())) {
          return true;
        }
        if (!admit()) return false;
        for (uint32_t g : {a, b}) {
          if (slot[g] == kNoSlot) {
            slot[g] = static_cast<uint32_t>(kept_at_.size() - 1);
            kept_ids_.insert(kept_ids_.end(), groups[g].begin(), groups[g].end());
            kept_at_.push_back(static_cast<uint32_t>(kept_ids_.size()));
          }
        }
        pairs.push_back({std::min(slot[a], slot[b]), std::max(slot[a], slot[b]), classes_ + c});
        ++class_pairs[c];
        return true;
      };
      if (i == j) {
        for (int64_t d = 1; d < m && !more && admissible != 0; ++d) {
          for (int64_t k = 0; k + d < m && try_pair(x.groups[k], x.groups[k + d]); ++k) {
          }
        }
      } else {
        // x's k-th group sits near y's k*n/m-th: offsets 0, 1, -1, 2, -2, ... from there
        // reach every pair once.
        for (int64_t d = 0; d < 2 * n && !more && admissible != 0; ++d) {
          const int64_t off = d % 2 ? (d + 1) / 2 : -(d / 2);
          for (int64_t k = 0; k < m; ++k) {
            const int64_t l = k * n / m + off;
            if (l >= 0 && l < n && !try_pair(x.groups[k], y.groups[l])) break;
          }
        }
      }
      class_capped[c] |= more && admit();
    }
  }
  for (uint8_t capped : class_capped) capped_ += capped;
  classes_ += static_cast<uint32_t>(class_sites.size());
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
  kept_ids_.clear();
  kept_at_.assign(1, 0);
  classes_ = 0;
  capped_ = 0;
  std::vector<Pair> pairs;
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
      AddPairs(groups, skip, pairs);
    }
  }
  // The sort keys are done with: the searches below keep only the groups of their pairs.
  std::vector<Access>().swap(accesses);
  std::vector<uint32_t>().swap(ids);
  std::vector<std::vector<uint32_t>>().swap(groups);
  auto kept = [&](size_t k) {
    return std::span<const uint32_t>(kept_ids_.data() + kept_at_[k],
                                     kept_at_[k + 1] - kept_at_[k]);
  };
  // Each pair's closure starts from the union of its two fronts' own closures, computed once
  // per access in one pass per thread: a pair then costs only what the union adds.
  std::vector<uint32_t> fronts;
  for (size_t k = 0; k + 1 < kept_at_.size(); ++k) {
    const std::span<const uint32_t> g = kept(k);
    // Every access a sweep may step to, while the frontiers stay within bounds.
    if ((fronts.size() + g.size()) * trace_.threads() <= kMaxPrefixValues) {
      fronts.insert(fronts.end(), g.begin(), g.end());
    } else {
      fronts.push_back(g.front());
    }
  }
  prefixes_.clear();
  fronts_.assign(trace_.threads(), {});
  prefix_at_.assign(trace_.threads(), {});
  computed_.assign(trace_.threads(), 0);
  for (uint32_t id : fronts) fronts_[trace_.HotOf(id).thread].push_back(id);
  // Prefix closures: one pass per thread, at most threads x events on top of the pairs' budget.
  prefix_budget_ = trace_.threads() * (trace_.size() + 1) + 1;
  // A class is searched until a pair of it races.
  std::vector<uint8_t> found(classes_, 0);
  for (const Pair& pr : pairs) {
    if (found[pr.cls]) continue;
    const auto ga = kept(pr.a), gb = kept(pr.b);
    if (!PrefixClosures(trace_.HotOf(ga.front()).thread) ||
        !PrefixClosures(trace_.HotOf(gb.front()).thread)) {
      return false;
    }
    RaceWitness w;
    switch (Sweep(ga, gb, budget, &w)) {
      case Result::kFound:
        found[pr.cls] = 1;
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
