// The sync-preserving closure (predict_closure.h) against a naive fixpoint over event sets, on
// random executions; and its rules one by one on hand-written traces.
#include "predict_closure.h"

#include <gtest/gtest.h>

#include "predict_model.h"
#include "predict_reference.h"

namespace threadlens::testing {
namespace {

using analysis::PredictTrace;
using analysis::SyncClosure;

// The closure by its definition: grow a set of events until no rule adds one.
std::vector<uint32_t> NaiveClosure(const Exec& ex, const std::vector<uint32_t>& seed, int threads) {
  const size_t n = ex.size();
  std::vector<bool> in(n, false);
  std::vector<uint32_t> count(threads, 0);
  for (size_t i = 0; i < n; ++i) {
    if (count[ex[i].thread]++ < seed[ex[i].thread]) in[i] = true;
  }
  auto thread_of = [&](size_t i) { return ex[i].thread; };
  for (bool changed = true; changed;) {
    changed = false;
    auto add = [&](size_t i) {
      if (!in[i]) in[i] = changed = true;
    };
    for (size_t i = 0; i < n; ++i) {
      if (!in[i]) continue;
      for (size_t j = 0; j < i; ++j) {
        if (thread_of(j) == thread_of(i)) add(j);  // thread order
        if (ex[j].op == "fork" && ex[j].arg == thread_of(i)) add(j);
      }
      if (ex[i].op == "r") {  // reads-from: the last write before it
        for (size_t j = i; j-- > 0;) {
          if (ex[j].op == "w" && ex[j].arg == ex[i].arg) {
            add(j);
            break;
          }
        }
      }
      if (ex[i].op == "join") {
        for (size_t j = 0; j < n; ++j) {
          if (thread_of(j) == ex[i].arg) add(j);
        }
      }
      if (ex[i].op != "acq") continue;
      for (size_t k = i + 1; k < n; ++k) {  // a later acquire of the lock in the set
        if (!in[k] || ex[k].op != "acq" || ex[k].arg != ex[i].arg) continue;
        bool released = false;
        for (size_t r = i + 1; r < n && !released; ++r) {
          if (thread_of(r) == thread_of(i) && ex[r].op == "rel" && ex[r].arg == ex[i].arg) {
            add(r);
            released = true;
          }
        }
        break;
      }
    }
  }
  std::vector<uint32_t> frontier(threads, 0);
  for (size_t i = 0; i < n; ++i) {
    if (in[i]) ++frontier[thread_of(i)];
  }
  return frontier;
}

TEST(SyncClosure, MatchesTheNaiveFixpointOnRandomExecutions) {
  size_t grew = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Exec ex = RandomExecution(seed * 7919);
    const PredictTrace model = Model(ex);
    const int threads = static_cast<int>(model.threads());
    std::mt19937 rng(seed);
    SyncClosure closure(model);
    for (int round = 0; round < 5; ++round) {
      std::vector<uint32_t> start(threads, 0);
      for (int t = 0; t < threads; ++t) {
        const auto size = static_cast<uint32_t>(model.OfThread(t).size());
        if (rng() % 2) start[t] = rng() % (size + 1);
      }
      closure.Reset();
      for (int t = 0; t < threads; ++t) closure.Include(t, start[t]);
      closure.Close();
      const auto expected = NaiveClosure(ex, start, threads);
      ASSERT_EQ(closure.Frontier(), expected);
      if (expected != start) ++grew;
      // Growing it again gives the closure of the union, as from scratch.
      std::vector<uint32_t> more = expected;
      const int t = static_cast<int>(rng() % threads);
      more[t] = std::min<uint32_t>(more[t] + 1, static_cast<uint32_t>(model.OfThread(t).size()));
      closure.Include(t, more[t]);
      closure.Close();
      EXPECT_EQ(closure.Frontier(), NaiveClosure(ex, more, threads));
    }
  }
  EXPECT_GT(grew, 100u);  // the rules did work, not only the seeds
}

// Two closed sets added whole (IncludeClosed) close to the closure of their union, as the
// naive fixpoint of the two seeds together does; and the set never stops short of either.
TEST(SyncClosure, UnionOfClosedSetsMatchesTheNaiveFixpoint) {
  size_t grew = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Exec ex = RandomExecution(seed * 104729);
    const PredictTrace model = Model(ex);
    const int threads = static_cast<int>(model.threads());
    std::mt19937 rng(seed);
    SyncClosure a(model), b(model), both(model);
    for (int round = 0; round < 5; ++round) {
      std::vector<uint32_t> sa(threads, 0), sb(threads, 0), su(threads, 0);
      for (int t = 0; t < threads; ++t) {
        const auto size = static_cast<uint32_t>(model.OfThread(t).size());
        if (rng() % 3 == 0) sa[t] = rng() % (size + 1);
        if (rng() % 3 == 0) sb[t] = rng() % (size + 1);
        su[t] = std::max(sa[t], sb[t]);
      }
      for (auto [c, s] : {std::pair{&a, &sa}, std::pair{&b, &sb}}) {
        c->Reset();
        for (int t = 0; t < threads; ++t) c->Include(t, (*s)[t]);
        c->Close();
      }
      both.Reset();
      both.IncludeClosed(a.Frontier());
      both.IncludeClosed(b.Frontier());
      both.Close();
      const auto expected = NaiveClosure(ex, su, threads);
      ASSERT_EQ(both.Frontier(), expected);
      for (int t = 0; t < threads; ++t) {
        if (expected[t] > std::max(a.Frontier()[t], b.Frontier()[t])) ++grew;
      }
    }
  }
  EXPECT_GT(grew, 20u);  // the union's lock rules added events neither set had
}

// T1: acq L1, w V1, rel L1      T2: acq L1, r V1, rel L1, acq L2
Exec Handoff() {
  return {{0, "fork", 1}, {0, "fork", 2}, {1, "acq", 1}, {1, "w", 1},   {1, "rel", 1},
          {2, "acq", 1},  {2, "r", 1},    {2, "rel", 1}, {2, "acq", 2}, {2, "rel", 2}};
}

TEST(SyncClosure, AReadBringsItsWriterAndTheWritersCreation) {
  const Exec ex = Handoff();
  const PredictTrace model = Model(ex);
  SyncClosure c(model);
  c.Include(2, 2);  // T2's acq L1, r V1
  c.Close();
  // The write, T1's acquire before it; both acquires of L1 in the set: T1's release too.
  EXPECT_EQ(c.Frontier(), (std::vector<uint32_t>{2, 3, 2}));
}

TEST(SyncClosure, TwoCriticalSectionsKeepTheirOrder) {
  Exec ex = {{0, "fork", 1}, {0, "fork", 2}, {1, "acq", 1}, {1, "rel", 1},
             {1, "w", 2},    {2, "acq", 1},  {2, "rel", 1}};
  const PredictTrace model = Model(ex);
  SyncClosure c(model);
  c.Include(2, 1);  // T2's acquire of L1
  c.Close();
  EXPECT_EQ(c.Frontier(), (std::vector<uint32_t>{2, 0, 1}));  // T1 need not have run
  c.Include(1, 1);  // T1's acquire, earlier in the trace: its release must come in
  c.Close();
  EXPECT_EQ(c.Frontier(), (std::vector<uint32_t>{2, 2, 1}));
  EXPECT_FALSE(c.Contains(4));  // T1's write after the release stays out
}

TEST(SyncClosure, AJoinBringsTheWholeThread) {
  Exec ex = {{0, "fork", 1}, {1, "w", 1}, {1, "w", 2}, {0, "join", 1}, {0, "r", 3}};
  const PredictTrace model = Model(ex);
  SyncClosure c(model);
  c.Include(0, 2);
  c.Close();
  EXPECT_EQ(c.Frontier(), (std::vector<uint32_t>{2, 2}));
  const auto order = c.Linearize();
  EXPECT_EQ(order, (std::vector<uint32_t>{0, 1, 2, 3}));
}

}  // namespace
}  // namespace threadlens::testing
