// Contention notes: acquisitions that waited, per lock, and summed over the locks first taken
// at one place.
#include <gtest/gtest.h>

#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

TEST(Contention, CountsContendedAcquisitions) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);  // ts 2000
  s.Add(2, EventKind::kLockRequest, 0xA);         // ts 3000, held by T1: contended
  s.Add(1, EventKind::kLockRelease, 0xA);         // ts 4000
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);  // ts 5000
  s.Add(2, EventKind::kLockRelease, 0xA);         // ts 6000
  s.Add(1, EventKind::kLockRequest, 0xA);         // uncontended
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(1, EventKind::kLockRelease, 0xA);
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  Report r = Analyze(s, o);
  auto c = OfKind(r, "contention");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]->severity, Severity::kNote);
  ASSERT_TRUE(c[0]->contention.has_value());
  EXPECT_EQ(c[0]->contention->acquisitions, 3u);
  EXPECT_EQ(c[0]->contention->contended, 1u);
  EXPECT_EQ(c[0]->contention->total_wait_ns, 2000u);
  EXPECT_EQ(c[0]->contention->max_hold_ns, 2000u);
  // Timeline spans: three holds and one wait.
  size_t holds = 0, waits = 0;
  for (const Span& sp : r.spans) (sp.kind == "wait" ? waits : holds)++;
  EXPECT_EQ(holds, 3u);
  EXPECT_EQ(waits, 1u);
}

// A poll through a lock counted on one round (docs/trace-format.md, "Repeats"): the
// acquisition's rounds are acquisitions, and the time they held the lock, which the release
// after it gives in microseconds, is hold time.
TEST(Contention, RoundsCountedOnOneRecordAreAcquisitionsAndHoldTime) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, 0, 4);  // ts 2000: and 4 rounds more
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, 0, 7);   // ts 3000: they held it 7 us
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(2, EventKind::kLockRequest, 0xA);  // contended: the note is made
  s.Add(1, EventKind::kLockRelease, 0xA);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(2, EventKind::kLockRelease, 0xA);
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  auto c = OfKind(Analyze(s, o), "contention");
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0]->contention.has_value());
  EXPECT_EQ(c[0]->contention->acquisitions, 7u);
  EXPECT_EQ(c[0]->contention->total_hold_ns, 1000u + 7000u + 2000u + 1000u);
}

// T1 takes `lock` first at `site`, T2 then waits for it once.
void ContendedOnce(VectorSource& s, uint64_t lock, uint64_t site) {
  s.Add(1, EventKind::kLockAcquired, lock, 0, 1, site);
  s.Add(2, EventKind::kLockRequest, lock);
  s.Add(1, EventKind::kLockRelease, lock);
  s.Add(2, EventKind::kLockAcquired, lock, 0, 1);
  s.Add(2, EventKind::kLockRelease, lock);
}

// Locks first taken at one place (a loop over an array of locks) make one note with their
// numbers summed; locks first taken at two places make two.
TEST(Contention, LocksFirstTakenAtOnePlaceMakeOneNote) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  const uint64_t loop = s.Site("chain.cc:7");
  for (uint64_t lock = 0x100; lock < 0x105; ++lock) ContendedOnce(s, lock, loop);
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  Report r = Analyze(s, o);
  auto c = OfKind(r, "contention");
  ASSERT_EQ(c.size(), 1u);
  ASSERT_TRUE(c[0]->contention.has_value());
  EXPECT_EQ(c[0]->contention->locks, 5u);
  EXPECT_EQ(c[0]->contention->acquisitions, 10u);
  EXPECT_EQ(c[0]->contention->contended, 5u);
  EXPECT_NE(c[0]->title.find(" and 4 other locks first taken at the same place: 5 of 10 "),
            std::string::npos)
      << c[0]->title;
}

TEST(Contention, LocksFirstTakenAtTwoPlacesMakeTwoNotes) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  ContendedOnce(s, 0x100, s.Site("chain.cc:7"));
  ContendedOnce(s, 0x101, s.Site("chain.cc:9"));
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  Report r = Analyze(s, o);
  auto c = OfKind(r, "contention");
  ASSERT_EQ(c.size(), 2u);
  for (const Finding* f : c) {
    EXPECT_EQ(f->contention->locks, 1u);
    EXPECT_EQ(f->title.find("other lock"), std::string::npos) << f->title;
  }
}

}  // namespace
}  // namespace threadlens::testing
