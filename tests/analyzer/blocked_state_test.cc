// Deadlocks, self-deadlocks and hangs that happened (blocked at the end of the trace), and lock
// misuse.
#include <csignal>
#include <gtest/gtest.h>

#include "test_util.h"
#include "threadlens/analyzer/symbolizer.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

TEST(Deadlock, OpenRequestsFormingACycle) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n"
                        "T2|acq(A)|10\nT3|acq(B)|20\n"
                        "T2|req(B)|11\nT3|req(A)|21\n");
  auto d = OfKind(r, "deadlock");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->severity, Severity::kError);
  ASSERT_EQ(d[0]->cycle.size(), 2u);
  EXPECT_EQ(d[0]->cycle[0].from, "T2");
  EXPECT_EQ(d[0]->cycle[0].to, "T3");
  EXPECT_EQ(d[0]->cycle[0].to_site.object, "B");
  EXPECT_EQ(d[0]->cycle[0].to_site.stack.at(0).line, 11);
  EXPECT_EQ(d[0]->cycle[0].from_site.object, "B");
  EXPECT_EQ(d[0]->cycle[0].from_site.thread, "T3");
  EXPECT_EQ(d[0]->cycle[0].from_site.stack.at(0).line, 20);
  EXPECT_EQ(d[0]->locks, (std::vector<std::string>{"B", "A"}));
  // It is also a lock-order cycle, and nobody is reported as hung.
  EXPECT_TRUE(OfKind(r, "hang").empty());
  for (const ThreadInfo& t : r.threads) EXPECT_EQ(t.blocked_at_end, t.name != "T1") << t.name;
}

// A lock's own code may take another lock while its request is open (absl::Mutex's slow
// path takes its allocator's spin lock): the outer request is open again afterwards, and the
// deadlock names it where it was made.
TEST(Deadlock, ALockTakenInsideAnOpenRequestLeavesTheRequestOpen) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n"
                        "T2|acq(A)|10\nT3|acq(B)|20\n"
                        "T2|req(B)|11\nT2|req(S)|12\nT2|acq(S)|13\nT2|rel(S)|14\n"
                        "T3|req(A)|21\nT3|req(S)|22\nT3|acq(S)|23\nT3|rel(S)|24\n");
  auto d = OfKind(r, "deadlock");
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(d[0]->cycle.size(), 2u);
  EXPECT_EQ(d[0]->cycle[0].to_site.object, "B");
  EXPECT_EQ(d[0]->cycle[0].to_site.stack.at(0).line, 11);
  EXPECT_EQ(d[0]->cycle[1].to_site.object, "A");
  EXPECT_EQ(d[0]->cycle[1].to_site.stack.at(0).line, 21);
}

TEST(Deadlock, WaitingForARunningThreadIsNoDeadlock) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT2|acq(A)|10\nT1|req(A)|2\n");
  EXPECT_TRUE(OfKind(r, "deadlock").empty());
  EXPECT_TRUE(OfKind(r, "hang").empty());
}

TEST(Deadlock, FromWatchdogRecords) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kNameLock, 0xA, 0, 0, 0, s.Str("accounts"));
  s.Add(1, EventKind::kNameLock, 0xB, 0, 0, 0, s.Str("ledger"));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("bank.cc:10"));
  s.Add(2, EventKind::kLockAcquired, 0xB, 0, 1, s.Site("bank.cc:20"));
  s.Add(1, EventKind::kLockRequest, 0xB, 0, 0, s.Site("bank.cc:11"));
  s.Add(2, EventKind::kLockRequest, 0xA, 0, 0, s.Site("bank.cc:21"));
  s.Add(3, EventKind::kWatchdogFired, 0, static_cast<uint8_t>(trace::WatchdogReason::kLockCycle));
  s.Add(3, EventKind::kBlocked, 0xB, static_cast<uint8_t>(trace::BlockedOn::kLock), 0, 0, 1);
  s.Add(3, EventKind::kBlocked, 0xA, static_cast<uint8_t>(trace::BlockedOn::kLock), 0, 0, 2);
  s.Add(3, EventKind::kHolds, 0xA, 0, 1, 0, 1);
  s.Add(3, EventKind::kHolds, 0xB, 0, 1, 0, 2);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(r.watchdog);
  auto d = OfKind(r, "deadlock");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->locks, (std::vector<std::string>{"ledger", "accounts"}));
  EXPECT_NE(d[0]->title.find("T1 waits for ledger held by T2"), std::string::npos) << d[0]->title;
  EXPECT_EQ(d[0]->cycle[0].to_site.stack.at(0).line, 11);
  EXPECT_EQ(d[0]->cycle[0].from_site.stack.at(0).line, 20);
}

TEST(Deadlock, WatchdogRecordsAloneAreEnough) {
  // The requests themselves were not traced (e.g. lost in a buffer): the records suffice.
  VectorSource s;
  s.Add(3, EventKind::kBlocked, 0xB, static_cast<uint8_t>(trace::BlockedOn::kLock), 0, 0, 1);
  s.Add(3, EventKind::kBlocked, 0xA, static_cast<uint8_t>(trace::BlockedOn::kLock), 0, 0, 2);
  s.Add(3, EventKind::kHolds, 0xA, 0, 1, 0, 1);
  s.Add(3, EventKind::kHolds, 0xB, 0, 1, 0, 2);
  Report r = Analyze(s, TestOptions());
  auto d = OfKind(r, "deadlock");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->threads, (std::vector<std::string>{"T1", "T2"}));
}

TEST(SelfDeadlock, RelockOfANormalMutex) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kNormal));
  s.Add(1, EventKind::kLockRequest, 0xA, 0, 0, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(1, EventKind::kLockRequest, 0xA, 0, 0, s.Site("a.cc:2"));
  Report r = Analyze(s, TestOptions());
  auto f = OfKind(r, "self-deadlock");
  ASSERT_EQ(f.size(), 1u);
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].stack.at(0).line, 2);
  EXPECT_EQ(f[0]->accesses[1].stack.at(0).line, 1);
  EXPECT_TRUE(OfKind(r, "deadlock").empty());
}

TEST(SelfDeadlock, RecursiveMutexAndTrylockAreFine) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kRecursive));
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(1, EventKind::kLockRequest, 0xA).Add(1, EventKind::kLockAcquired, 0xA, 0, 2);
  s.Add(1, EventKind::kLockRelease, 0xA, 0, 1).Add(1, EventKind::kLockRelease, 0xA, 0, 0);
  s.Add(1, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(1, EventKind::kLockRequest, 0xB, trace::kTry).Add(1, EventKind::kLockTryFailed, 0xB);
  s.Add(1, EventKind::kLockRelease, 0xB);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(OfKind(r, "self-deadlock").empty());
  EXPECT_TRUE(OfKind(r, "misuse").empty());
}

TEST(Hang, CondWaitNobodySignals) {
  // T2 waits on M, T1 on N: nobody is left to signal either.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T2|acq(M)|10\nT2|rel(M)|11\nT2|wait(M)|11\n"
                        "T1|acq(N)|2\nT1|rel(N)|3\nT1|wait(N)|3\n");
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]->subkind, "cond");
  EXPECT_EQ(h[0]->threads, std::vector<std::string>{"T2"});
  EXPECT_EQ(h[0]->accesses.at(0).object, "M");
  EXPECT_EQ(h[0]->accesses.at(0).stack.at(0).line, 11);
  EXPECT_EQ(h[1]->threads, std::vector<std::string>{"T1"});
  EXPECT_NE(h[0]->fingerprint, h[1]->fingerprint);
}

TEST(Hang, NotAHangWhileAnotherThreadRuns) {
  // The trace may just have been cut: T1 could still signal.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T2|acq(M)|10\nT2|rel(M)|11\nT2|wait(M)|11\n"
                        "T1|acq(M)|2\nT1|rel(M)|3\n");
  EXPECT_TRUE(OfKind(r, "hang").empty());
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("T2 was still waiting on M") != std::string::npos;
  EXPECT_TRUE(noted);
  for (const ThreadInfo& t : r.threads) EXPECT_EQ(t.blocked_at_end, t.name == "T2");
}

// A lock call inlined through std::mutex::lock: the stack shows the whole inlined chain, and
// the fingerprint and fallback lock name use the user's function, not the library's.
class InliningSymbolizer : public Symbolizer {
 public:
  Frame ResolveCode(uint64_t pc) override { return ResolveCodeInlined(pc).front(); }
  std::string ResolveData(uint64_t) override { return ""; }
  Stack ResolveCodeInlined(uint64_t pc) override {
    const std::string h = "/usr/include/c++/12/bits/std_mutex.h";
    Frame user{"worker(int)", "src/worker.cc", static_cast<int>(pc & 0xff), pc, "prog"};
    if (pc & 0x100) return {user};  // not inlined
    return {Frame{"__gthread_mutex_lock(pthread_mutex_t*)", "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749, pc, "prog"},
            Frame{"std::mutex::lock()", h, 113, pc, "prog"}, user};
  }
};

TEST(SelfDeadlock, InlinedFramesNameTheUsersFunction) {
  auto run = [](uint64_t request_pc) {
    VectorSource s;
    s.Add(1, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kNormal));
    s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1, request_pc - 1);
    s.Add(1, EventKind::kLockRequest, 0xA, 0, 0, request_pc);
    InliningSymbolizer sym;
    AnalyzeOptions o = TestOptions();
    o.symbolize = true;
    o.symbolizer = &sym;
    return Analyze(s, o);
  };
  Report inlined = run(0x412), plain = run(0x512);
  auto d = OfKind(inlined, "self-deadlock");
  ASSERT_EQ(d.size(), 1u);
  ASSERT_EQ(d[0]->accesses.at(0).stack.size(), 3u);
  EXPECT_EQ(d[0]->accesses[0].stack[1].function, "std::mutex::lock()");
  EXPECT_EQ(d[0]->accesses[0].stack[2].function, "worker(int)");
  EXPECT_EQ(d[0]->locks, std::vector<std::string>{"lock first taken in worker(int)"});
  ASSERT_EQ(OfKind(plain, "self-deadlock").size(), 1u);
  EXPECT_EQ(OfKind(plain, "self-deadlock")[0]->accesses[0].stack.size(), 1u);
  EXPECT_EQ(d[0]->fingerprint, OfKind(plain, "self-deadlock")[0]->fingerprint);
}

TEST(Hang, LockWaitersBehindAHungThreadBelongToTheHang) {
  // T2 waits on a condition holding L; T3 waits for L; T1 waits on another condition.
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|2\n"
                        "T2|acq(L)|10\nT2|acq(M)|11\nT2|rel(M)|12\nT2|wait(M)|12\n"
                        "T3|req(L)|20\n"
                        "T1|acq(N)|3\nT1|rel(N)|4\nT1|wait(N)|4\n");
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]->threads, (std::vector<std::string>{"T2", "T3"}));
  EXPECT_EQ(h[0]->locks, std::vector<std::string>{"L"});
  EXPECT_EQ(h[1]->threads, std::vector<std::string>{"T1"});
}

TEST(Hang, JoinAndSemaphoreFromEvents) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kSemWaitBegin, 0x5E, 0, 0, s.Site("w.cc:3"));
  s.Add(1, EventKind::kThreadJoinBegin, 2, 0, 0, s.Site("m.cc:9"));
  Report r = Analyze(s, TestOptions());
  // The joiner of the hung thread is stuck behind it: one hang, not two.
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "sem");
  EXPECT_EQ(h[0]->threads, (std::vector<std::string>{"T2", "T1"}));
  ASSERT_EQ(h[0]->accesses.size(), 2u);
  EXPECT_EQ(h[0]->accesses[1].op, "join");
  EXPECT_EQ(h[0]->accesses[1].object, "T2");
}

TEST(Hang, JoinOfAThreadThatDoesNotEndIsAJoinHang) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadJoinBegin, 3, 0, 0, s.Site("m.cc:9"));
  s.Add(2, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "join");
}

// The program crashed (SIGABRT from the C library inside the join): T1 was cut short, not
// hung. The same trace without the crash record is a join hang.
TEST(Hang, AThreadThatCrashedInsideAJoinIsNoHang) {
  for (const bool crash : {false, true}) {
    VectorSource s;
    s.Add(1, EventKind::kThreadCreate, 2);
    s.Add(1, EventKind::kThreadJoinBegin, 3, 0, 0, s.Site("m.cc:9"));
    s.Add(2, EventKind::kThreadExit);
    if (crash) s.Add(1, EventKind::kCrash, 0, 0, 0, 0, SIGABRT);
    Report r = Analyze(s, TestOptions());
    EXPECT_EQ(OfKind(r, "hang").size(), crash ? 0u : 1u) << crash;
    bool said = false;
    for (const std::string& w : r.warnings) {
      said |= w.find("the program crashed: T1 took SIGABRT (signal 6)") != std::string::npos;
    }
    EXPECT_EQ(said, crash);
  }
}

TEST(Deadlock, JoinerOfADeadlockedThreadIsPartOfIt) {
  // T2 and T3 deadlock (AB-BA); T1 joins T2 and so never ends either.
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(3, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(2, EventKind::kLockRequest, 0xB);
  s.Add(3, EventKind::kLockRequest, 0xA);
  s.Add(1, EventKind::kThreadJoinBegin, 2, 0, 0, s.Site("m.cc:9"));
  Report r = Analyze(s, TestOptions());
  auto d = OfKind(r, "deadlock");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->threads, (std::vector<std::string>{"T2", "T3", "T1"}));
  EXPECT_NE(d[0]->title.find("1 more thread stuck behind it"), std::string::npos)
      << d[0]->title;
  EXPECT_NE(d[0]->detail.find("T1 waits for thread T2 to end"), std::string::npos)
      << d[0]->detail;
  ASSERT_EQ(d[0]->accesses.size(), 3u);
  EXPECT_EQ(d[0]->accesses[2].op, "join");
  EXPECT_TRUE(OfKind(r, "hang").empty());
  for (const auto& n : r.notes) EXPECT_EQ(n.find("still running"), std::string::npos) << n;
}

TEST(Deadlock, JoinerOfASelfDeadlockedThreadIsPartOfIt) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kLockCreate, 0xA, 0, static_cast<uint16_t>(trace::LockType::kNormal));
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("a.cc:1"));
  s.Add(2, EventKind::kLockRequest, 0xA, 0, 0, s.Site("a.cc:2"));
  s.Add(1, EventKind::kThreadJoinBegin, 2, 0, 0, s.Site("m.cc:9"));
  Report r = Analyze(s, TestOptions());
  auto d = OfKind(r, "self-deadlock");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->threads, (std::vector<std::string>{"T2", "T1"}));
  EXPECT_NE(d[0]->detail.find("T1 waits for thread T2 to end"), std::string::npos);
  EXPECT_TRUE(OfKind(r, "hang").empty());
  for (const auto& n : r.notes) EXPECT_EQ(n.find("still running"), std::string::npos) << n;
}

TEST(Deadlock, WatchdogRecordsOfTheRuntimeAreNoThread) {
  // The runtime writes the watchdog's records as tid 0; that is not a program thread.
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kCondWaitBegin, 0xC, 0, 0, s.Site("w.cc:3"));
  s.Add(1, EventKind::kThreadJoinBegin, 2, 0, 0, s.Site("m.cc:9"));
  s.Add(0, EventKind::kWatchdogFired, 0,
        static_cast<uint8_t>(trace::WatchdogReason::kAllBlocked));
  s.Add(0, EventKind::kBlocked, 0xC, static_cast<uint8_t>(trace::BlockedOn::kCond), 0, 0, 2);
  s.Add(0, EventKind::kBlocked, 2, static_cast<uint8_t>(trace::BlockedOn::kJoin), 0, 0, 1);
  Report r = Analyze(s, TestOptions());
  ASSERT_EQ(r.threads.size(), 2u);
  for (const ThreadInfo& t : r.threads) EXPECT_NE(t.tid, 0u) << t.name;
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->threads, (std::vector<std::string>{"T2", "T1"}));
  for (const Finding& f : r.findings) {
    for (const std::string& t : f.threads) EXPECT_NE(t, "T0");
  }
}

TEST(Hang, JoinCycleWithALockIsADeadlock) {
  // T1 holds L and joins T2; T2 waits for L.
  VectorSource s;
  s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kLockRequest, 0xA);
  s.Add(1, EventKind::kThreadJoinBegin, 2);
  Report j = Analyze(s, TestOptions());
  EXPECT_EQ(OfKind(j, "deadlock").size(), 1u);
  EXPECT_TRUE(OfKind(j, "hang").empty());
}

// How the program ended decides whether a waiter is hung: one that waits when the program
// exits on its own was idle (a pool worker, a background thread).
// `heap`: the condition variable lies in a block T1 allocated.
VectorSource IdleWorkerAtExit(bool complete, bool watchdog, bool heap = false) {
  VectorSource s;
  s.meta().format = "binary";
  s.meta().complete = complete;
  s.meta().watchdog = watchdog;
  if (heap) s.Add(1, EventKind::kAlloc, 0x8, 0, 0, s.Site("pool.cc:3")).Seq(16);
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(2, EventKind::kCondWaitBegin, 0xC, 0, 0, s.Site("worker.cc:7"));
  s.Add(2, EventKind::kLockRelease, 0xA, trace::kViaCondWait);
  s.Add(1, EventKind::kThreadExit);
  if (watchdog) {
    s.Add(0, EventKind::kWatchdogFired, 0,
          static_cast<uint8_t>(trace::WatchdogReason::kAllBlocked));
    s.Add(0, EventKind::kBlocked, 0xC, static_cast<uint8_t>(trace::BlockedOn::kCond), 0, 0, 2);
  }
  return s;
}

bool HasNote(const Report& r, const std::string& text) {
  for (const auto& n : r.notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Hang, WaiterWhenTheProgramExitedOnItsOwnIsANote) {
  VectorSource s = IdleWorkerAtExit(true, false);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(OfKind(r, "hang").empty());
  // A condition variable, named as one.
  EXPECT_TRUE(HasNote(r, "T2 was still waiting on cond@0xc ")) << ::testing::PrintToString(r.notes);
  EXPECT_TRUE(HasNote(r, "when the program exited")) << ::testing::PrintToString(r.notes);
}

// A condition variable nothing names, in a heap block: named by the block.
TEST(Hang, AConditionVariableInAHeapBlockIsNamedByTheBlock) {
  VectorSource s = IdleWorkerAtExit(true, false, true);
  Report r = Analyze(s, TestOptions());
  EXPECT_TRUE(HasNote(
      r, "T2 was still waiting on heap block of 16 bytes allocated at pool.cc:3 (+4) "))
      << ::testing::PrintToString(r.notes);
}

TEST(Hang, WaiterWhenTheWatchdogEndedTheProgramIsAHang) {
  VectorSource s = IdleWorkerAtExit(true, true);
  Report r = Analyze(s, TestOptions());
  auto h = OfKind(r, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "cond");
  EXPECT_EQ(h[0]->threads, std::vector<std::string>{"T2"});
}

TEST(Hang, WaiterInATraceWithoutACleanCloseIsAHang) {
  // Killed or crashed: nothing says the program could have ended.
  VectorSource s = IdleWorkerAtExit(false, false);
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(OfKind(r, "hang").size(), 1u);
}

TEST(Deadlock, StandsWhenTheProgramExitedOnItsOwn) {
  VectorSource s;
  s.meta().format = "binary";
  s.meta().complete = true;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
  s.Add(3, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(2, EventKind::kLockRequest, 0xB);
  s.Add(3, EventKind::kLockRequest, 0xA);
  s.Add(1, EventKind::kThreadExit);
  Report r = Analyze(s, TestOptions());
  EXPECT_EQ(OfKind(r, "deadlock").size(), 1u);
  EXPECT_TRUE(OfKind(r, "hang").empty());
}

TEST(Misuse, UnlockNotHeldAndNotOwner) {
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T1|rel(A)|2\n"
                        "T1|acq(B)|3\nT2|rel(B)|10\nT1|rel(B)|4\n");
  auto m = OfKind(r, "misuse");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0]->subkind, "unlock-not-held");
  EXPECT_EQ(m[0]->locks, std::vector<std::string>{"A"});
  EXPECT_EQ(m[1]->subkind, "unlock-not-owner");
  EXPECT_EQ(m[1]->threads, std::vector<std::string>{"T2"});
  // T2's unlock freed B: T1's own unlock then finds it free.
  EXPECT_EQ(m[2]->subkind, "unlock-not-held");
  EXPECT_EQ(m[2]->locks, std::vector<std::string>{"B"});
}

TEST(Misuse, HeldAtExitAndDestroyLocked) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1, s.Site("w.cc:5"));
  s.Add(2, EventKind::kThreadExit, 0, 0, 0, s.Site("w.cc:9"));
  s.Add(1, EventKind::kThreadJoin, 2);
  s.Add(1, EventKind::kLockAcquired, 0xB, 0, 1);
  s.Add(1, EventKind::kLockDestroy, 0xB, 0, 0, s.Site("m.cc:3"));
  Report r = Analyze(s, TestOptions());
  auto m = OfKind(r, "misuse");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0]->subkind, "destroy-locked");  // errors sort before warnings
  EXPECT_EQ(m[1]->subkind, "held-at-exit");
  EXPECT_EQ(m[1]->severity, Severity::kWarning);
  EXPECT_EQ(m[1]->accesses.at(1).stack.at(0).line, 5);
}

}  // namespace
}  // namespace threadlens::testing
