// Sync-preserving deadlock prediction end to end (analyze with `predict`): against a brute force
// over every reordering of small random executions, on hand-written traces with their correct
// twins, and every witness through the witness checker.
#include <gtest/gtest.h>

#include "predict_reference.h"
#include "test_util.h"
#include "witness_checker.h"

namespace threadlens::testing {
namespace {

AnalyzeOptions PredictOptions() {
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  o.races = false;
  o.max_witness_steps = 1'000'000;
  return o;
}

std::vector<std::string> CycleLocks(const Finding& f) {
  std::vector<std::string> locks;
  for (const CycleEdge& e : f.cycle) locks.push_back(e.from);
  return Canonical(locks);
}

// Every witness of the report passes the checker.
void CheckWitnesses(const std::string& text, const Report& r) {
  auto source = ParseStdText(text, "test.std");
  const auto stream = ReadAll(*source);
  for (const Finding& f : r.findings) {
    if (!f.predicted || !*f.predicted) continue;
    EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
  }
}

TEST(PredictDeadlock, FindsExactlyTheSyncPreservingDeadlocksOfRandomExecutions) {
  size_t predicted = 0, refuted = 0, beyond = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Exec ex = RandomExecution(seed * 104729);
    const std::string text = ToStdText(ex);
    SCOPED_TRACE(text);
    const Report r = AnalyzeStd(text, PredictOptions());
    CheckWitnesses(text, r);
    std::set<std::vector<std::string>> found;
    for (const Finding* f : OfKind(r, "lock-order")) {
      if (f->predicted && *f->predicted) {
        found.insert(CycleLocks(*f));
        EXPECT_EQ(f->severity, Severity::kError);
        EXPECT_EQ(f->relation, "sync-preserving");
        ++predicted;
      } else if (f->predicted) {
        EXPECT_EQ(f->severity, Severity::kWarning);
        ++refuted;
      }
    }
    const auto sync_preserving = ReachableDeadlocks(ex, true);
    const auto any = ReachableDeadlocks(ex, false);
    EXPECT_EQ(found, sync_preserving);  // none missed, none without a schedule
    for (const auto& c : found) EXPECT_TRUE(any.count(c));
    beyond += any.size() - sync_preserving.size();
  }
  // The executions exercise both answers.
  EXPECT_GT(predicted, 20u);
  EXPECT_GT(refuted, 5u);
  RecordProperty("predicted", static_cast<int>(predicted));
  RecordProperty("deadlocks_beyond_sync_preserving", static_cast<int>(beyond));
}

// The AB-BA orders in two threads that ran one after the other: nothing but timing kept them
// apart, so a reordering deadlocks.
const char* kAbBa = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|acq(L2)|11
T2|w(V1)|12
T2|rel(L2)|13
T2|rel(L1)|14
T3|acq(L2)|20
T3|acq(L1)|21
T3|rel(L1)|22
T3|rel(L2)|23
)";

TEST(PredictDeadlock, AbBaThatDidNotDeadlockIsPredictedWithItsSchedule) {
  const Report r = AnalyzeStd(kAbBa, PredictOptions());
  auto cycles = OfKind(r, "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  const Finding& f = *cycles[0];
  EXPECT_EQ(f.severity, Severity::kError);
  ASSERT_TRUE(f.predicted && *f.predicted);
  EXPECT_EQ(f.title, "predicted deadlock: L1 -> L2 -> L1 (threads T2, T3)");
  std::string schedule;
  for (const WitnessStep& w : f.witness) schedule += w.thread + ":" + w.op + "(" + w.object + ") ";
  EXPECT_EQ(schedule,
            "T1:create(T2) T1:create(T3) T2:acquire(L1) T3:acquire(L2) T2:request(L2) "
            "T3:request(L1) ");
  CheckWitnesses(kAbBa, r);
  // Without --predict the same cycle is the plain potential deadlock.
  const Report plain = AnalyzeStd(kAbBa, TestOptions());
  ASSERT_EQ(OfKind(plain, "lock-order").size(), 1u);
  EXPECT_FALSE(OfKind(plain, "lock-order")[0]->predicted.has_value());
  EXPECT_EQ(OfKind(plain, "lock-order")[0]->fingerprint, f.fingerprint);
}

// Its twin: T3 reads what T2 wrote inside both locks before it takes any lock, so in every
// reordering that keeps what T3 read T2 is past the cycle: no schedule.
TEST(PredictDeadlock, AbBaOrderedByWhatAThreadReadIsNoSchedule) {
  std::string text = kAbBa;
  text.replace(text.find("T3|acq(L2)|20"), 0, "T3|r(V1)|19\n");
  const Report r = AnalyzeStd(text, PredictOptions());
  auto cycles = OfKind(r, "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0]->severity, Severity::kWarning);
  ASSERT_TRUE(cycles[0]->predicted.has_value());
  EXPECT_FALSE(*cycles[0]->predicted);
  EXPECT_TRUE(cycles[0]->witness.empty());
  EXPECT_EQ(cycles[0]->title,
            "lock-order cycle, no schedule found: L1 -> L2 -> L1 (threads T2, T3)");
}

// A later pair of acquisitions deadlocks even though the first pair cannot: the first
// critical section of T3 reads T2's first write.
TEST(PredictDeadlock, ALaterInstanceOfThePatternIsFound) {
  const char* text = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|acq(L2)|11
T2|w(V1)|12
T2|rel(L2)|13
T2|rel(L1)|14
T3|r(V1)|15
T3|acq(L2)|20
T3|acq(L1)|21
T3|rel(L1)|22
T3|rel(L2)|23
T2|acq(L1)|30
T2|acq(L2)|31
T2|rel(L2)|32
T2|rel(L1)|33
)";
  const Report r = AnalyzeStd(text, PredictOptions());
  auto cycles = OfKind(r, "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_TRUE(cycles[0]->predicted && *cycles[0]->predicted);
  CheckWitnesses(text, r);
  // T2's second nest is the one blocked: its request is at site 31.
  EXPECT_EQ(cycles[0]->witness[cycles[0]->witness.size() - 2].site, "test.std:31");
}

// A gate lock: no pattern, no finding, nothing predicted (as without prediction).
TEST(PredictDeadlock, GateLockPredictsNothing) {
  const char* text = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L9)|9
T2|acq(L1)|10
T2|acq(L2)|11
T2|rel(L2)|13
T2|rel(L1)|14
T2|rel(L9)|15
T3|acq(L9)|19
T3|acq(L2)|20
T3|acq(L1)|21
T3|rel(L1)|22
T3|rel(L2)|23
T3|rel(L9)|24
)";
  const Report r = AnalyzeStd(text, PredictOptions());
  EXPECT_TRUE(OfKind(r, "lock-order").empty());
}

// A cycle between a thread and one it starts only after its own nest: the fork orders them.
TEST(PredictDeadlock, ForkOrderedCycleStaysAWarningWithoutSchedule) {
  const char* text = R"(T1|acq(L1)|10
T1|acq(L2)|11
T1|rel(L2)|13
T1|rel(L1)|14
T1|fork(T2)|15
T2|acq(L2)|20
T2|acq(L1)|21
T2|rel(L1)|22
T2|rel(L2)|23
)";
  const Report r = AnalyzeStd(text, PredictOptions());
  auto cycles = OfKind(r, "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0]->severity, Severity::kWarning);
  EXPECT_FALSE(cycles[0]->predicted.has_value());  // handled as without prediction
}

// The wake-up of a condition wait needs its notification. T3 waits on L5 and then takes L2 and
// L1; T2 notifies L5 and takes L1 and L2. When T2 notifies after its nest, T3's nest comes after
// T2's in every execution: a warning as without prediction, no schedule. When T2 notifies
// before its nest, a schedule exists and the witness has the notify before the wake-up.
std::string WaitThenNest(bool notify_first) {
  std::string nest = "T2|acq(L1)|10\nT2|acq(L2)|11\nT2|rel(L2)|13\nT2|rel(L1)|14\n";
  std::string notify = "T2|acq(L5)|15\nT2|notify(L5)|16\nT2|rel(L5)|17\n";
  return "T1|fork(T2)|1\nT1|fork(T3)|2\nT3|acq(L5)|3\nT3|rel(L5)|4\nT3|wait(L5)|4\n" +
         (notify_first ? notify + nest : nest + notify) +
         "T3|acq(L5)|18\nT3|rel(L5)|19\nT3|acq(L2)|20\nT3|acq(L1)|21\nT3|rel(L1)|22\n"
         "T3|rel(L2)|23\n";
}

TEST(PredictDeadlock, AWakeUpNeedsItsNotification) {
  const Report after = AnalyzeStd(WaitThenNest(false), PredictOptions());
  ASSERT_EQ(OfKind(after, "lock-order").size(), 1u);
  EXPECT_EQ(OfKind(after, "lock-order")[0]->severity, Severity::kWarning);
  EXPECT_FALSE(OfKind(after, "lock-order")[0]->predicted.has_value());

  const std::string text = WaitThenNest(true);
  const Report before = AnalyzeStd(text, PredictOptions());
  ASSERT_EQ(OfKind(before, "lock-order").size(), 1u);
  const Finding& f = *OfKind(before, "lock-order")[0];
  ASSERT_TRUE(f.predicted && *f.predicted);
  CheckWitnesses(text, before);
  std::string order;
  for (const WitnessStep& w : f.witness) {
    if (w.op == "notify" || w.op == "wake") order += w.op + " ";
  }
  EXPECT_EQ(order, "notify wake ");
  // The checker knows a notification sent before the wait began wakes nobody.
  auto source = ParseStdText(text, "test.std");
  const auto stream = ReadAll(*source);
  Finding moved = f;
  // T2 runs all its steps (its notify too) before T3 begins: T3 waits after the notify.
  std::stable_partition(moved.witness.begin(), moved.witness.end() - 2,
                        [](const WitnessStep& w) { return w.thread != "T3"; });
  EXPECT_NE(CheckWitness(stream, moved).find("wakes without a notification"), std::string::npos)
      << CheckWitness(stream, moved);
}

// A trylock never blocks, so it cannot be one of a deadlock's requests. T3 takes L1 under L2
// twice: first with a trylock, concurrently with T2's nest; then blocking, after reading what
// T2 wrote inside its nest. Only the second instance could deadlock, and the read rules it out.
TEST(PredictDeadlock, ATrylockIsNoBlockedRequest) {
  using K = trace::EventKind;
  for (const bool try_first : {true, false}) {
    SCOPED_TRACE(try_first ? "trylock" : "blocking lock");
    VectorSource src;
    src.Add(1, K::kThreadStart).Add(1, K::kThreadCreate, 2).Add(1, K::kThreadCreate, 3);
    src.Add(2, K::kThreadStart, 1).Add(3, K::kThreadStart, 1);
    src.Add(3, K::kLockAcquired, 0x20).Add(3, K::kLockAcquired, 0x10, try_first ? trace::kTry : 0);
    src.Add(3, K::kLockRelease, 0x10).Add(3, K::kLockRelease, 0x20);
    src.Add(2, K::kLockAcquired, 0x10).Add(2, K::kLockAcquired, 0x20);
    src.Add(2, K::kWrite, 0x100, 0, 8).Add(2, K::kLockRelease, 0x20).Add(2, K::kLockRelease, 0x10);
    src.Add(3, K::kRead, 0x100, 0, 8);
    src.Add(3, K::kLockAcquired, 0x20).Add(3, K::kLockAcquired, 0x10);
    src.Add(3, K::kLockRelease, 0x10).Add(3, K::kLockRelease, 0x20);
    const Report r = Analyze(src, PredictOptions());
    auto cycles = OfKind(r, "lock-order");
    ASSERT_EQ(cycles.size(), 1u);
    ASSERT_TRUE(cycles[0]->predicted.has_value());
    EXPECT_EQ(*cycles[0]->predicted, !try_first);
  }
}

TEST(PredictDeadlock, TheWitnessCheckerRejectsBrokenSchedules) {
  const Report r = AnalyzeStd(kAbBa, PredictOptions());
  const Finding& good = *OfKind(r, "lock-order")[0];
  auto source = ParseStdText(kAbBa, "test.std");
  const auto stream = ReadAll(*source);
  ASSERT_EQ(CheckWitness(stream, good), "");
  Finding f = good;
  f.witness.erase(f.witness.begin());  // T2 runs before its creation
  EXPECT_NE(CheckWitness(stream, f), "");
  f = good;
  f.witness.pop_back();  // one request: nobody is blocked on T2's lock
  EXPECT_NE(CheckWitness(stream, f), "");
  f = good;
  std::swap(f.witness[2], f.witness[4]);  // T2 requests before its acquisition
  EXPECT_NE(CheckWitness(stream, f), "");
  // A read from another write: T3 reads V1 before T2 wrote it (in the trace, after).
  std::string dep = kAbBa;
  dep.replace(dep.find("T3|acq(L2)|20"), 0, "T3|r(V1)|19\n");
  auto dep_source = ParseStdText(dep, "test.std");
  const auto dep_stream = ReadAll(*dep_source);
  f = Finding();
  for (uint64_t i = 0; i < dep_stream.size(); ++i) {
    const auto k = dep_stream[i].kind();
    if (k == trace::EventKind::kThreadCreate) f.witness.push_back({"T1", 1, "create", "", "", i});
    if (k == trace::EventKind::kRead) f.witness.push_back({"T3", 3, "read", "V1", "", i});
  }
  ASSERT_EQ(f.witness.size(), 3u);
  EXPECT_NE(CheckWitness(dep_stream, f).find("reads V1 from another write"), std::string::npos)
      << CheckWitness(dep_stream, f);
}

}  // namespace
}  // namespace threadlens::testing
