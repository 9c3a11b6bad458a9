// Misuse and lifecycle findings from hand-written traces: unlocks by a thread that does not
// hold the lock, read-unlocks of write holds, locks of destroyed locks, thread leaks and
// double detaches, each next to its correct twin.
#include <gtest/gtest.h>

#include "test_util.h"
#include "thread_lifecycle.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

std::vector<const Finding*> Misuse(const Report& r, const std::string& subkind) {
  std::vector<const Finding*> out;
  for (const Finding* f : OfKind(r, "misuse")) {
    if (f->subkind == subkind) out.push_back(f);
  }
  return out;
}

// T1 locks A; T2 unlocks it (flags: the unlock's, kFailed when the mutex refused); T1 exits.
Report UnlockByOther(uint8_t unlock_flags) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kNameLock, 0xA, 0, 0, 0, s.Str("accounts"));
  s.Add(1, EventKind::kLockRequest, 0xA, 0, 0, s.Site("bank.cc:10"));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("bank.cc:10"));
  s.Add(2, EventKind::kLockRelease, 0xA, unlock_flags, 0, s.Site("bank.cc:20"));
  s.Add(2, EventKind::kThreadExit);
  s.Add(1, EventKind::kThreadJoin, 2);
  s.Add(1, EventKind::kThreadExit);
  return Analyze(s, TestOptions());
}

TEST(UnlockNotOwner, IsReportedAndFreesTheLock) {
  Report r = UnlockByOther(0);
  auto f = Misuse(r, "unlock-not-owner");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->title, "T2 unlocks accounts, which another thread holds");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 20);
  // The owner's acquisition says whose lock it was.
  EXPECT_EQ(f[0]->accesses[1].thread, "T1");
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 10);
  // The unlock freed it: T1 does not exit holding it.
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
}

TEST(UnlockNotOwner, AFailedUnlockLeavesTheOwnerHoldingIt) {
  // An errorcheck mutex refuses (EPERM): T1 still holds it when it exits.
  Report r = UnlockByOther(trace::kFailed);
  EXPECT_EQ(Misuse(r, "unlock-not-owner").size(), 1u);
  EXPECT_EQ(Misuse(r, "held-at-exit").size(), 1u);
}

TEST(UnlockNotOwner, TheOwnersOwnUnlockIsFine) {
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

TEST(UnlockNotOwner, TheLockIsFreeForTheNextThread) {
  // After T2's unlock, T3 takes A: no self-deadlock, no deadlock, nobody holds A at the end.
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(2, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kLockRequest, 0xA, 0, 0, s.Site("a.cc:3"));
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(Misuse(r, "unlock-not-owner").size(), 1u);
  EXPECT_TRUE(OfKind(r, "self-deadlock").empty());
}

TEST(UnlockNotHeld, AnUnlockOfAFreeLock) {
  VectorSource s;
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:2"));
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(Misuse(r, "unlock-not-held").size(), 1u);
  EXPECT_TRUE(Misuse(r, "unlock-not-owner").empty());
}

TEST(ReadUnlock, OfAWriteHoldIsMisuse) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockRelease, 0xA, trace::kShared, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  auto f = Misuse(r, "read-unlock-write-held");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 1);
  // It still released the lock.
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
}

TEST(ReadUnlock, OfAReadHoldIsFine) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  s.Add(1, EventKind::kLockAcquired, 0xA, trace::kShared, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockRelease, 0xA, trace::kShared, 0, s.Site("a.cc:2"));
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

// A mutex is locked, destroyed, and then `again`: the events of the second use.
Report LockAfterDestroy(const std::vector<std::pair<EventKind, uint8_t>>& again) {
  VectorSource s;
  const auto normal = static_cast<uint16_t>(trace::LockType::kNormal);
  s.Add(1, EventKind::kLockCreate, 0xA, trace::kExplicitInit, normal, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:2"));
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:3"));
  s.Add(1, EventKind::kLockDestroy, 0xA, 0, normal, s.Site("a.cc:4"));
  for (auto [kind, flags] : again) {
    s.Add(1, kind, 0xA, flags, kind == EventKind::kLockCreate ? normal : 0, s.Site("a.cc:6"));
  }
  return Analyze(s, TestOptions());
}

TEST(LockDestroyed, TheFailedLockOfADestroyedMutexIsMisuse) {
  // glibc fails it with EINVAL; the tracer does not announce a destroyed mutex as new.
  Report r = LockAfterDestroy({{EventKind::kLockTryFailed, trace::kFailed}});
  auto f = Misuse(r, "lock-destroyed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->title, "T1 locks mutex@0xa after it was destroyed");
  EXPECT_EQ(f[0]->accesses.at(0).stack.at(0).line, 6);
}

TEST(LockDestroyed, AnAcquisitionAfterDestroyIsMisuse) {
  Report r = LockAfterDestroy({{EventKind::kLockRequest, 0}, {EventKind::kLockAcquired, 0}});
  EXPECT_EQ(Misuse(r, "lock-destroyed").size(), 1u);  // once, not per event
}

TEST(LockDestroyed, LockAfterAFreshInitIsFine) {
  Report r = LockAfterDestroy({{EventKind::kLockCreate, trace::kExplicitInit},
                               {EventKind::kLockRequest, 0},
                               {EventKind::kLockAcquired, 0}});
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

TEST(LockDestroyed, ANewLockAnnouncedAtTheSameAddressIsFine) {
  // A std::shared_mutex is destroyed by a call but created without one: a new one at the
  // same memory is announced at its first use.
  Report r = LockAfterDestroy(
      {{EventKind::kLockCreate, 0}, {EventKind::kLockRequest, 0}, {EventKind::kLockAcquired, 0}});
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

// T1 creates T2, T2 runs and ends; then T1 does `after` to it (or nothing) and exits.
Report Lifecycle(const std::vector<EventKind>& after) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2, 0, 0, s.Site("main.c:5"));
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kThreadExit, 0, 0, 0, s.Site("worker.c:9"));
  int line = 10;
  for (EventKind k : after) s.Add(1, k, 2, 0, 0, s.Site("main.c:" + std::to_string(line++)));
  s.Add(1, EventKind::kThreadExit);
  return Analyze(s, TestOptions());
}

TEST(ThreadLeak, AnEndedThreadNeverJoinedNorDetached) {
  Report r = Lifecycle({});
  auto f = Misuse(r, "thread-leak");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->title, "thread T2 ended but was never joined nor detached");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[1].op, "create");
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 5);
}

TEST(ThreadLeak, AJoinedThreadIsNoLeak) {
  EXPECT_TRUE(OfKind(Lifecycle({EventKind::kThreadJoin}), "misuse").empty());
}

TEST(ThreadLeak, DetachingAFinishedThreadIsFine) {
  EXPECT_TRUE(OfKind(Lifecycle({EventKind::kThreadDetach}), "misuse").empty());
}

// The program died inside the join (a crash in it, or a kill): the join was under way. Its
// twin is AnEndedThreadNeverJoinedNorDetached.
TEST(ThreadLeak, AThreadBeingJoinedWhenTheTraceEndsIsNoLeak) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kThreadExit);
  s.Add(1, EventKind::kThreadJoinBegin, 2);
  EXPECT_TRUE(Misuse(Analyze(s, TestOptions()), "thread-leak").empty());
}

TEST(ThreadLeak, AThreadStillRunningIsNoLeak) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadExit);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "misuse").empty());
}

TEST(ThreadLeak, AFailedJoinDoesNotCount) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kThreadExit);
  s.Add(1, EventKind::kThreadJoin, 2, trace::kFailed);
  EXPECT_EQ(Misuse(Analyze(s, TestOptions()), "thread-leak").size(), 1u);
}

TEST(DoubleDetach, IsMisuse) {
  Report r = Lifecycle({EventKind::kThreadDetach, EventKind::kThreadDetach});
  auto f = Misuse(r, "double-detach");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->title, "T1 detaches T2, which was already detached");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 11);
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 10);
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

// A thread ended and joined (or detached) keeps only its join (or first detach): what a
// later detach or join is checked against, and named by.
TEST(DetachJoined, AfterTheThreadEndedNamesTheJoin) {
  Report r = Lifecycle({EventKind::kThreadJoin, EventKind::kThreadDetach});
  auto f = Misuse(r, "detach-joined");
  ASSERT_EQ(f.size(), 1u);
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 11);  // the detach
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 10);  // the join
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(JoinDetached, AfterTheThreadEndedNamesTheDetach) {
  Report r = Lifecycle({EventKind::kThreadDetach, EventKind::kThreadJoin});
  auto f = Misuse(r, "join-detached");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 11);
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 10);
}

TEST(JoinDetached, ASecondJoinOfAJoinedThreadIsNotThisMisuse) {
  Report r = Lifecycle({EventKind::kThreadJoin, EventKind::kThreadJoin});
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

// A thread per request: each ended and joined or detached thread gives up its full record,
// and the lifecycle checks still see a leak among them.
TEST(ThreadLeak, EndedThreadsKeepOnlyWhatLaterChecksNeed) {
  analysis::ThreadLifecycle life;
  analysis::SideRef at;
  for (uint32_t d = 2; d < 2002; ++d) {
    at.tid = d;
    at.index = d;
    life.OnCreate(d, at);
    life.OnExit(d, at);
    if (d == 1000) continue;  // never joined nor detached
    if (d % 2) {
      life.OnJoin(d, d, at, true);
    } else {
      life.OnDetach(d, d, at);
    }
  }
  EXPECT_EQ(life.unsettled(), 1u);
  life.OnDetach(1001, 1001, at);  // joined before: its join is still known
  const std::vector<analysis::RawFinding> f = life.TakeFindings();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].subkind, "detach-joined");
  EXPECT_EQ(f[1].subkind, "thread-leak");
  EXPECT_EQ(f[1].tids[0], 1000u);
}

TEST(DestroyLocked, TheDestroyedLockIsNotAlsoHeldAtExit) {
  // One mistake, one finding: after the destroy the lock is gone, T1 exits holding nothing.
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockDestroy, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(Misuse(r, "destroy-locked").size(), 1u);
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
}

TEST(DestroyLocked, ALockDestroyedHeldAndCreatedAgainIsNotHeld) {
  // A custom mutex destroyed while locked and constructed again in place (placement new).
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockDestroy, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kLockCreate, 0xA, 0, 0, s.Site("a.cc:3"));
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(Misuse(r, "destroy-locked").size(), 1u);
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
}

TEST(DestroyLocked, ALockTakenAgainAfterItsNewInitIsHeldAtExit) {
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kLockDestroy, 0xA, 0, 0, s.Site("a.cc:3"));
  s.Add(1, EventKind::kLockCreate, 0xA, 0, 0, s.Site("a.cc:4"));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:5"));
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(Misuse(r, "destroy-locked").empty());
  ASSERT_EQ(Misuse(r, "held-at-exit").size(), 1u);
}

// A timed lock of a held lock times out: a misuse (a warning), neither a self-deadlock at
// the request nor one when the trace ends inside the wait.
TEST(SelfDeadlock, ATimedRelockIsMisuseNotADeadlock) {
  for (const bool ends_inside : {false, true}) {
    VectorSource s;
    s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kNormal));
    s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
    s.Add(1, EventKind::kLockRequest, 0xA, trace::kTimed, 0, s.Site("a.cc:2"));
    if (!ends_inside) {
      s.Add(1, EventKind::kLockTryFailed, 0xA, trace::kTimed, 0, s.Site("a.cc:2"));
      s.Add(1, EventKind::kLockRelease, 0xA, 0, 0, s.Site("a.cc:3"));
    }
    Report r = Analyze(s, TestOptions());
    EXPECT_TRUE(OfKind(r, "self-deadlock").empty()) << ends_inside;
    EXPECT_TRUE(OfKind(r, "deadlock").empty()) << ends_inside;
    auto f = Misuse(r, "relock-timed");
    ASSERT_EQ(f.size(), 1u) << ends_inside;
    EXPECT_EQ(f[0]->severity, Severity::kWarning);
    ASSERT_EQ(f[0]->accesses.size(), 2u);
    EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 2);
    EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 1);
  }
}

}  // namespace
}  // namespace threadlens::testing
