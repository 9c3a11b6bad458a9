// Clock slots: a thread created after another ended and was joined takes that thread's
// entry in every vector clock, and races still name the thread that made each access.
#include <gtest/gtest.h>

#include "hb_engine.h"
#include "test_util.h"

namespace threadlens::testing {
namespace {

using analysis::HappensBefore;

TEST(ClockSlots, AJoinedThreadsSlotGoesToTheNextThreadItsJoinerStarts) {
  HappensBefore hb;
  hb.Fork(0, 1);
  const uint32_t slot = hb.Slot(1), last = hb.Now(1);
  hb.Join(0, 1, /*ended=*/true);
  hb.Fork(0, 2);
  EXPECT_EQ(hb.Slot(2), slot);
  EXPECT_GT(hb.Now(2), last);  // epochs go on from the ended thread's
  EXPECT_EQ(hb.slots(), 2u);
  EXPECT_EQ(hb.ThreadAt(slot, last), 1u);
  EXPECT_EQ(hb.ThreadAt(slot, hb.Now(2)), 2u);
  // The ended thread's epochs are known to the new one (they happen before it starts).
  EXPECT_GE(hb.Clock(2).Get(slot), last);
}

TEST(ClockSlots, ASlotIsNotTakenByAThreadWhoseCreatorDoesNotKnowTheEnd) {
  HappensBefore hb;
  hb.Fork(0, 1);
  hb.Fork(0, 2);
  const uint32_t slot = hb.Slot(1);
  hb.Join(2, 1, /*ended=*/true);  // thread 2 joins thread 1; thread 0 knows nothing of it
  hb.Fork(0, 3);
  EXPECT_NE(hb.Slot(3), slot);
  hb.Fork(2, 4);  // its creator joined thread 1
  EXPECT_EQ(hb.Slot(4), slot);
}

TEST(ClockSlots, AThreadThatDidNotEndKeepsItsSlot) {
  HappensBefore hb;
  hb.Fork(0, 1);
  const uint32_t slot = hb.Slot(1);
  hb.Join(0, 1, /*ended=*/false);
  hb.Fork(0, 2);
  EXPECT_NE(hb.Slot(2), slot);
  EXPECT_EQ(hb.slots(), 3u);
}

TEST(ClockSlots, AThreadInAReusedSlotIsOrderedAfterTheEndedOne) {
  // T3 takes T2's slot: its write is ordered after T2's by the join and the fork.
  EXPECT_TRUE(OfKind(AnalyzeStd("T1|fork(T2)|1\nT2|w(x)|2\nT1|join(T2)|3\n"
                                "T1|fork(T3)|4\nT3|w(x)|5\n"),
                     "race")
                  .empty());
  // Without the join first, T3 has a slot of its own and the writes race.
  EXPECT_EQ(OfKind(AnalyzeStd("T1|fork(T2)|1\nT2|w(x)|2\n"
                              "T1|fork(T3)|4\nT3|w(x)|5\nT1|join(T2)|3\n"),
                   "race")
                .size(),
            1u);
}

TEST(ClockSlots, ARaceWithAnEndedThreadNamesItNotTheSlotsNextThread) {
  // T4 runs beside T2; T3 takes T2's slot before T4 reads what T2 wrote.
  Report r = AnalyzeStd(
      "T1|fork(T2)|1\nT1|fork(T4)|2\nT2|w(x)|3\nT1|join(T2)|4\n"
      "T1|fork(T3)|5\nT3|w(y)|6\nT4|r(x)|7\n");
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  const Finding& f = *OfKind(r, "race")[0];
  ASSERT_EQ(f.accesses.size(), 2u);
  EXPECT_EQ(f.accesses[0].thread, "T2");
  EXPECT_EQ(f.accesses[1].thread, "T4");
}

}  // namespace
}  // namespace threadlens::testing
