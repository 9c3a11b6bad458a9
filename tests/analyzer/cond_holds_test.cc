// Locks held across a condition wait: the nested monitor lockout (error), a lock others
// stall on (warning), and the patterns that are not reported.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;
constexpr uint64_t kOuter = 0xA, kMutex = 0xB, kCv = 0xC;

// T2 takes Outer, then Mutex, and waits on Cv (releasing Mutex only). T3 runs the given
// steps; `t3_before_notify` are T3's events before it notifies Cv.
void Waiter(VectorSource& s, uint8_t wait_flags = 0) {
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("w.cc:1"));
  s.Add(2, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("w.cc:2"));
  s.Add(2, EventKind::kCondWaitBegin, kCv, wait_flags, 0, s.Site("w.cc:3"));
  s.Add(2, EventKind::kLockRelease, kMutex, trace::kViaCondWait, 0, s.Site("w.cc:3"));
}

void WakeUp(VectorSource& s) {
  s.Add(3, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("n.cc:5"));
  s.Add(3, EventKind::kCondSignal, kCv, 0, 0, s.Site("n.cc:6"));
  s.Add(3, EventKind::kLockRelease, kMutex, 0, 0, s.Site("n.cc:7"));
  s.Add(2, EventKind::kCondWaitEnd, kCv, 0, 0, s.Site("w.cc:3"));
  s.Add(2, EventKind::kLockAcquired, kMutex, trace::kViaCondWait, 1, s.Site("w.cc:3"));
  s.Add(2, EventKind::kLockRelease, kMutex, 0, 0, s.Site("w.cc:4"));
  s.Add(2, EventKind::kLockRelease, kOuter, 0, 0, s.Site("w.cc:5"));
}

// Thread `tid` takes `lock` at `file`:`line` and gives it back on the next line.
void TakeAndRelease(VectorSource& s, uint32_t tid, uint64_t lock, const std::string& file,
                    int line) {
  s.Add(tid, EventKind::kLockAcquired, lock, 0, 1, s.Site(file + ":" + std::to_string(line)));
  s.Add(tid, EventKind::kLockRelease, lock, 0, 0, s.Site(file + ":" + std::to_string(line + 1)));
}

std::vector<const Finding*> Holding(const Report& r) {
  std::vector<const Finding*> out;
  for (const Finding* f : OfKind(r, "misuse")) {
    if (f->subkind == "wait-holding-lock") out.push_back(f);
  }
  return out;
}

TEST(CondHolds, NotifierThatNeedsTheHeldLockIsANestedMonitorLockout) {
  VectorSource s;
  Waiter(s);
  // T3 takes Outer first (after the wait began: it got it only because the trace's order
  // happened to let it), then notifies.
  s.Add(3, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("n.cc:3"));
  s.Add(3, EventKind::kLockRelease, kOuter, 0, 0, s.Site("n.cc:4"));
  WakeUp(s);
  Report r = Analyze(s, TestOptions());
  auto f = Holding(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->threads, (std::vector<std::string>{"T2", "T3"}));
  ASSERT_EQ(f[0]->accesses.size(), 4u);
  EXPECT_EQ(f[0]->accesses[0].op, "wait");
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 3);
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 1);  // where T2 took the held lock
  EXPECT_EQ(f[0]->accesses[2].stack.at(0).line, 3);  // where T3 takes it
  EXPECT_EQ(f[0]->accesses[3].stack.at(0).line, 6);  // T3's notify
  EXPECT_NE(f[0]->title.find("potential deadlock"), std::string::npos) << f[0]->title;
  EXPECT_NE(f[0]->detail.find("nested monitor lockout"), std::string::npos) << f[0]->detail;
}

// A try-lock never blocks: a notifier that only tries the held lock (it fails while the
// waiter sleeps, and goes on to notify) is no lockout, and no thread stalls on it.
TEST(CondHolds, NotifierThatOnlyTriesTheHeldLockIsNoLockout) {
  VectorSource s;
  Waiter(s);
  s.Add(3, EventKind::kLockAcquired, kOuter, trace::kTry, 1, s.Site("n.cc:3"));
  s.Add(3, EventKind::kLockRelease, kOuter, 0, 0, s.Site("n.cc:4"));
  WakeUp(s);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(Holding(r).empty());
}

TEST(CondHolds, TimedWaitIsAWarning) {
  VectorSource s;
  Waiter(s, trace::kTimed);
  s.Add(3, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("n.cc:3"));
  s.Add(3, EventKind::kLockRelease, kOuter, 0, 0, s.Site("n.cc:4"));
  WakeUp(s);
  Report r = Analyze(s, TestOptions());
  auto f = Holding(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
}

TEST(CondHolds, NotifierTakingTheLockOnlyAfterItsNotifyIsNoLockout) {
  VectorSource s;
  Waiter(s);
  WakeUp(s);
  s.Add(3, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("n.cc:9"));
  s.Add(3, EventKind::kLockRelease, kOuter, 0, 0, s.Site("n.cc:10"));
  Report r = Analyze(s, TestOptions());
  auto f = Holding(r);
  // T3 still stalls on Outer while T2 sleeps: a warning, not a deadlock.
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->accesses.size(), 3u);
}

// A second notifier that needs no held lock can wake the waiter while the first stalls: a
// warning. Its twin, where the second notifier takes the held lock first too, stays an error.
TEST(CondHolds, AnotherNotifierThatNeedsNoHeldLockMakesItAWarning) {
  for (const bool second_needs_it : {false, true}) {
    VectorSource s;
    Waiter(s);
    s.Add(1, EventKind::kThreadCreate, 4);
    if (second_needs_it) TakeAndRelease(s, 4, kOuter, "o.cc", 1);
    s.Add(4, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("o.cc:3"));
    s.Add(4, EventKind::kCondSignal, kCv, 0, 0, s.Site("o.cc:4"));
    s.Add(4, EventKind::kLockRelease, kMutex, 0, 0, s.Site("o.cc:5"));
    TakeAndRelease(s, 3, kOuter, "n.cc", 3);
    WakeUp(s);
    Report r = Analyze(s, TestOptions());
    auto f = Holding(r);
    ASSERT_EQ(f.size(), 1u) << second_needs_it;
    EXPECT_EQ(f[0]->severity, second_needs_it ? Severity::kError : Severity::kWarning);
  }
}

// A notifier whose only acquisition of the held lock came before it created the waiter can
// never need it while the waiter sleeps (APR's nested-wait test): no finding. The twin takes
// the lock after creating the waiter: the lockout.
TEST(CondHolds, ALockTheCreatorTookBeforeCreatingTheWaiterIsNoLockout) {
  for (const bool after_create : {false, true}) {
    VectorSource s;
    if (!after_create) TakeAndRelease(s, 1, kOuter, "m.cc", 1);
    s.Add(1, EventKind::kThreadCreate, 2);
    if (after_create) TakeAndRelease(s, 1, kOuter, "m.cc", 1);
    s.Add(2, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("w.cc:1"));
    s.Add(2, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("w.cc:2"));
    s.Add(2, EventKind::kCondWaitBegin, kCv, 0, 0, s.Site("w.cc:3"));
    s.Add(2, EventKind::kLockRelease, kMutex, trace::kViaCondWait, 0, s.Site("w.cc:3"));
    s.Add(1, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("m.cc:5"));
    s.Add(1, EventKind::kCondSignal, kCv, 0, 0, s.Site("m.cc:6"));
    s.Add(1, EventKind::kLockRelease, kMutex, 0, 0, s.Site("m.cc:7"));
    s.Add(2, EventKind::kCondWaitEnd, kCv, 0, 0, s.Site("w.cc:3"));
    s.Add(2, EventKind::kLockAcquired, kMutex, trace::kViaCondWait, 1, s.Site("w.cc:3"));
    s.Add(2, EventKind::kLockRelease, kMutex, 0, 0, s.Site("w.cc:4"));
    s.Add(2, EventKind::kLockRelease, kOuter, 0, 0, s.Site("w.cc:5"));
    Report r = Analyze(s, TestOptions());
    auto f = Holding(r);
    if (!after_create) {
      EXPECT_TRUE(f.empty()) << f[0]->title;
    } else {
      ASSERT_EQ(f.size(), 1u);
      EXPECT_EQ(f[0]->severity, Severity::kError);
    }
  }
}

TEST(CondHolds, ABystanderThatNeedsTheLockIsAWarning) {
  VectorSource s;
  Waiter(s);
  WakeUp(s);
  s.Add(1, EventKind::kLockAcquired, kOuter, 0, 1, s.Site("m.cc:20"));
  s.Add(1, EventKind::kLockRelease, kOuter, 0, 0, s.Site("m.cc:21"));
  Report r = Analyze(s, TestOptions());
  auto f = Holding(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->threads, (std::vector<std::string>{"T2", "T1"}));
}

TEST(CondHolds, ALockNoOtherThreadTakesIsNotReported) {
  VectorSource s;
  Waiter(s);
  WakeUp(s);
  EXPECT_TRUE(Holding(Analyze(s, TestOptions())).empty());
}

TEST(CondHolds, WaitHoldingOnlyItsMutexIsNotReported) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("w.cc:2"));
  s.Add(2, EventKind::kCondWaitBegin, kCv, 0, 0, s.Site("w.cc:3"));
  s.Add(2, EventKind::kLockRelease, kMutex, trace::kViaCondWait, 0, s.Site("w.cc:3"));
  WakeUp(s);
  EXPECT_TRUE(Holding(Analyze(s, TestOptions())).empty());
}

TEST(CondHolds, RecursiveMutexLockedTwiceStaysHeldAcrossTheWait) {
  // A wait releases one level of a recursive mutex: locked twice, it stays held, and the
  // notifier, which needs it, can never notify.
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kLockCreate, kMutex, 0, static_cast<uint16_t>(trace::LockType::kRecursive));
  s.Add(2, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("w.cc:1"));
  s.Add(2, EventKind::kLockAcquired, kMutex, 0, 2, s.Site("w.cc:2"));
  s.Add(2, EventKind::kCondWaitBegin, kCv, 0, 0, s.Site("w.cc:3"));
  s.Add(2, EventKind::kLockRelease, kMutex, trace::kViaCondWait, 1, s.Site("w.cc:3"));
  s.Add(3, EventKind::kLockRequest, kMutex, 0, 0, s.Site("n.cc:5"));
  s.Add(3, EventKind::kLockAcquired, kMutex, 0, 1, s.Site("n.cc:5"));
  s.Add(3, EventKind::kCondSignal, kCv, 0, 0, s.Site("n.cc:6"));
  Report r = Analyze(s, TestOptions());
  auto f = Holding(r);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
}

}  // namespace
}  // namespace threadlens::testing
