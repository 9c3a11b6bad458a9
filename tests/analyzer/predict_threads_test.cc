// Race prediction on traces of many threads: fork and join order pairs of access groups away
// before any search, and a location and pair of sites is searched on its nearest pairs of
// threads only, until one races.
#include <gtest/gtest.h>

#include <cstdlib>

#include "predict_race.h"
#include "predict_trace.h"

namespace threadlens::testing {
namespace {

using analysis::PredictTrace;
using analysis::RacePredictor;
using analysis::RaceWitness;
using Op = PredictTrace::Op;

// Events added one by one, each with the site given (equal sites: one line of code run by
// several threads).
class Builder {
 public:
  explicit Builder(int threads) {
    for (int i = 0; i < threads; ++i) trace_.AddThread(i, i + 1);
  }
  uint32_t Add(uint32_t thread, Op op, uint64_t obj, uint64_t site) {
    PredictTrace::Event e;
    e.thread = thread;
    e.op = op;
    e.obj = obj;
    e.site = site;
    e.index = next_;
    trace_.Add(e);
    return next_++;
  }
  PredictTrace& Done() {
    trace_.Finalize();
    return trace_;
  }

 private:
  PredictTrace trace_;
  uint32_t next_ = 0;
};

constexpr uint64_t kVar = 0x1000;

TEST(PredictThreads, ForkJoinBeforeFollowsForksAndJoinsBothWays) {
  Builder b(4);
  const uint32_t before_fork = b.Add(0, Op::kWrite, kVar, 1);
  b.Add(0, Op::kFork, 1, 2);
  const uint32_t in_t1 = b.Add(1, Op::kWrite, kVar, 3);
  b.Add(1, Op::kFork, 2, 4);
  const uint32_t in_t2 = b.Add(2, Op::kWrite, kVar, 5);
  b.Add(0, Op::kFork, 3, 6);
  const uint32_t in_t3 = b.Add(3, Op::kWrite, kVar, 7);
  b.Add(0, Op::kJoin, 1, 8);
  const uint32_t after_join = b.Add(0, Op::kWrite, kVar, 9);
  const PredictTrace& t = b.Done();
  EXPECT_TRUE(t.ForkJoinBefore(before_fork, in_t1));
  EXPECT_TRUE(t.ForkJoinBefore(before_fork, in_t2));  // two forks deep
  EXPECT_TRUE(t.ForkJoinBefore(in_t1, after_join));
  EXPECT_FALSE(t.ForkJoinBefore(in_t1, before_fork));
  EXPECT_FALSE(t.ForkJoinBefore(after_join, in_t1));
  // T2 is never joined, T3 runs beside T1 and T2.
  EXPECT_FALSE(t.ForkJoinBefore(in_t2, after_join));
  EXPECT_FALSE(t.ForkJoinBefore(in_t1, in_t3));
  EXPECT_FALSE(t.ForkJoinBefore(in_t3, in_t1));
  EXPECT_FALSE(t.ForkJoinBefore(in_t2, in_t3));
}

struct Found {
  std::vector<RaceWitness> races;
  bool complete = false;
  uint64_t capped = 0;
};

Found Predict(const PredictTrace& t) {
  Found f;
  RacePredictor p(t);
  uint64_t budget = 100 * t.size() + 1'000'000;
  f.complete = p.FindAll(
      budget, [](uint32_t, uint32_t) { return false; },
      [&](const RaceWitness& w) { f.races.push_back(w); });
  f.capped = p.capped();
  return f;
}

// Main starts `n` workers that all write one variable on one line, then joins them; with
// `one_at_a_time`, it joins each before starting the next.
PredictTrace& Workers(Builder& b, uint32_t n, bool one_at_a_time) {
  for (uint32_t w = 1; w <= n; ++w) {
    b.Add(0, Op::kFork, w, 1);
    b.Add(w, Op::kWrite, kVar, 2);
    if (one_at_a_time) b.Add(0, Op::kJoin, w, 3);
  }
  if (!one_at_a_time) {
    for (uint32_t w = 1; w <= n; ++w) b.Add(0, Op::kJoin, w, 3);
  }
  return b.Done();
}

TEST(PredictThreads, ManyThreadsOnOneLineAreOneSearchThatFindsTheRace) {
  Builder b(41);
  const Found f = Predict(Workers(b, 40, false));
  EXPECT_TRUE(f.complete);
  // 40 threads make 780 pairs of one location and pair of sites: one race is its report.
  ASSERT_EQ(f.races.size(), 1u);
  // The nearest threads first: neighbours, started one after the other.
  const PredictTrace& t = b.Done();
  const auto a = t.HotOf(f.races[0].first).thread, c = t.HotOf(f.races[0].second).thread;
  EXPECT_EQ(std::abs(static_cast<int>(a) - static_cast<int>(c)), 1);
  EXPECT_EQ(f.capped, 1u);
}

TEST(PredictThreads, ThreadsJoinedBeforeTheNextStartsAreNeverPaired) {
  Builder b(41);
  const Found f = Predict(Workers(b, 40, true));
  EXPECT_TRUE(f.complete);
  EXPECT_TRUE(f.races.empty());
  // Fork and join order every pair: none is searched, so none is left out either.
  EXPECT_EQ(f.capped, 0u);
}

TEST(PredictThreads, AFewThreadsAreSearchedOnEveryPair) {
  // 5 threads: 10 pairs, within the tries of one location and pair of sites.
  Builder b(6);
  const Found f = Predict(Workers(b, 5, false));
  ASSERT_EQ(f.races.size(), 1u);
  EXPECT_EQ(f.capped, 0u);
}

}  // namespace
}  // namespace threadlens::testing
