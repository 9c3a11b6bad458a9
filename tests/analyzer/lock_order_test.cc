// Lock-order cycles: the classic ABBA, one thread in both orders, the negatives (gate lock,
// re-entry, trylock), the severities fork/join gives, long cycles and the bounds on dense
// graphs.
#include <gtest/gtest.h>

#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

std::string Nested(const std::string& t, const std::vector<std::string>& locks, int site) {
  std::string out;
  for (const auto& l : locks) out += t + "|acq(" + l + ")|" + std::to_string(site++) + "\n";
  for (auto it = locks.rbegin(); it != locks.rend(); ++it) {
    out += t + "|rel(" + *it + ")|" + std::to_string(site++) + "\n";
  }
  return out;
}

TEST(LockOrder, AbbaFromTwoConcurrentThreadsIsAnError) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n" + Nested("T2", {"A", "B"}, 10) +
                        Nested("T3", {"B", "A"}, 20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  ASSERT_EQ(f[0]->cycle.size(), 2u);
  EXPECT_EQ(f[0]->cycle[0].from, "A");
  EXPECT_EQ(f[0]->cycle[0].to, "B");
  EXPECT_EQ(f[0]->cycle[0].thread, "T2");
  EXPECT_EQ(f[0]->cycle[0].from_site.stack.at(0).line, 10);
  EXPECT_EQ(f[0]->cycle[0].to_site.stack.at(0).line, 11);
  EXPECT_EQ(f[0]->cycle[1].from, "B");
  EXPECT_EQ(f[0]->cycle[1].thread, "T3");
  EXPECT_EQ(f[0]->locks, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(f[0]->threads, (std::vector<std::string>{"T2", "T3"}));
  // The graph holds both edges.
  EXPECT_EQ(r.lock_order.size(), 2u);
}

TEST(LockOrder, FingerprintIgnoresWhichThreadCameFirst) {
  Report a = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n" + Nested("T2", {"A", "B"}, 10) +
                        Nested("T3", {"B", "A"}, 20));
  Report b = AnalyzeStd("T1|fork(T3)|1\nT1|fork(T2)|2\n" + Nested("T3", {"B", "A"}, 30) +
                        Nested("T2", {"A", "B"}, 40));
  ASSERT_EQ(OfKind(a, "lock-order").size(), 1u);
  ASSERT_EQ(OfKind(b, "lock-order").size(), 1u);
  EXPECT_EQ(OfKind(a, "lock-order")[0]->fingerprint, OfKind(b, "lock-order")[0]->fingerprint);
  EXPECT_EQ(OfKind(a, "lock-order")[0]->fingerprint.size(), 16u);
}

TEST(LockOrder, GateLockPreventsTheDeadlock) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n" + Nested("T2", {"G", "A", "B"}, 10) +
                        Nested("T3", {"G", "B", "A"}, 20));
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
}

TEST(LockOrder, OneThreadInBothOrdersIsAWarning) {
  Report r = AnalyzeStd("T1|fork(T2)|1\n" + Nested("T2", {"A", "B"}, 10) +
                        Nested("T2", {"B", "A"}, 20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->subkind, "one-thread");
  EXPECT_EQ(f[0]->title,
            "inconsistent lock order in one thread: A -> B -> A (T2); deadlocks only if these "
            "paths run in two threads");
}

TEST(LockOrder, OneThreadInOneOrderIsSilent) {
  Report r = AnalyzeStd("T1|fork(T2)|1\n" + Nested("T2", {"A", "B"}, 10) +
                        Nested("T2", {"A", "B"}, 20));
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
}

TEST(LockOrder, OneThreadUnderAGateLockIsSilent) {
  Report r = AnalyzeStd("T1|fork(T2)|1\n" + Nested("T2", {"G", "A", "B"}, 10) +
                        Nested("T2", {"G", "B", "A"}, 20));
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
}

TEST(LockOrder, TwoThreadsOutrankOneThread) {
  // Both orders in T2 and the reverse order in T3 too: the two-thread cycle is reported.
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n" + Nested("T2", {"A", "B"}, 10) +
                        Nested("T2", {"B", "A"}, 20) + Nested("T3", {"B", "A"}, 30));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->subkind, "");
  EXPECT_EQ(f[0]->severity, Severity::kError);
}

TEST(LockOrder, JoinOrderedThreadsGiveAWarning) {
  Report r = AnalyzeStd("T1|fork(T2)|1\n" + Nested("T2", {"A", "B"}, 10) +
                        "T1|join(T2)|2\nT1|fork(T3)|3\n" + Nested("T3", {"B", "A"}, 20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
}

TEST(LockOrder, AThreadThatLearnsAnEndThroughALockIsNotOrderedByForkJoin) {
  // T4 joins T2 and hands T1 a lock: T1 knows T2 ended, but not by fork and join, so T3
  // (started by T1 after that) may not take T2's fork/join slot, and the cycle is an error.
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T4)|2\n" + Nested("T2", {"A", "B"}, 10) +
                        "T4|join(T2)|3\nT4|acq(L)|4\nT4|rel(L)|5\n"
                        "T1|acq(L)|6\nT1|rel(L)|7\nT1|fork(T3)|8\n" +
                        Nested("T3", {"B", "A"}, 20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
}

TEST(LockOrder, ADetachedThreadWhoseEdgeKeptItsClockKeepsItsForkJoinSlot) {
  // T2 and T3 are detached, one after the other, with nothing between them: their orders
  // conflict and nothing orders them. T2's slot is free when it ends, but its A -> B edge
  // holds its current fork/join epoch, which T1 does not know: T3 gets a slot of its own.
  VectorSource s;
  auto nested = [&](uint32_t t, uint64_t outer, uint64_t inner) {
    s.Add(t, EventKind::kLockAcquired, outer, 0, 1).Add(t, EventKind::kLockAcquired, inner, 0, 1);
    s.Add(t, EventKind::kLockRelease, inner).Add(t, EventKind::kLockRelease, outer);
  };
  for (uint32_t t : {2u, 3u}) {
    s.Add(1, EventKind::kThreadCreate, t).Add(t, EventKind::kThreadStart, 1);
    s.Add(1, EventKind::kThreadDetach, t);
    if (t == 2) nested(t, 0xA, 0xB);
    if (t == 3) nested(t, 0xB, 0xA);
    s.Add(t, EventKind::kThreadExit);
  }
  auto f = OfKind(Analyze(s, TestOptions()), "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
}

TEST(LockOrder, ParentBeforeForkIsOrdered) {
  Report r = AnalyzeStd(Nested("T1", {"A", "B"}, 10) + "T1|fork(T2)|1\n" +
                        Nested("T2", {"B", "A"}, 20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
}

TEST(LockOrder, RecursiveRelockAddsNoEdge) {
  // STD locks are re-entrant: T2 re-taking A inside B is no B -> A edge.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T2|acq(A)|10\nT2|acq(B)|11\nT2|acq(A)|12\nT2|rel(A)|13\nT2|rel(B)|14\n"
                        "T2|rel(A)|15\n"
                        "T1|acq(A)|20\nT1|acq(B)|21\nT1|rel(B)|22\nT1|rel(A)|23\n");
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

TEST(LockOrder, TrylockAddsNoEdge) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1).Add(1, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(1, EventKind::kLockRelease, 0xB).Add(1, EventKind::kLockRelease, 0xA);
  s.Add(2, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(2, EventKind::kLockRequest, 0xA, trace::kTry);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(2, EventKind::kLockRelease, 0xA).Add(2, EventKind::kLockRelease, 0xB);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
  EXPECT_EQ(r.lock_order.size(), 1u);
}

TEST(LockOrder, CondWaitReacquisitionAddsNoEdge) {
  // T2 waits on 8 while holding 6: taking 8 back when the wait ends is no new acquisition.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T2|acq(6)|10\nT2|acq(8)|11\nT2|rel(8)|12\nT2|wait(8)|12\n"
                        "T1|acq(8)|20\nT1|notify(8)|21\nT1|rel(8)|22\n"
                        "T2|req(8)|13\nT2|acq(8)|13\nT2|rel(8)|14\nT2|rel(6)|15\n");
  ASSERT_EQ(r.lock_order.size(), 1u);
  EXPECT_EQ(r.lock_order[0].from, "L6");
  EXPECT_EQ(r.lock_order[0].count, 1u);
}

TEST(LockOrder, SignalThatWokeAWaiterOrdersLikeAJoin) {
  // T2 takes A -> B, then signals; T1 waits for that signal, then T3 (forked after the
  // wake-up) takes B -> A. The cycle cannot deadlock in this run: a warning.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T1|acq(M)|2\nT1|rel(M)|3\nT1|wait(M)|3\n" +
                        Nested("T2", {"A", "B"}, 10) +
                        "T2|acq(M)|20\nT2|notify(M)|21\nT2|rel(M)|22\n"
                        "T1|acq(M)|4\nT1|rel(M)|5\nT1|fork(T3)|6\n" +
                        Nested("T3", {"B", "A"}, 30));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
}

TEST(LockOrder, ThreeThreadCycle) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\nT1|fork(T4)|3\n" +
                        Nested("T2", {"A", "B"}, 10) + Nested("T3", {"B", "C"}, 20) +
                        Nested("T4", {"C", "A"}, 30));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->cycle.size(), 3u);
  EXPECT_EQ(f[0]->threads.size(), 3u);
}

TEST(LockOrder, PartialGateOnTwoOfThreeEdgesStillBlocksTheCycle) {
  // T2 and T3 both hold G: they cannot both be inside their edges at once.
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\nT1|fork(T4)|3\n" +
                        Nested("T2", {"G", "A", "B"}, 10) + Nested("T3", {"G", "B", "C"}, 20) +
                        Nested("T4", {"C", "A"}, 30));
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
}

// A ring of n locks, each taken inside the previous one by a thread of its own.
std::string Ring(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += "T1|fork(T" + std::to_string(i + 2) + ")|1\n";
  for (int i = 0; i < n; ++i) {
    text += Nested("T" + std::to_string(i + 2),
                   {"L" + std::to_string(i), "L" + std::to_string((i + 1) % n)}, 10 * (i + 1));
  }
  return text;
}

TEST(LockOrder, EightLockCycleIsFound) {
  const std::string text = Ring(8);
  Report r = AnalyzeStd(text);
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->cycle.size(), 8u);
  // Longer than the bound: not enumerated, and a note says a longer cycle is there.
  AnalyzeOptions o = TestOptions();
  o.max_cycle_length = 7;
  Report cut = AnalyzeStd(text, o);
  EXPECT_TRUE(OfKind(cut, "lock-order").empty());
  bool noted = false;
  for (const std::string& n : cut.notes) noted |= n.find("cycle longer than 7 locks") != n.npos;
  EXPECT_TRUE(noted) << ::testing::PrintToString(cut.notes);
}

// A ring of 20 mutexes (TSan's deadlock detector finds such cycles too) is found by default.
TEST(LockOrder, TwentyLockCycleIsFoundByDefault) {
  Report r = AnalyzeStd(Ring(20));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->cycle.size(), 20u);
}

TEST(LockOrder, ManyLocksHeldAtOnce) {
  // 100 nested, and the outermost and innermost reversed elsewhere: past the bound on edges
  // per acquisition, the outermost and innermost held locks still get theirs.
  std::vector<std::string> locks;
  for (int i = 0; i < 100; ++i) locks.push_back("L" + std::to_string(i));
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n" + Nested("T2", locks, 10) +
                        Nested("T3", {"L99", "L0"}, 1000));
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->locks, (std::vector<std::string>{"L0", "L99"}));
}

TEST(LockOrder, DenseGraphIsBoundedAndSaysSo) {
  // 12 threads each take all 12 locks in a different rotation: a complete graph.
  const int n = 12;
  std::string text;
  for (int t = 0; t < n; ++t) text += "T1|fork(T" + std::to_string(t + 2) + ")|1\n";
  for (int t = 0; t < n; ++t) {
    std::vector<std::string> order;
    for (int i = 0; i < n; ++i) order.push_back("L" + std::to_string((t + i) % n));
    text += Nested("T" + std::to_string(t + 2), order, 100 * (t + 1));
  }
  AnalyzeOptions o = TestOptions();
  o.max_cycles = 500;
  o.max_cycle_reports = 50;
  Report r = AnalyzeStd(text, o);
  EXPECT_LE(OfKind(r, "lock-order").size(), 50u);
  EXPECT_FALSE(OfKind(r, "lock-order").empty());
  bool noted = false;
  for (const auto& note : r.notes) noted |= note.find("lock-order") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace threadlens::testing

namespace threadlens::testing {
namespace {

// T2 takes lock A then B. A's memory then holds another lock, A2: after A's destroy, or
// after a new allocation over it (a freed object's std::mutex is never destroyed). T3 takes
// B then A2. Two different locks at one address are no cycle; the same lock still is.
Report ReusedLockAddress(int how) {  // 0: A kept, 1: destroyed, 2: memory allocated anew
  constexpr uint64_t kA = 0x7000100, kB = 0x7000200, kBlock = 0x70000f0;
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadCreate, 3).Add(3, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kLockAcquired, kA, 0, 0, s.Site("t2.cc:1"));
  s.Add(2, EventKind::kLockAcquired, kB, 0, 0, s.Site("t2.cc:2"));
  s.Add(2, EventKind::kLockRelease, kB, 0, 0, s.Site("t2.cc:3"));
  s.Add(2, EventKind::kLockRelease, kA, 0, 0, s.Site("t2.cc:4"));
  if (how == 1) s.Add(2, EventKind::kLockDestroy, kA, 0, 0, s.Site("t2.cc:5"));
  if (how == 2) s.Add(3, EventKind::kAlloc, kBlock, 0, 0, s.Site("t3.cc:0")).Seq(64);
  s.Add(3, EventKind::kLockAcquired, kB, 0, 0, s.Site("t3.cc:1"));
  s.Add(3, EventKind::kLockAcquired, kA, 0, 0, s.Site("t3.cc:2"));
  s.Add(3, EventKind::kLockRelease, kA, 0, 0, s.Site("t3.cc:3"));
  s.Add(3, EventKind::kLockRelease, kB, 0, 0, s.Site("t3.cc:4"));
  return Analyze(s, TestOptions());
}

TEST(LockOrder, ALockAtTheAddressOfADestroyedOrReallocatedOneIsAnother) {
  EXPECT_EQ(OfKind(ReusedLockAddress(0), "lock-order").size(), 1u);
  EXPECT_TRUE(OfKind(ReusedLockAddress(1), "lock-order").empty());
  EXPECT_TRUE(OfKind(ReusedLockAddress(2), "lock-order").empty());
}

// Drawn, the graph is by address: A -> B taken before and after A's destroy is one edge,
// taken twice.
TEST(LockOrder, TheDrawnGraphJoinsTheLocksOfOneAddress) {
  constexpr uint64_t kA = 0x7000100, kB = 0x7000200;
  VectorSource s;
  for (int round = 0; round < 2; ++round) {
    s.Add(1, EventKind::kLockAcquired, kA, 0, 0, s.Site("a.cc:1"));
    s.Add(1, EventKind::kLockAcquired, kB, 0, 0, s.Site("a.cc:2"));
    s.Add(1, EventKind::kLockRelease, kB, 0, 0, s.Site("a.cc:3"));
    s.Add(1, EventKind::kLockRelease, kA, 0, 0, s.Site("a.cc:4"));
    s.Add(1, EventKind::kLockDestroy, kA, 0, 0, s.Site("a.cc:5"));
  }
  const Report r = Analyze(s, TestOptions());
  ASSERT_EQ(r.lock_order.size(), 1u);
  EXPECT_EQ(r.lock_order[0].count, 2u);
}

}  // namespace
}  // namespace threadlens::testing
