// Sound race prediction: sync-preserving races (SyncP; Mathur, Pavlogiannis & Viswanathan,
// "Optimal Prediction of Synchronization-Preserving Races", POPL 2021).
//
// Two conflicting accesses e1, e2 (same location, different threads, at least one a write,
// not both atomic) race in a sync-preserving way when the sync-preserving closure
// (predict_closure.h) of their thread predecessors contains neither: that closure, run in
// trace order, leaves both threads just before their access, both enabled. It and the two
// accesses are the witness.
//
// Accesses are grouped by (location, thread, read or write, site, locks held); two groups
// holding a common lock never race (the earlier critical section comes first, with its
// access), nor do two that fork and join order (all of one before all of the other). For each
// other pair of groups that conflict, the accesses are tried in trace order with one pointer
// per side, an access found inside the closure never being needed again (the closure only
// grows), so a pair of groups yields its first race. A location and pair of sites is one
// report: its pairs of groups are searched until one races, and at most kTriesPerClass of
// them, nearest threads first, so that thousands of threads running one line cost no more
// than a few.
// Locations are compared by address (accesses that start at the same byte) and, on binary traces,
// by the life of that memory (predict_lifetimes.h: a reused heap block or stack is another
// location, ordered by the allocator or thread library the trace does not show); a partial overlap is
// not predicted.
//
// Cost. The closure before an access of thread t is the prefix closure of t up to it; one
// growing closure per thread gives them all (O(threads x events) in all, computed for a thread
// when a search first needs it), and each is kept as
// a frontier (threads values; 32 MiB of them at most, beyond which only a group's first
// access keeps one). A pair's closure starts from the union of its accesses' prefix closures
// (the closure of a union of closed sets only needs the lock rules checked again), so a pair
// costs O(steps x locks x threads x log events) plus the events the union's lock rules add,
// within a work budget, instead of a closure over the trace each.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "predict_closure.h"
#include "predict_trace.h"

namespace threadlens::analysis {

struct RaceWitness {
  uint32_t first = 0, second = 0;  // the two accesses, earlier in the trace first
  std::vector<uint32_t> schedule;  // the closure in trace order
};

class RacePredictor {
 public:
  explicit RacePredictor(const PredictTrace& trace)
      : trace_(trace), closure_(trace), prefix_(trace) {}

  // Calls `on_race` with one race per pair of conflicting groups that has one; `skip` says
  // which pairs of accesses need no search (already reported). Stops when `budget` (closure
  // work) runs out; returns false then.
  bool FindAll(uint64_t& budget, const std::function<bool(uint32_t first, uint32_t second)>& skip,
               const std::function<void(const RaceWitness&)>& on_race);
  // Locations and pairs of sites on which the last FindAll searched only some pairs of
  // threads: the first kTriesPerClass pairs that fork and join do not order, nearest threads
  // first, among the first kChecksPerClass.
  uint64_t capped() const { return capped_; }
  static constexpr uint32_t kTriesPerClass = 64, kChecksPerClass = 4096;

 private:
  // Two groups of accesses to search, indices into the kept groups, and their class: their
  // location and pair of sites, a report's key (one race each).
  struct Pair {
    uint32_t a, b, cls;
  };
  // The pairs of one location's groups (same life and address; each one thread's accesses of
  // one site, kind and lock set) that may race; keeps their groups.
  void AddPairs(const std::vector<std::vector<uint32_t>>& groups,
                const std::function<bool(uint32_t, uint32_t)>& skip, std::vector<Pair>& pairs);
  // kFound / kNone / kOutOfBudget for one pair of groups.
  enum class Result { kFound, kNone, kOutOfBudget };
  // The first race of two groups (skipped pairs are never swept).
  Result Sweep(std::span<const uint32_t> a, std::span<const uint32_t> b, uint64_t& budget,
               RaceWitness* out);
  // The closure of what must run before each of the thread's fronts (its prefix closure),
  // kept as a frontier for PrefixOf; computed once, when a sweep first needs the thread.
  // False when the budget ran out.
  bool PrefixClosures(uint32_t thread);
  const uint32_t* PrefixOf(uint32_t id) const;  // null when not kept

  // Prefix closures kept, in frontier values (threads() per access): 32 MiB.
  static constexpr size_t kMaxPrefixValues = 8u << 20;
  const PredictTrace& trace_;
  SyncClosure closure_;
  SyncClosure prefix_;
  uint64_t prefix_budget_ = 0;
  std::vector<uint32_t> prefixes_;  // frontiers, threads() values each
  // Per thread: the accesses whose prefix closure is kept (ascending), each one's offset in
  // prefixes_, and whether they were computed.
  std::vector<std::vector<uint32_t>> fronts_, prefix_at_;
  std::vector<uint8_t> computed_;
  // The groups of the pairs to search, back to back: group k is kept_ids_[kept_at_[k] ..
  // kept_at_[k + 1]).
  std::vector<uint32_t> kept_ids_, kept_at_;
  uint32_t classes_ = 0;
  uint64_t capped_ = 0;
};

}  // namespace threadlens::analysis
