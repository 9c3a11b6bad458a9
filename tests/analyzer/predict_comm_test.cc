// Communication deadlock prediction (analyze with `predict`): lost notifications and deadlocks
// through a condition wait, on hand-written traces with their correct twins; every witness
// through the witness checker.
#include <gtest/gtest.h>

#include <random>

#include "predict_reference_comm.h"
#include "test_util.h"
#include "witness_checker.h"

namespace threadlens::testing {
namespace {

AnalyzeOptions CommOptions() {
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  o.races = false;
  o.max_witness_steps = 1'000'000;
  return o;
}

// The titles of the predicted findings, each witness checked.
std::vector<std::string> Predicted(const std::string& text) {
  const Report r = AnalyzeStd(text, CommOptions());
  auto source = ParseStdText(text, "test.std");
  const auto stream = ReadAll(*source);
  std::vector<std::string> out;
  for (const Finding& f : r.findings) {
    if (!f.predicted || !*f.predicted) continue;
    EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
    EXPECT_EQ(f.severity, Severity::kError);
    out.push_back(f.title + " [" + f.relation + "]");
  }
  return out;
}

// T2 waits without a condition; T3 notifies. In the run T2 waited first.
const char* kLost = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|rel(L1)|11
T2|wait(L1)|11
T3|acq(L1)|20
T3|notify(L1)|21
T3|rel(L1)|22
T2|acq(L1)|12
T2|rel(L1)|13
T1|join(T2)|3
T1|join(T3)|4
)";

// The twin: T2 waits for V1, which T3 sets before it notifies, both under L1.
const char* kLostFixed = R"(T1|w(V1)|0
T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|r(V1)|11
T2|rel(L1)|12
T2|wait(L1)|12
T3|acq(L1)|20
T3|w(V1)|21
T3|notify(L1)|22
T3|rel(L1)|23
T2|acq(L1)|13
T2|r(V1)|11
T2|rel(L1)|14
T1|join(T2)|3
T1|join(T3)|4
)";

TEST(PredictComm, LostNotificationOfAWaitWithoutCondition) {
  EXPECT_EQ(Predicted(kLost),
            std::vector<std::string>{"predicted lost notification: T3 notifies L1 before T2 "
                                     "waits for it; T2 then waits forever [notify-first]"});
  const Report r = AnalyzeStd(kLost, CommOptions());
  const Finding* f = OfKind(r, "hang").at(0);
  // The notifier's critical section first, then the waiter's, then main blocks on its join.
  std::string schedule;
  for (const WitnessStep& w : f->witness) schedule += w.thread + ":" + w.op + " ";
  EXPECT_EQ(schedule,
            "T1:create T1:create T3:acquire T3:notify T3:release T2:acquire T2:release "
            "T1:join-blocked T2:wait ");
}

TEST(PredictComm, WaitingForAConditionLosesNothing) {
  EXPECT_EQ(Predicted(kLostFixed), std::vector<std::string>{});
}

// T3 notifies twice: moving the first before the wait leaves the second to wake T2.
TEST(PredictComm, ALaterNotificationWakesTheWaiter) {
  const char* text = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L1)|10
T2|rel(L1)|11
T2|wait(L1)|11
T3|acq(L1)|20
T3|notify(L1)|21
T3|rel(L1)|22
T2|acq(L1)|12
T2|rel(L1)|13
T3|acq(L1)|23
T3|notify(L1)|24
T3|rel(L1)|25
T1|join(T2)|3
T1|join(T3)|4
)";
  EXPECT_EQ(Predicted(text), std::vector<std::string>{});
}

// Nested monitor: T2 waits on L1 holding L2; T3 takes L2 before it notifies. In the run T3
// took L2 before T2 did.
const char* kNested = R"(T1|w(V1)|0
T1|fork(T2)|1
T1|fork(T3)|2
T3|acq(L2)|20
T3|rel(L2)|21
T2|acq(L2)|10
T2|acq(L1)|11
T2|r(V1)|12
T2|rel(L1)|13
T2|wait(L1)|13
T3|acq(L1)|22
T3|w(V1)|23
T3|notify(L1)|24
T3|rel(L1)|25
T2|acq(L1)|14
T2|r(V1)|12
T2|rel(L1)|15
T2|rel(L2)|16
T1|join(T2)|3
T1|join(T3)|4
)";

// The twin: T3 takes L2 only after its notification.
const char* kNestedFixed = R"(T1|w(V1)|0
T1|fork(T2)|1
T1|fork(T3)|2
T2|acq(L2)|10
T2|acq(L1)|11
T2|r(V1)|12
T2|rel(L1)|13
T2|wait(L1)|13
T3|acq(L1)|22
T3|w(V1)|23
T3|notify(L1)|24
T3|rel(L1)|25
T2|acq(L1)|14
T2|r(V1)|12
T2|rel(L1)|15
T2|rel(L2)|16
T3|acq(L2)|20
T3|rel(L2)|21
T1|join(T2)|3
T1|join(T3)|4
)";

TEST(PredictComm, DeadlockThroughANotification) {
  EXPECT_EQ(Predicted(kNested),
            std::vector<std::string>{"predicted deadlock: T2 waits for T3 to notify L1; T3 "
                                     "waits for L2 held by T2 [sync-preserving]"});
  EXPECT_EQ(Predicted(kNestedFixed), std::vector<std::string>{});
}

// Ten rounds of the same wait and notification: one finding for the pattern, its last round
// (every earlier notification is followed by another that would wake the waiter).
TEST(PredictComm, OneFindingPerPattern) {
  std::string text = "T1|fork(T2)|1\nT1|fork(T3)|2\n";
  for (int i = 0; i < 10; ++i) {
    text +=
        "T2|acq(L1)|10\nT2|rel(L1)|11\nT2|wait(L1)|11\nT3|acq(L1)|20\nT3|notify(L1)|21\n"
        "T3|rel(L1)|22\nT2|acq(L1)|12\nT2|rel(L1)|13\n";
  }
  text += "T1|join(T2)|3\nT1|join(T3)|4\n";
  // Only the last round's notification can be lost: the earlier ones are followed by more.
  EXPECT_EQ(Predicted(text),
            std::vector<std::string>{"predicted lost notification: T3 notifies L1 before T2 "
                                     "waits for it; T2 then waits forever [notify-first]"});
}

// Random monitor programs: every predicted waiter is left waiting in a stuck state some
// correct reordering reaches (the brute force), and every witness replays.
TEST(PredictComm, EveryPredictionIsAStuckStateOfTheBruteForce) {
  size_t predicted = 0, runs_with_stuck = 0, runs_found = 0;
  for (uint32_t seed = 1; seed <= 250; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Exec ex = RandomCondExecution(seed * 7919);
    const std::string text = CondToStdText(ex);
    SCOPED_TRACE(text);
    const Report r = AnalyzeStd(text, CommOptions());
    auto source = ParseStdText(text, "test.std");
    const auto stream = ReadAll(*source);
    const std::set<std::string> stuck = StuckWaiters(ex);
    bool any = false;
    for (const Finding& f : r.findings) {
      if (!f.predicted || !*f.predicted || (f.kind != "hang" && f.kind != "deadlock")) continue;
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      for (const WitnessStep& w : f.witness) {
        if (w.op == "wait") EXPECT_TRUE(stuck.count(w.thread)) << f.title;
      }
      ++predicted;
      any = true;
    }
    runs_with_stuck += !stuck.empty();
    runs_found += any;
  }
  // The programs exercise both answers, and the search finds a good share of what exists.
  EXPECT_GT(predicted, 20u);
  EXPECT_GT(runs_with_stuck, runs_found);
  EXPECT_GT(runs_found * 3, runs_with_stuck);
  RecordProperty("predicted", static_cast<int>(predicted));
  RecordProperty("runs_with_a_stuck_waiter", static_cast<int>(runs_with_stuck));
  RecordProperty("runs_predicted", static_cast<int>(runs_found));
}

// Arbitrary traces (waits without releases, notifications of nothing, unbalanced locks, joins
// of unknown threads): the analysis never fails, and whatever it predicts replays.
TEST(PredictComm, ArbitraryTracesNeverBreakIt) {
  const char* ops[] = {"acq", "rel", "wait", "notify", "r", "w", "join", "req"};
  size_t predicted = 0, analyzed = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    std::string text = "T1|fork(T2)|0\nT1|fork(T3)|0\n";
    for (int i = 0, n = 5 + pick(30); i < n; ++i) {
      const std::string op = ops[pick(8)];
      const char prefix = op == "r" || op == "w" ? 'V' : op == "fork" || op == "join" ? 'T' : 'L';
      text += "T" + std::to_string(1 + pick(3)) + "|" + op + "(" + prefix +
              std::to_string(1 + pick(3)) + ")|" + std::to_string(i + 1) + "\n";
    }
    SCOPED_TRACE(text);
    std::vector<StreamEvent> stream;
    Report r;
    try {
      auto source = ParseStdText(text, "test.std");
      stream = ReadAll(*source);
      r = AnalyzeStd(text, CommOptions());
    } catch (const std::exception&) {
      continue;  // refused as malformed: fine
    }
    ++analyzed;
    for (const Finding& f : r.findings) {
      if (!f.predicted || !*f.predicted || (f.kind != "hang" && f.kind != "deadlock")) continue;
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      ++predicted;
    }
  }
  EXPECT_GT(analyzed, 200u);  // most are read, not refused
  RecordProperty("analyzed", static_cast<int>(analyzed));
  RecordProperty("predicted", static_cast<int>(predicted));
}

}  // namespace
}  // namespace threadlens::testing
