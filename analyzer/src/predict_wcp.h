// Weak-causally-precedes (WCP; Kini, Mathur & Viswanathan, "Dynamic Race Prediction in Linear
// Time", PLDI 2017): a relation weaker than happens-before that orders a release before a later
// critical section of the same lock only when the two sections conflict (rule a: the release
// before the conflicting access), or when the later section's release follows the earlier
// section's acquire (rule b: release before release), closed under composition with
// happens-before on both sides. Thread order, forks, joins, notifications and posts order as
// in happens-before.
//
// Two conflicting accesses WCP leaves unordered are a candidate race: WCP is only weakly sound
// (the first such pair is a race or a deadlock of some reordering, later ones may be neither),
// so a candidate is a prediction only once a schedule proves it (predict_schedule.h).
//
// The paper's one-pass vector-clock algorithm, in trace order: per thread a WCP clock and a
// happens-before clock, per lock the clocks of its last release, per (lock, location) the
// happens-before clocks of the releases of sections that read and that wrote it (rule a), and
// per lock one list of its sections (acquire's WCP clock, release's happens-before clock) that
// each thread walks forward at its releases (rule b; the paper's per-thread queues, shared).
// Time O(events x threads), plus O(held locks x threads) per access and O(threads) per
// section each thread walks past at its releases (O(sections x threads^2) in all), plus the
// group comparisons, bounded by a budget; memory O(threads^2 +
// locks x threads + (lock, location) pairs x threads + sections x threads), the last only
// for locks that more than one thread takes; a section leaves the list once every thread
// that takes the lock has passed it. The clocks are capped at 64 MiB (the pass then stops, with
// the candidates found so far); per location accessed, its threads' latest accesses.
//
// Candidates: accesses are grouped as the sync-preserving search groups them (location,
// thread, read or write, site, locks held); at each access, each conflicting group of another
// thread whose latest access is not WCP-ordered before it gives one candidate per pair of
// groups. Groups that hold a common lock are never candidates (rule a orders them). Each
// location keeps its threads' latest read and write, so that the groups are compared only at
// an access some other thread's latest one is unordered with.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "predict_trace.h"

namespace threadlens::analysis {

class WcpRaces {
 public:
  explicit WcpRaces(const PredictTrace& trace) : trace_(trace) {}

  // Pairs of accesses (earlier first, in the order found) that WCP leaves unordered, at most
  // one per pair of groups. `budget` bounds the group comparisons; false when it ran out (the
  // pairs found so far are kept).
  bool Candidates(uint64_t& budget, std::vector<std::pair<uint32_t, uint32_t>>* out);
  // Whether the last pass stopped because its clocks reached kMaxClockBytes (not its budget):
  // two threads-by-threads clocks alone pass it beyond about 2 900 threads.
  bool clocks_capped() const { return clocks_capped_; }
  static constexpr size_t kMaxClockBytes = 64u << 20;

 private:
  bool CapClocks();  // sets clocks_capped_, returns false

  const PredictTrace& trace_;
  bool clocks_capped_ = false;
};

}  // namespace threadlens::analysis
