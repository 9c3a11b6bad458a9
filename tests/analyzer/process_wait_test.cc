// Waits for a child process in the wait-for graph (blocked_state.h): a parent waiting for a
// child that waits for a lock the parent holds is a deadlock; a child that may yet end (one of
// its threads runs) or that waits for nothing the waiter holds is none. And pipe waits within
// one process: threads that each wait on an end only their process holds are one hang, not a
// deadlock of every pair; one that holds the lock its writer waits for is a deadlock.
#include <gtest/gtest.h>

#include "blocked_state.h"
#include "process_tree.h"
#include "threadlens/trace_watchdog.h"

namespace threadlens::analysis {
namespace {

constexpr uint64_t kFileLock = 0x0c00000000001230;
constexpr uint64_t kChildKey = (7ull << 57) + 2 * 4242 + 1;  // the tracer's ExitKey(4242)

const uint32_t kParent = MergedTid(0, 1), kChild = MergedTid(1, 1), kChild2 = MergedTid(1, 2);

BlockedThread WaitsForChild(uint32_t process) {
  BlockedThread b;
  b.tid = kParent;
  b.on = Pending::kProcess;
  b.obj = kChildKey;
  b.process = process;
  return b;
}

BlockedThread WaitsForFileLock(uint32_t tid) {
  BlockedThread b;
  b.tid = tid;
  b.on = Pending::kFileLock;
  b.obj = kFileLock;
  return b;
}

std::vector<HeldBy> ParentHoldsTheLock() {
  HeldBy h;
  h.tid = kParent;
  h.lock = kFileLock;
  return {h};
}

bool NotRecursive(uint64_t) { return false; }

TEST(ProcessWait, ParentWaitingForAChildThatWaitsForItsLockIsADeadlock) {
  const std::vector<BlockedThread> blocked{WaitsForChild(2), WaitsForFileLock(kChild)};
  const std::vector<RawFinding> out =
      FindBlocked(blocked, ParentHoldsTheLock(), NotRecursive, true);
  ASSERT_EQ(out.size(), 1u);
  const RawFinding& f = out[0];
  EXPECT_EQ(f.kind, "deadlock");
  ASSERT_EQ(f.cycle.size(), 2u);
  bool process_edge = false, lock_edge = false;
  for (const RawEdge& e : f.cycle) {
    if (e.from == kParent) {
      process_edge = e.to == kChild && e.to_site.op == Op::kWaitProcess &&
                     e.to_site.obj == kChildKey;
    } else {
      lock_edge = e.from == kChild && e.to == kParent && e.from_site.obj == kFileLock;
    }
  }
  EXPECT_TRUE(process_edge);
  EXPECT_TRUE(lock_edge);
  EXPECT_EQ(f.locks, std::vector<uint64_t>{kFileLock});
}

TEST(ProcessWait, EachBlockedThreadOfTheChildIsAnEdge) {
  // The child's second thread waits for the same lock: a cycle through either thread.
  const std::vector<BlockedThread> blocked{WaitsForChild(2), WaitsForFileLock(kChild),
                                           WaitsForFileLock(kChild2)};
  std::set<uint32_t> accounted;
  const std::vector<RawFinding> out =
      FindBlocked(blocked, ParentHoldsTheLock(), NotRecursive, true, &accounted);
  ASSERT_FALSE(out.empty());
  for (const RawFinding& f : out) EXPECT_EQ(f.kind, "deadlock");
  EXPECT_EQ(accounted, (std::set<uint32_t>{kParent, kChild, kChild2}));
}

TEST(ProcessWait, AChildThatMayYetEndMakesNoEdge) {
  // process 0: the analysis saw a thread of the child still running.
  const std::vector<BlockedThread> blocked{WaitsForChild(0), WaitsForFileLock(kChild)};
  const std::vector<RawFinding> out =
      FindBlocked(blocked, ParentHoldsTheLock(), NotRecursive, false);
  EXPECT_TRUE(out.empty());
}

TEST(ProcessWait, AChildWaitingForSomethingElseIsItsOwnHangAndThePartnerJoinsIt) {
  // The child waits on a condition variable: a hang, and its waiting parent is stuck behind it.
  BlockedThread cond;
  cond.tid = kChild;
  cond.on = Pending::kCond;
  cond.obj = 0x1000;
  const std::vector<BlockedThread> blocked{WaitsForChild(2), cond};
  const std::vector<RawFinding> out = FindBlocked(blocked, {}, NotRecursive, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "hang");
  EXPECT_EQ(out[0].subkind, "cond");
  EXPECT_EQ(out[0].tids, (std::vector<uint32_t>{kChild, kParent}));
}

TEST(ProcessWait, AWaitForAnUnknownChildIsNoHang) {
  // A child the recording does not hold (an untraced program): nothing says it is stuck.
  BlockedThread b = WaitsForChild(0);
  const std::vector<RawFinding> out = FindBlocked({b}, {}, NotRecursive, true);
  EXPECT_TRUE(out.empty());
}

// Thread `tid` of the first process reads eventfd `id`, whose holder is that process.
BlockedThread ReadsEventfd(uint32_t tid, uint64_t id) {
  BlockedThread b;
  b.tid = tid;
  b.on = Pending::kPipe;
  b.obj = trace::PipeEndKey(trace::kEventfdInode | id, true);
  return b;
}

HeldBy ProcessHolds(uint64_t key) {
  HeldBy h;
  h.tid = MergedTid(0, 1);  // the process's first thread stands for it
  h.lock = key;
  return h;
}

TEST(PipeWaits, ThreadsOfOneProcessWaitingOnItsOwnEventfdsAreOneHang) {
  const uint32_t t1 = MergedTid(0, 1), t2 = MergedTid(0, 2), t3 = MergedTid(0, 3);
  std::vector<BlockedThread> blocked{ReadsEventfd(t3, 2), ReadsEventfd(t1, 5),
                                     ReadsEventfd(t2, 3)};
  std::vector<HeldBy> holds;
  for (const BlockedThread& b : blocked) holds.push_back(ProcessHolds(b.obj));
  std::set<uint32_t> accounted;
  const std::vector<RawFinding> out = FindBlocked(blocked, holds, NotRecursive, true, &accounted);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "hang");
  EXPECT_EQ(out[0].subkind, "eventfd");
  ASSERT_EQ(out[0].tids.size(), 3u);
  EXPECT_EQ(out[0].tids[0], t1) << "the process's first thread leads";
  EXPECT_EQ(accounted, (std::set<uint32_t>{t1, t2, t3}));
}

TEST(PipeWaits, AReaderHoldingItsWritersLockIsStillADeadlock) {
  const uint32_t t1 = MergedTid(0, 1), t2 = MergedTid(0, 2);
  constexpr uint64_t kMutex = 0x5000;
  BlockedThread lock;
  lock.tid = t2;
  lock.on = Pending::kLock;
  lock.obj = kMutex;
  const std::vector<BlockedThread> blocked{ReadsEventfd(t1, 1), lock};
  HeldBy mutex;
  mutex.tid = t1;
  mutex.lock = kMutex;
  const std::vector<RawFinding> out =
      FindBlocked(blocked, {ProcessHolds(blocked[0].obj), mutex}, NotRecursive, true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "deadlock");
  EXPECT_EQ(out[0].cycle.size(), 2u);
}

}  // namespace
}  // namespace threadlens::analysis
