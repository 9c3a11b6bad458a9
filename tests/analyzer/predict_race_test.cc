// Race prediction (analyze with `predict`) against a brute force over every reordering of
// small random executions: every sync-preserving race it predicts is reachable keeping the
// critical sections' order, and every such one is predicted or already reported by
// happens-before; every race it predicts through WCP is reachable by some reordering and by
// none that keeps that order; each witness checked.
#include <gtest/gtest.h>

#include "predict_reference.h"
#include "test_util.h"
#include "witness_checker.h"

namespace threadlens::testing {
namespace {

// The STD line of a site ("test.std:12" -> 12), which ToStdText numbers from 1.
int LineOf(const std::string& site) {
  const size_t colon = site.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(site.c_str() + colon + 1);
}

TEST(PredictRace, FindsEverySyncPreservingRaceBeyondHappensBeforeAndProvesEachWcpRace) {
  size_t beyond = 0, hb = 0, wcp_found = 0, beyond_sync = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Exec ex = RandomExecution(seed * 15485863);
    const std::string text = ToStdText(ex);
    SCOPED_TRACE(text);
    AnalyzeOptions o = TestOptions();
    o.predict = true;
    o.max_witness_steps = 1'000'000;
    const Report r = AnalyzeStd(text, o);
    auto source = ParseStdText(text, "test.std");
    const auto stream = ReadAll(*source);
    std::set<std::pair<int, int>> predicted, reported, wcp;
    for (const Finding* f : OfKind(r, "race")) {
      ASSERT_EQ(f->accesses.size(), 2u);
      int a = LineOf(f->accesses[0].stack.at(0).Describe()) - 1;
      int b = LineOf(f->accesses[1].stack.at(0).Describe()) - 1;
      if (a > b) std::swap(a, b);
      if (f->predicted && *f->predicted) {
        EXPECT_EQ(CheckWitness(stream, *f), "") << f->title;
        EXPECT_EQ(f->title.rfind("predicted data race on ", 0), 0u) << f->title;
        (f->relation == "wcp" ? wcp : predicted).insert({a, b});
        EXPECT_TRUE(f->relation == "wcp" || f->relation == "sync-preserving") << f->relation;
      } else {
        reported.insert({a, b});
      }
    }
    const auto sync_preserving = ReachableRaces(ex, true);
    // Beyond them, WCP's races: reachable by a reordering of critical sections, each proved.
    const auto any = ReachableRaces(ex, false);
    for (const auto& p : wcp) {
      EXPECT_TRUE(any.count(p)) << "no reordering reaches " << p.first << "," << p.second;
      EXPECT_FALSE(sync_preserving.count(p)) << "SyncP's race reported through WCP";
      EXPECT_FALSE(reported.count(p) || predicted.count(p)) << "reported twice";
    }
    for (const auto& p : any) beyond_sync += !sync_preserving.count(p) && !reported.count(p);
    wcp_found += wcp.size();
    for (const auto& p : predicted) {
      EXPECT_TRUE(sync_preserving.count(p))
          << "no reordering reaches " << p.first << "," << p.second;
      EXPECT_FALSE(reported.count(p)) << "predicted what happens-before reported";
    }
    for (const auto& p : sync_preserving) {
      EXPECT_TRUE(predicted.count(p) || reported.count(p))
          << "missed " << p.first << "," << p.second;
    }
    beyond += predicted.size();
    hb += reported.size();
  }
  EXPECT_GT(beyond, 10u);  // the executions have races happens-before cannot see
  RecordProperty("predicted_beyond_hb", static_cast<int>(beyond));
  RecordProperty("hb_races", static_cast<int>(hb));
  EXPECT_GT(wcp_found, 0u);  // and some only a reordering of critical sections reaches
  EXPECT_LE(wcp_found, beyond_sync);
  RecordProperty("wcp_beyond_syncp", static_cast<int>(wcp_found));
  RecordProperty("reachable_beyond_syncp", static_cast<int>(beyond_sync));
}

// T1 writes x and then passes lock L; T2 takes L after it and reads x. Happens-before orders
// the two through L; reordered, T2's critical section runs first and both accesses are ready.
// T2 writes V1 without a lock, then hands L1 over; T3 takes L1 and reads V1.
constexpr const char* kUnprotectedWriteBeforeHandoff = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|w(V1)|10
T2|acq(L1)|11
T2|rel(L1)|12
T3|acq(L1)|20
T3|rel(L1)|21
T3|r(V1)|22
)";

TEST(PredictRace, AnUnprotectedWriteBeforeALockHandoffIsPredicted) {
  const char* text = kUnprotectedWriteBeforeHandoff;
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  const Report r = AnalyzeStd(text, o);
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  ASSERT_TRUE(races[0]->predicted && *races[0]->predicted);
  EXPECT_EQ(races[0]->title, "predicted data race on V1: read by T3 vs earlier write by T2");
  std::string schedule;
  for (const WitnessStep& w : races[0]->witness) schedule += w.thread + ":" + w.op + " ";
  EXPECT_EQ(schedule, "T1:create T1:create T3:acquire T3:release T2:race-write T3:race-read ");
  auto source = ParseStdText(text, "test.std");
  EXPECT_EQ(CheckWitness(ReadAll(*source), *races[0]), "");
  // Without prediction: nothing.
  EXPECT_TRUE(OfKind(AnalyzeStd(text, TestOptions()), "race").empty());
}

// The model keeps at most max_predict_events events: past them it predicts from the trace up
// to there, and says so.
TEST(PredictRace, AFullModelPredictsFromThePrefixItHolds) {
  const char* text = kUnprotectedWriteBeforeHandoff;
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  o.max_predict_events = 8;  // all of it
  Report r = AnalyzeStd(text, o);
  EXPECT_EQ(OfKind(r, "race").size(), 1u);
  for (const std::string& n : r.notes) EXPECT_EQ(n.find("model reached"), std::string::npos) << n;
  o.max_predict_events = 7;  // not the read
  r = AnalyzeStd(text, o);
  EXPECT_TRUE(OfKind(r, "race").empty());
  bool noted = false;
  for (const std::string& n : r.notes) {
    noted |= n.find("its model reached 7 events") != std::string::npos;
  }
  EXPECT_TRUE(noted) << ::testing::PrintToString(r.notes);
}

// Its twin: T3 reads what T2 wrote inside the lock, so T2's write comes first in every
// reordering that keeps the read's value: no race.
TEST(PredictRace, AWriteTheReaderDependsOnIsNoRace) {
  const char* text = R"(T1|fork(T2)|1
T1|fork(T3)|2
T2|w(V1)|10
T2|acq(L1)|11
T2|w(V2)|12
T2|rel(L1)|13
T3|acq(L1)|20
T3|r(V2)|21
T3|rel(L1)|22
T3|r(V1)|23
)";
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  EXPECT_TRUE(OfKind(AnalyzeStd(text, o), "race").empty());
}

// A binary trace's range access is one event per 8-byte granule in the model; the race of two
// 64-byte copies is still one predicted race (at the copies' first byte), not one per granule.
TEST(PredictRace, ARangeRaceIsOnePredictionNotOnePerGranule) {
  using trace::EventKind;
  VectorSource s;
  const uint64_t buf = 0x10000, lock = 0x500;
  s.Add(1, EventKind::kThreadStart);
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(3, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kWrite, buf, 0, 0, s.Site("copy.cc:10")).Seq(64);  // a 64-byte range
  s.Add(2, EventKind::kLockAcquired, lock, 0, 1);
  s.Add(2, EventKind::kLockRelease, lock, 0, 0);
  s.Add(3, EventKind::kLockAcquired, lock, 0, 1);
  s.Add(3, EventKind::kLockRelease, lock, 0, 0);
  s.Add(3, EventKind::kRead, buf, 0, 0, s.Site("copy.cc:20")).Seq(64);
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  const Report r = Analyze(s, o);
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  ASSERT_TRUE(races[0]->predicted && *races[0]->predicted);
}

// A predicted race on a heap block names the block by its allocation, as happens-before does:
// the life the accesses touched, not a later block at the same address.
TEST(PredictRace, AHeapBlockIsNamedByTheAllocationTheAccessesTouched) {
  using trace::EventKind;
  VectorSource s;
  const uint64_t block = 0x20000, lock = 0x500;
  s.Add(1, EventKind::kThreadStart);
  s.Add(1, EventKind::kAlloc, block, 0, 0, s.Site("conn.cc:5")).Seq(32);
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(3, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kWrite, block + 8, 0, 8, s.Site("conn.cc:10"));
  s.Add(2, EventKind::kLockAcquired, lock, 0, 1);
  s.Add(2, EventKind::kLockRelease, lock, 0, 0);
  s.Add(3, EventKind::kLockAcquired, lock, 0, 1);
  s.Add(3, EventKind::kLockRelease, lock, 0, 0);
  s.Add(3, EventKind::kRead, block + 8, 0, 8, s.Site("conn.cc:20"));
  s.Add(3, EventKind::kFree, block, 0, 0, s.Site("conn.cc:30"));
  s.Add(3, EventKind::kAlloc, block, 0, 0, s.Site("other.cc:40")).Seq(64);
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  const Report r = Analyze(s, o);
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  ASSERT_TRUE(races[0]->predicted && *races[0]->predicted);
  ASSERT_EQ(races[0]->variables.size(), 1u);
  EXPECT_EQ(races[0]->variables[0], "heap block of 32 bytes allocated at conn.cc:5 (+8)");
}

}  // namespace
}  // namespace threadlens::testing
