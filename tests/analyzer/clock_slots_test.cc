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

TEST(ClockSlots, ADetachedThreadsSlotNeedsItsLastAccessKnown) {
  // Thread 1 writes, then publishes (a semaphore post ticks its clock), then ends detached:
  // nothing holds its epoch after the post, so knowing the post is knowing all of it.
  HappensBefore hb;
  hb.Fork(0, 1);
  const uint32_t slot = hb.Slot(1);
  hb.Accessed(1);
  hb.SyncRelease(1, 9);
  hb.End(1);
  hb.SyncAcquire(0, 9);
  hb.Fork(0, 2);
  EXPECT_EQ(hb.Slot(2), slot);

  // The twin: an access after the post, which the waiter does not know of.
  HappensBefore late;
  late.Fork(0, 1);
  const uint32_t late_slot = late.Slot(1);
  late.SyncRelease(1, 9);
  late.Accessed(1);
  late.End(1);
  late.SyncAcquire(0, 9);
  late.Fork(0, 2);
  EXPECT_NE(late.Slot(2), late_slot);
}

// T2, detached, writes x and posts a semaphore T1 waits for before it starts T3; `late`: T2
// writes x once more after the post.
Report DetachedHandOff(bool late) {
  using trace::EventKind;
  VectorSource s;
  s.Add(1, EventKind::kNameVariable, 0x1000, 0, 1, 0, s.Str("x"));
  s.Add(1, EventKind::kThreadStart);
  s.Add(1, EventKind::kThreadCreate, 2, 0, 0, 0x10);
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadDetach, 2, 0, 0, 0x11);
  s.Add(2, EventKind::kWrite, 0x1000, 0, 8, 0x12);
  s.Add(2, EventKind::kSemPost, 0x300, 0, 0, 0x13);
  if (late) s.Add(2, EventKind::kWrite, 0x1000, 0, 8, 0x14);
  s.Add(2, EventKind::kThreadExit);
  s.Add(1, EventKind::kSemWaitEnd, 0x300, 0, 0, 0x15);
  s.Add(1, EventKind::kThreadCreate, 3, 0, 0, 0x16);
  s.Add(3, EventKind::kThreadStart, 1);
  s.Add(3, EventKind::kWrite, 0x1000, 0, 8, 0x17);
  s.Add(3, EventKind::kThreadExit);
  return Analyze(s, TestOptions());
}

TEST(ClockSlots, ADetachedThreadThatPublishedLastIsOrderedBeforeTheNextOne) {
  EXPECT_TRUE(OfKind(DetachedHandOff(false), "race").empty());
  // Its write after the post races with T3's, whichever slot T3 has.
  Report r = DetachedHandOff(true);
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  const Finding& f = *OfKind(r, "race")[0];
  ASSERT_EQ(f.accesses.size(), 2u);
  EXPECT_EQ(f.accesses[0].thread, "T2");
  EXPECT_EQ(f.accesses[1].thread, "T3");
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
