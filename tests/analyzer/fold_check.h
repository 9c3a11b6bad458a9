// A randomized check of one of the tracer's rules for leaving out repeated rounds
// (lock_rounds_test.cc, store_rounds_test.cc): random traces, folded by the rule as the test
// writes it out, must race on the same variables as the whole traces; two weaker rules are
// counted where they do not, to show what each condition of the rule is for.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace threadlens::testing {

// A trace's racing variables, its events added to `s` by `add` (names of variables, locks
// and such already in `s`).
template <typename Ev, typename Add>
std::vector<std::string> RoundRaces(VectorSource& s, const std::vector<Ev>& ev, Add add) {
  for (const Ev& e : ev) add(s, e);
  AnalyzeOptions o = TestOptions();
  o.max_races = 100000;
  return RacingVariables(Analyze(s, o));
}

// A fold's records in the merged order, each kept or left out by a later fold.
template <typename Ev>
struct FoldedTrace {
  std::vector<Ev> out;
  std::vector<bool> gone;
  // Appends `e`, and its index to its thread's records `buf`.
  void Keep(std::vector<size_t>& buf, const Ev& e) {
    out.push_back(e);
    gone.push_back(false);
    buf.push_back(out.size() - 1);
  }
  // Leaves out the thread's records buf[from, to).
  void Drop(const std::vector<size_t>& buf, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) gone[buf[i]] = true;
  }
  std::vector<Ev> Kept() const {
    std::vector<Ev> kept;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!gone[i]) kept.push_back(out[i]);
    }
    return kept;
  }
};

struct FoldCounts {
  size_t folded = 0;       // rounds the rule left out
  size_t first_differ = 0;   // traces whose races the first weaker rule changed
  size_t second_differ = 0;  // the same for the second
};

// `random(rng)`: a trace; `races(trace)`: its racing variables; `fold(trace, rule, &folded)`:
// the trace folded by the rule (0), the first weaker one (1) or the second (2).
template <typename Random, typename Races, typename Fold>
::testing::AssertionResult CheckFolds(uint32_t seed, Random random, Races races, Fold fold,
                                      FoldCounts& n) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 1500; ++iter) {
    const auto ev = random(rng);
    const std::vector<std::string> whole = races(ev);
    if (races(fold(ev, 0, &n.folded)) != whole) {
      return ::testing::AssertionFailure() << "iteration " << iter << " races differ";
    }
    size_t ignored = 0;
    n.first_differ += races(fold(ev, 1, &ignored)) != whole;
    n.second_differ += races(fold(ev, 2, &ignored)) != whole;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace threadlens::testing
