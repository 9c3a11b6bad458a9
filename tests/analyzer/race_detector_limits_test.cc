// Race detection past its limits: threads whose clock slot does not fit are counted, not
// checked; threads that took ended threads' slots are checked; reports of lines already
// reported leave room under the cap for new ones; the heap blocks of ended processes go.
#include <gtest/gtest.h>

#include "hb_engine.h"
#include "race_detector.h"

namespace threadlens::analysis {
namespace {

// A cell holds 20 bits of clock slot: the accesses of threads whose slot is past that are
// counted, not checked (a note says so), and the last slot within it is checked like the
// first. The limit is lowered to 3 slots here, as a million live threads' clocks would not fit.
// Writes of the same 4 bytes by threads a and b, in that order.
void TwoWrites(RaceDetector& rd, uint32_t a, uint32_t b) {
  SideRef s;
  s.obj = 0x1000;
  s.size = 4;
  s.site = 1;
  rd.Access(a, s, true, false);
  s.site = 2;
  rd.Access(b, s, true, false);
}

TEST(RaceDetectorLimits, ThreadsPastTheSlotLimitAreCountedNotChecked) {
  for (uint32_t threads : {3u, 4u}) {
    HappensBefore hb;
    RaceDetector rd(hb, 10);
    rd.LimitSlots(3);
    rd.AddThread(0, 1);
    for (uint32_t t = 1; t < threads; ++t) {
      rd.AddThread(t, t + 1);
      hb.Fork(0, t);
    }
    const uint32_t last = threads - 1;
    ASSERT_EQ(hb.Slot(last), last);
    TwoWrites(rd, 1, last);
    const bool checked = last < 3;
    EXPECT_EQ(rd.TakeFindings().size(), checked ? 1u : 0u) << threads;
    EXPECT_EQ(rd.unchecked(), checked ? 0u : 1u) << threads;
  }
}

// A thread's dense index can pass the limit: threads that took ended ones' slots are checked.
TEST(RaceDetectorLimits, ThreadsThatReuseSlotsAreCheckedPastTheLimitOfIndices) {
  HappensBefore hb;
  RaceDetector rd(hb, 10);
  rd.LimitSlots(3);
  rd.AddThread(0, 1);
  for (uint32_t t = 1; t <= 10; ++t) {  // each started and joined in turn
    rd.AddThread(t, t + 1);
    hb.Fork(0, t);
    hb.Join(0, t, true);
  }
  rd.AddThread(11, 12);
  hb.Fork(0, 11);
  rd.AddThread(12, 13);
  hb.Fork(0, 12);
  EXPECT_LT(hb.Slot(12), 3u);
  TwoWrites(rd, 11, 12);
  EXPECT_EQ(rd.TakeFindings().size(), 1u);
  EXPECT_EQ(rd.unchecked(), 0u);
}

// A pair of lines is reported again for new call sites of its functions (an accessor's
// lines race on each caller's variable), but only while the reports fill less than half the
// cap: after many calls of one accessor, a new pair of lines is still reported.
TEST(RaceDetectorLimits, ReportsForNewCallSitesLeaveRoomForNewLines) {
  HappensBefore hb;
  PathTable calls;
  RaceDetector rd(hb, 4);
  rd.SetCallSites(&calls);
  for (uint32_t t = 0; t < 3; ++t) rd.AddThread(t, t + 1);
  hb.Fork(0, 1);
  hb.Fork(0, 2);
  auto write = [&](uint32_t t, uint64_t addr, uint64_t site, uint32_t stack) {
    SideRef s;
    s.obj = addr;
    s.size = 8;
    s.site = site;
    s.stack = stack;
    rd.Access(t, s, true, false);
  };
  for (uint32_t k = 0; k < 6; ++k) {  // the same two lines, called from six places
    const uint32_t caller = calls.Child(0, 0x100 + k);
    write(1, 0x1000 + 64 * k, 1, caller);
    write(2, 0x1000 + 64 * k, 2, caller);
  }
  write(1, 0x9000, 3, 0);
  write(2, 0x9000, 4, 0);
  const std::vector<RawFinding> found = rd.TakeFindings();
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].vars[0], 0x1000u);
  EXPECT_EQ(found[1].vars[0], 0x1040u);  // the second caller's: reported again
  EXPECT_EQ(found[2].vars[0], 0x9000u);  // the new lines
  EXPECT_FALSE(rd.truncated());
}

// A server forking a child per request: each fork copies the parent's live blocks into the
// child's range, and each child's end drops them again, in stream order with the accesses
// (on the workers' merge too), so the blocks known stay those of the live processes.
TEST(RaceDetectorLimits, EndedProcessesLeaveNoBlocks) {
  constexpr uint64_t kSpan = 1ull << 47;  // a process's private addresses
  for (unsigned workers : {0u, 1u}) {
    HappensBefore hb;
    RaceDetector rd(hb, 10, workers);
    rd.AddThread(0, 1);
    uint64_t index = 0;
    for (uint64_t b = 0; b < 100; ++b) {
      SideRef s;
      s.obj = 0x10000 + 64 * b;
      s.index = ++index;
      rd.Alloc(0, s, 32, HeapRef{s.obj, 32, 1, 0, true});
    }
    for (uint64_t child = 1; child <= 50; ++child) {
      rd.CopyBlocks(0, kSpan, child * kSpan);
      rd.DropBlocks(child * kSpan, kSpan, ++index);
    }
    rd.CopyBlocks(0, kSpan, 51 * kSpan);  // a child still running at the end
    rd.Flush();
    EXPECT_EQ(rd.blocks(), 200u) << workers;
    EXPECT_EQ(rd.BlockAt(50 * kSpan + 0x10000), nullptr) << workers;
    ASSERT_NE(rd.BlockAt(51 * kSpan + 0x10000), nullptr) << workers;
    EXPECT_EQ(rd.BlockAt(51 * kSpan + 0x10000)->base, 51 * kSpan + 0x10000) << workers;
  }
}

}  // namespace
}  // namespace threadlens::analysis
