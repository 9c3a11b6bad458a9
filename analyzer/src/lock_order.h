// Lock-order detector: the lock-order graph (edge A -> B when a thread takes B while holding
// A) and its potential deadlocks, after GoodLock (Havelund, SPIN 2000) with the iGoodlock
// conditions of Joshi et al. (PLDI 2009): a cycle is reported when its edges can come from
// distinct threads whose held-lock sets are pairwise disjoint (no gate lock). Severity is
// error when those threads could run at the same time, warning when fork/join (or a
// condition-variable signal and the wake-up it caused) orders them. A cycle whose edges only
// one thread takes (held sets still disjoint) is a warning of subkind `one-thread`.
//
// Cycles are found per strongly connected component (Tarjan), enumerated as elementary
// cycles from their smallest lock, shortest cycles first (iterative-deepening DFS, like
// Johnson's enumeration without its blocking lists), up to `max_length` edges and
// `max_cycles` cycles; a note says when either bound cut the search. Cost per acquisition: O(locks held). Memory: the graph
// (edges x a bounded number of thread/lock-set variants per edge).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

struct LockOrderOptions {
  size_t max_length = 64;         // longest cycle enumerated, in edges
  size_t max_cycles = 10000;      // cycles enumerated in all
  size_t max_reports = 1000;      // cycles reported
  size_t max_variants = 32;       // distinct (thread, held set) per edge
  // Edges per acquisition: from the outermost and innermost locks held only (half each), so
  // n nested locks make O(n) edges, not n^2/2. Outer locks are the coarse ones that meet
  // inner ones in reverse elsewhere; the middle of a deep nest rarely does.
  size_t max_held_edges = 16;
};

class LockOrderDetector {
 public:
  explicit LockOrderDetector(LockOrderOptions opts = {}) : opts_(opts) {}

  // Thread `t` takes `to` (not a re-entry) holding `held` (in the order it took them);
  // `to_side` is the acquisition, `held_set` the sorted held locks (including every lock of
  // `held`). Returns whether an edge kept the thread's fork/join clock.
  bool OnAcquire(const ThreadCtx& t, const std::vector<Held>& held, uint64_t to,
                 const SideRef& to_side, const std::vector<uint64_t>& held_set);
  // The lock at `lock` is destroyed, or memory over [base, base+size) is allocated anew: a
  // lock there later is another lock (a node of its own), as two mutexes a program made at
  // one address one after the other are. (A lock is known by its address.)
  void Retire(uint64_t lock) { RetireRange(lock, 1); }
  void RetireRange(uint64_t base, uint64_t size) {
    if (graphed_.empty() || base > graphed_.back() || base + size <= graphed_.front()) return;
    RetireSlow(base, size);
  }

  // One graph edge, for reports.
  struct GraphEdge {
    uint64_t from = 0, to = 0;
    std::vector<uint32_t> tids;
    SideRef from_site, to_site;
    uint64_t count = 0;
  };
  std::vector<GraphEdge> Graph() const;

  // Enumerates the cycles and returns the findings; `notes` receives what was cut.
  std::vector<RawFinding> Find(std::vector<std::string>& notes);

 private:
  struct Variant {
    uint32_t tid = 0;
    uint32_t dense = 0;
    uint32_t fj_slot = 0;  // the thread's entry in fork/join clocks
    std::shared_ptr<std::vector<uint64_t>> held;  // sorted
    std::shared_ptr<const VectorClock> fork_join;
    SideRef from_site, to_site;
  };
  struct Edge {
    uint64_t from = 0, to = 0;
    uint32_t from_gen = 0, to_gen = 0;  // which lock at that address (Retire)
    uint64_t count = 0;
    std::vector<Variant> variants;
    bool variants_full = false;
  };
  struct EdgeKey {
    uint64_t from, to;
    uint32_t from_gen, to_gen;
    bool operator==(const EdgeKey&) const = default;
  };
  struct EdgeKeyHash {
    size_t operator()(const EdgeKey& k) const {
      return static_cast<size_t>((k.from + k.from_gen) * 0x9E3779B97F4A7C15ull ^
                                 ((k.to + k.to_gen) * 0xC2B2AE3D27D4EB4Full));
    }
  };
  uint32_t Generation(uint64_t lock) const {
    if (generation_.empty()) return 0;
    auto it = generation_.find(lock);
    return it == generation_.end() ? 0 : it->second;
  }
  void Graphed(uint64_t lock);
  void RetireSlow(uint64_t base, uint64_t size);

  // Picks one variant per edge of `cycle` (edge indices): distinct threads, pairwise disjoint
  // held sets (`one_thread_ok`: threads may repeat); prefers threads that could run
  // concurrently. False when none qualifies.
  bool Choose(const std::vector<uint32_t>& cycle, std::vector<const Variant*>& chosen,
              bool& concurrent, uint64_t& budget, bool one_thread_ok) const;

  LockOrderOptions opts_;
  std::vector<Edge> edges_;
  std::unordered_map<EdgeKey, uint32_t, EdgeKeyHash> edge_index_;
  // Locks of the current generation that have edges, sorted; and the generation of each
  // address retired at least once.
  std::vector<uint64_t> graphed_;
  std::unordered_map<uint64_t, uint32_t> generation_;
  bool variants_cut_ = false;
  uint64_t held_cut_ = 0;  // acquisitions that held more than max_held_edges locks
};

// Elementary cycles of a directed graph given as adjacency lists over nodes 0..n-1, each
// cycle as its node sequence starting at its smallest node. Shared with the tests' brute
// force. Stops after `max_cycles` (sets *cut) and ignores cycles longer than `max_length`.
// `components`, when given, receives each node's strongly connected component.
std::vector<std::vector<uint32_t>> ElementaryCycles(
    const std::vector<std::vector<uint32_t>>& adj, size_t max_length, size_t max_cycles,
    bool* cut, std::vector<uint32_t>* components = nullptr);

}  // namespace threadlens::analysis
