// Semaphore hang prediction (analyze with `predict`): sem_waits that returned in the run but
// block forever in a reordering, on hand-written traces with their correct twins, an older
// trace without initial counts, and random programs against a brute force; every witness
// through the witness checker.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "predict_reference_sem.h"
#include "predict_stuck.h"
#include "predict_trace.h"
#include "test_util.h"
#include "witness_checker.h"

namespace threadlens::testing {
namespace {

using K = trace::EventKind;
constexpr uint64_t kSem = 0x5E, kPong = 0x6E, kLock = 0x10;

AnalyzeOptions SemOptions() {
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  o.races = false;
  o.max_witness_steps = 1'000'000;
  return o;
}

using Build = std::function<void(VectorSource&)>;

// The predicted findings, "kind: title [relation]", each witness checked.
std::vector<std::string> Predicted(const Build& build, std::vector<Finding>* out = nullptr) {
  VectorSource a, b;
  build(a);
  build(b);
  const auto stream = ReadAll(a);
  const Report r = Analyze(b, SemOptions());
  std::vector<std::string> titles;
  for (const Finding& f : r.findings) {
    if (!f.predicted || !*f.predicted) continue;
    EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
    EXPECT_EQ(f.severity, Severity::kError);
    titles.push_back(f.kind + ": " + f.title + " [" + f.relation + "]");
    if (out) out->push_back(f);
  }
  return titles;
}

void Wait(VectorSource& s, uint32_t tid, uint64_t sem, const char* site) {
  s.Add(tid, K::kSemWaitBegin, sem, 0, 0, s.Site(site));
  s.Add(tid, K::kSemWaitEnd, sem, 0, 0, s.Site(site));
}

// One semaphore for both directions of a hand-off: T1 posts a request, then waits on the same
// semaphore for the reply. In the run T2 took the request first; had T1 been quicker it would
// take its own post, and T2 would wait forever.
void PingPong(VectorSource& s, bool with_init) {
  if (with_init) s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
  s.Add(1, K::kThreadCreate, 2);
  s.Add(2, K::kThreadStart, 1);
  s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:5"));
  Wait(s, 2, kSem, "worker.cc:8");
  s.Add(2, K::kSemPost, kSem, 0, 0, s.Site("worker.cc:9"));
  s.Add(2, K::kThreadExit);
  Wait(s, 1, kSem, "main.cc:6");
  s.Add(1, K::kThreadJoin, 2);
}

// The twin: a semaphore per direction.
void PingPongTwoSems(VectorSource& s) {
  s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
  s.Add(1, K::kSemInit, kPong, 0, 0, s.Site("main.cc:4"), 0);
  s.Add(1, K::kThreadCreate, 2);
  s.Add(2, K::kThreadStart, 1);
  s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:5"));
  Wait(s, 2, kSem, "worker.cc:8");
  s.Add(2, K::kSemPost, kPong, 0, 0, s.Site("worker.cc:9"));
  s.Add(2, K::kThreadExit);
  Wait(s, 1, kPong, "main.cc:6");
  s.Add(1, K::kThreadJoin, 2);
}

TEST(PredictSem, OnePostTwoWaitersIsAHang) {
  std::vector<Finding> found;
  EXPECT_EQ(Predicted([](VectorSource& s) { PingPong(s, true); }, &found),
            std::vector<std::string>{"hang: predicted hang: T2 waits forever on semaphore "
                                     "sem@0x5e, whose posts go to other waits first or never "
                                     "come [sem-count]"});
  ASSERT_EQ(found.size(), 1u);
  // T1 takes its own post, then blocks on its join; T2 is left in sem_wait.
  std::string schedule;
  for (const WitnessStep& w : found[0].witness) schedule += w.thread + ":" + w.op + " ";
  EXPECT_EQ(schedule, "T1:create T1:sem-post T1:sem-take T1:join-blocked T2:sem-wait ");
}

TEST(PredictSem, ASemaphorePerDirectionHangsNever) {
  EXPECT_EQ(Predicted(PingPongTwoSems), std::vector<std::string>{});
}

TEST(PredictSem, WithoutInitialCountsNothingIsPredicted) {
  EXPECT_EQ(Predicted([](VectorSource& s) { PingPong(s, false); }), std::vector<std::string>{});
}

// A semaphore used before its initialization: its count there is not known.
TEST(PredictSem, ASemaphoreUsedBeforeItsInitIsNotPredicted) {
  auto build = [](VectorSource& s) {
    s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:2"));
    Wait(s, 1, kSem, "main.cc:2");
    PingPong(s, true);
  };
  EXPECT_EQ(Predicted(build), std::vector<std::string>{});
}

// A semaphore initialized again at its address (a local one, a loop) is a new semaphore each
// time: the hand-off of each round is predicted (the rounds' sites are distinct strings).
TEST(PredictSem, EachInitializationStartsANewSemaphore) {
  auto build = [](VectorSource& s) {
    PingPong(s, true);
    s.Add(1, K::kThreadCreate, 3);
    s.Add(3, K::kThreadStart, 1);
    s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
    s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:5"));
    Wait(s, 3, kSem, "worker.cc:8");
    s.Add(3, K::kSemPost, kSem, 0, 0, s.Site("worker.cc:9"));
    s.Add(3, K::kThreadExit);
    Wait(s, 1, kSem, "main.cc:6");
    s.Add(1, K::kThreadJoin, 3);
  };
  EXPECT_EQ(Predicted(build),
            (std::vector<std::string>{"hang: predicted hang: T2 waits forever on semaphore "
                                      "sem@0x5e, whose posts go to other waits first or never "
                                      "come [sem-count]",
                                      "hang: predicted hang: T3 waits forever on semaphore "
                                      "sem@0x5e, whose posts go to other waits first or never "
                                      "come [sem-count]"}));
  // With 16 initializations and more, the last generation's count is unknown.
  auto many = [&](VectorSource& s) {
    for (int i = 0; i < 16; ++i) s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
    PingPong(s, true);
  };
  EXPECT_EQ(Predicted(many), std::vector<std::string>{});
}

// The replay places a generation's initialization where its thread made it: no use of the
// semaphore before it, and no use of the previous generation after it.
TEST(PredictSem, TheReplayKeepsGenerationsApart) {
  using analysis::PredictTrace;
  using analysis::Replay;
  PredictTrace trace;
  trace.AddThread(0, 1);
  trace.AddThread(1, 2);
  auto add = [&](uint32_t thread, PredictTrace::Op op, uint64_t key) {
    PredictTrace::Event e;
    e.obj = key;
    e.index = trace.size();
    e.thread = thread;
    e.op = op;
    trace.Add(e);
  };
  const uint64_t key = 2ull << 60 | kSem;
  trace.SemInit(key, 1, 0);
  add(1, PredictTrace::Op::kPend, trace.SemKey(key));  // 0: takes generation 0's count
  add(0, PredictTrace::Op::kWrite, 0x98);              // 1
  trace.SemInit(key, 0, 0);                            // generation 1, after event 1
  add(0, PredictTrace::Op::kPost, trace.SemKey(key));  // 2
  add(0, PredictTrace::Op::kPend, trace.SemKey(key));  // 3
  trace.Finalize();
  ASSERT_EQ(trace.KnownSemaphores().size(), 2u);
  auto run = [&](const std::vector<uint32_t>& schedule) -> std::string {
    Replay r(trace);
    for (uint32_t id : schedule) {
      if (const char* why = r.Check(id)) return why;
      r.Apply(id);
    }
    return "";
  };
  EXPECT_EQ(run({0, 1, 2, 3}), "");
  EXPECT_EQ(run({1, 0, 2, 3}), "");  // generation 1 begins only before event 2
  EXPECT_EQ(run({1, 2, 0}), "a semaphore used after it was initialized again");
  EXPECT_EQ(run({1, 2, 3, 0}), "a semaphore used after it was initialized again");
}

// The witness checker keeps them apart too: a step on a semaphore before its sem_init, or on
// the previous one after it, is no real execution.
TEST(PredictSem, TheCheckerKeepsGenerationsApart) {
  VectorSource s;
  s.Add(1, K::kSemInit, kSem, 0, 0, 0, 1);  // 0
  s.Add(1, K::kThreadCreate, 2);            // 1
  s.Add(2, K::kThreadStart, 1);             // 2
  Wait(s, 2, kSem, "worker.cc:3");          // 3, 4: generation 0
  s.Add(1, K::kSemPost, kSem);              // 5
  s.Add(1, K::kSemInit, kSem, 0, 0, 0, 0);  // 6: generation 1, after T1's create and post
  s.Add(1, K::kSemPost, kSem);              // 7
  Wait(s, 2, kSem, "worker.cc:5");          // 8, 9: generation 1
  s.Add(2, K::kThreadExit);
  s.Add(1, K::kThreadJoin, 2);  // 11
  const auto stream = ReadAll(s);
  auto check = [&](const std::vector<std::pair<uint32_t, uint64_t>>& steps) {
    Finding f;
    f.kind = "hang";
    for (auto [tid, index] : steps) {
      WitnessStep w;
      w.tid = tid;
      w.thread = "T" + std::to_string(tid);
      w.op = "step";
      w.event_index = index;
      f.witness.push_back(w);
    }
    return CheckWitness(stream, f);
  };
  // In the run's order every step is fine; the checker then finds nothing stuck.
  EXPECT_EQ(check({{1, 1}, {2, 4}, {1, 5}, {1, 7}, {2, 9}, {1, 11}}),
            "no thread waits on a condition variable or a semaphore");
  EXPECT_EQ(check({{1, 1}, {1, 5}, {1, 7}, {2, 4}}), "T2 uses a semaphore initialized again since");
  EXPECT_EQ(check({{1, 1}, {2, 4}, {2, 9}}), "T2 uses a semaphore before its sem_init");
}

// T2 waits holding L; T3 posts holding L. In the run T3 went first.
void PostUnderLock(VectorSource& s, bool waiter_holds_lock) {
  s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
  s.Add(1, K::kThreadCreate, 2);
  s.Add(1, K::kThreadCreate, 3);
  s.Add(2, K::kThreadStart, 1);
  s.Add(3, K::kThreadStart, 1);
  s.Add(3, K::kLockAcquired, kLock, 0, 1, s.Site("poster.cc:10"));
  s.Add(3, K::kSemPost, kSem, 0, 0, s.Site("poster.cc:11"));
  s.Add(3, K::kLockRelease, kLock, 0, 0, s.Site("poster.cc:12"));
  s.Add(3, K::kThreadExit);
  if (waiter_holds_lock) {
    s.Add(2, K::kLockAcquired, kLock, 0, 1, s.Site("waiter.cc:20"));
    Wait(s, 2, kSem, "waiter.cc:21");
    s.Add(2, K::kLockRelease, kLock, 0, 0, s.Site("waiter.cc:22"));
  } else {
    Wait(s, 2, kSem, "waiter.cc:21");
    s.Add(2, K::kLockAcquired, kLock, 0, 1, s.Site("waiter.cc:20"));
    s.Add(2, K::kLockRelease, kLock, 0, 0, s.Site("waiter.cc:22"));
  }
  s.Add(2, K::kThreadExit);
  s.Add(1, K::kThreadJoin, 2);
  s.Add(1, K::kThreadJoin, 3);
}

TEST(PredictSem, WaitingHoldingThePostersLockDeadlocks) {
  std::vector<Finding> found;
  EXPECT_EQ(Predicted([](VectorSource& s) { PostUnderLock(s, true); }, &found),
            std::vector<std::string>{"deadlock: predicted deadlock: T2 waits for T3 to post "
                                     "sem@0x5e; T3 waits for mutex@0x10 held by T2 [sem-count]"});
  ASSERT_EQ(found.size(), 1u);
  // T1 blocks on its join, T2 in sem_wait holding L, T3 on L.
  std::string ends;
  for (size_t i = found[0].witness.size() - 3; i < found[0].witness.size(); ++i) {
    ends += found[0].witness[i].thread + ":" + found[0].witness[i].op + " ";
  }
  EXPECT_EQ(ends, "T1:join-blocked T2:sem-wait T3:request ");
}

TEST(PredictSem, WaitingWithoutTheLockDeadlocksNever) {
  EXPECT_EQ(Predicted([](VectorSource& s) { PostUnderLock(s, false); }),
            std::vector<std::string>{});
}

// Enough posts for every wait: no order leaves one without.
TEST(PredictSem, APostPerWaitHangsNever) {
  auto build = [](VectorSource& s) {
    s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 1);
    s.Add(1, K::kThreadCreate, 2);
    s.Add(1, K::kThreadCreate, 3);
    s.Add(2, K::kThreadStart, 1);
    s.Add(3, K::kThreadStart, 1);
    Wait(s, 2, kSem, "worker.cc:8");
    s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:5"));
    Wait(s, 3, kSem, "worker.cc:8");
    s.Add(2, K::kThreadExit);
    s.Add(3, K::kThreadExit);
    s.Add(1, K::kThreadJoin, 2);
    s.Add(1, K::kThreadJoin, 3);
  };
  EXPECT_EQ(Predicted(build), std::vector<std::string>{});
}

// A trywait that found nothing in the run must find nothing in the reordering: T2's failed
// trywait keeps T1's post after it, so T3 always gets that post.
TEST(PredictSem, AFailedTryWaitKeepsItsOutcome) {
  auto build = [](VectorSource& s) {
    s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:3"), 0);
    s.Add(1, K::kThreadCreate, 2);
    s.Add(1, K::kThreadCreate, 3);
    s.Add(2, K::kThreadStart, 1);
    s.Add(3, K::kThreadStart, 1);
    s.Add(2, K::kSemWaitBegin, kSem, trace::kTry, 0, s.Site("worker.cc:4"));
    s.Add(2, K::kSemWaitEnd, kSem, trace::kTry | trace::kFailed, 0, s.Site("worker.cc:4"));
    s.Add(2, K::kThreadExit);
    s.Add(1, K::kSemPost, kSem, 0, 0, s.Site("main.cc:5"));
    Wait(s, 3, kSem, "worker.cc:8");
    s.Add(3, K::kThreadExit);
    s.Add(1, K::kThreadJoin, 2);
    s.Add(1, K::kThreadJoin, 3);
  };
  EXPECT_EQ(Predicted(build), std::vector<std::string>{});
}

// Random semaphore programs: every predicted waiter is left in sem_wait in a stuck state some
// correct reordering reaches (the brute force), and every witness replays.
TEST(PredictSem, EveryPredictionIsAStuckStateOfTheBruteForce) {
  size_t predicted = 0, runs_with_stuck = 0, runs_found = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const SemExec ex = RandomSemExecution(seed * 7919);
    const std::set<uint32_t> stuck = StuckSemWaiters(ex);
    bool any = false;
    std::vector<Finding> found;
    Predicted([&](VectorSource& s) { SemToSource(ex, s); }, &found);
    for (const Finding& f : found) {
      EXPECT_TRUE(f.kind == "hang" || f.kind == "deadlock") << f.title;
      for (const WitnessStep& w : f.witness) {
        if (w.op == "sem-wait") EXPECT_TRUE(stuck.count(w.tid)) << f.title;
      }
      ++predicted;
      any = true;
    }
    // Without the initial count nothing is predicted on the semaphore.
    EXPECT_EQ(Predicted([&](VectorSource& s) { SemToSource(ex, s, false); }),
              std::vector<std::string>{});
    runs_with_stuck += !stuck.empty();
    runs_found += any;
  }
  EXPECT_GT(predicted, 20u);
  EXPECT_GE(runs_with_stuck, runs_found);
  EXPECT_GT(runs_found * 4, runs_with_stuck * 3);  // most of what exists
  RecordProperty("predicted", static_cast<int>(predicted));
  RecordProperty("runs_with_a_stuck_waiter", static_cast<int>(runs_with_stuck));
  RecordProperty("runs_predicted", static_cast<int>(runs_found));
}

// Arbitrary semaphore traces (inits anywhere or twice, waits with no post, unbalanced locks,
// two semaphores): the analysis never fails, and whatever it predicts replays.
TEST(PredictSem, ArbitraryTracesNeverBreakIt) {
  size_t predicted = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    auto build = [seed](VectorSource& s) {
      std::mt19937 rng(seed);
      auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
      s.Add(1, K::kThreadCreate, 2).Add(1, K::kThreadCreate, 3);
      s.Add(2, K::kThreadStart, 1).Add(3, K::kThreadStart, 1);
      for (int i = 0, n = 5 + pick(30); i < n; ++i) {
        const uint32_t tid = 1 + pick(3);
        const uint64_t sem = pick(2) ? kSem : kPong;
        const uint64_t site = s.Site("s" + std::to_string(pick(4)));
        switch (pick(7)) {
          case 0:
            s.Add(tid, K::kSemInit, sem, 0, 0, site, pick(3));
            break;
          case 1:
          case 2:
            s.Add(tid, K::kSemPost, sem, 0, 0, site);
            break;
          case 3:
            Wait(s, tid, sem, "w.cc:1");
            break;
          case 4: {
            const uint8_t f = pick(2) ? trace::kTry : trace::kTimed;
            s.Add(tid, K::kSemWaitBegin, sem, f, 0, site);
            s.Add(tid, K::kSemWaitEnd, sem, f | (pick(2) ? trace::kFailed : 0), 0, site);
            break;
          }
          case 5:
            s.Add(tid, K::kLockAcquired, kLock, 0, 1, site);
            break;
          default:
            s.Add(tid, K::kLockRelease, kLock, 0, 0, site);
            break;
        }
      }
    };
    predicted += Predicted(build).size();
  }
  RecordProperty("predicted", static_cast<int>(predicted));
}

}  // namespace
}  // namespace threadlens::testing
