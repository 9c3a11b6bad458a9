// File locks in the lock-order graph (kFileLockAcquired / kFileLockRelease): a file's
// exclusive lock and a mutex in opposite orders make a cycle, a shared one makes none, and a
// hold ends when the lock is given up by its thread or by another thread of its process,
// not by a fork child's exit.
#include <gtest/gtest.h>

#include "process_tree.h"
#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

constexpr uint64_t kFile = 0x0c00000000004d2, kTable = 0x5000;

VectorSource Named() {
  VectorSource s;
  s.Add(1, EventKind::kNameLock, kFile, 0, 0, 0, s.Str("file lock /tmp/spool.lock"));
  s.Add(1, EventKind::kNameLock, kTable, 0, 0, 0, s.Str("table"));
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  return s;
}

// Thread `tid` takes the file's lock (flags: kShared or 0), then the mutex, and gives both up.
void FileThenTable(VectorSource& s, uint32_t tid, uint8_t flags = 0) {
  s.Add(tid, EventKind::kFileLockAcquired, kFile, flags, 0, s.Site("w.c:10"));
  s.Add(tid, EventKind::kLockAcquired, kTable, 0, 1, s.Site("w.c:11"));
  s.Add(tid, EventKind::kLockRelease, kTable, 0, 0, s.Site("w.c:12"));
  s.Add(tid, EventKind::kFileLockRelease, kFile, flags, 0, s.Site("w.c:13"));
}

// Thread `tid` takes the mutex, then the file's lock, and gives both up.
void TableThenFile(VectorSource& s, uint32_t tid, uint8_t flags = 0) {
  s.Add(tid, EventKind::kLockAcquired, kTable, 0, 1, s.Site("i.c:20"));
  s.Add(tid, EventKind::kFileLockAcquired, kFile, flags, 0, s.Site("i.c:21"));
  s.Add(tid, EventKind::kFileLockRelease, kFile, flags, 0, s.Site("i.c:22"));
  s.Add(tid, EventKind::kLockRelease, kTable, 0, 0, s.Site("i.c:23"));
}

TEST(FileLockOrder, FileLockAndMutexInOppositeOrdersIsACycle) {
  VectorSource s = Named();
  FileThenTable(s, 2);
  TableThenFile(s, 3);
  Report r = Analyze(s, TestOptions());
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->locks, (std::vector<std::string>{"file lock /tmp/spool.lock", "table"}));
  ASSERT_EQ(f[0]->cycle.size(), 2u);
  EXPECT_EQ(f[0]->cycle[0].from_site.stack.at(0).line, 10);
  EXPECT_EQ(f[0]->cycle[0].to_site.stack.at(0).line, 11);
  // The side that takes the mutex holds the file's lock, and says so.
  EXPECT_EQ(f[0]->cycle[0].to_site.held, (std::vector<std::string>{"file lock /tmp/spool.lock"}));
  bool listed = false;
  for (const LockInfo& l : r.locks) {
    listed |= l.name == "file lock /tmp/spool.lock" && l.type == "file";
  }
  EXPECT_TRUE(listed);
  // The timeline holds each thread's hold of the file's lock, from its taking to its release.
  int holds = 0;
  for (const Span& sp : r.spans) {
    holds += sp.object == "file lock /tmp/spool.lock" && sp.kind == "hold" && sp.end > sp.begin;
  }
  EXPECT_EQ(holds, 2);
}

// --predict models no file lock (their order is a channel it keeps): the cycle stays an
// error, and a note says it was not predicted.
TEST(FileLockOrder, PredictionLeavesACycleThroughAFileLockAsFound) {
  VectorSource s = Named();
  FileThenTable(s, 2);
  TableThenFile(s, 3);
  AnalyzeOptions o = TestOptions();
  o.predict = true;
  Report r = Analyze(s, o);
  auto f = OfKind(r, "lock-order");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  bool noted = false;
  for (const std::string& n : r.notes) noted |= n.find("through a file's lock not predicted") !=
                                                std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(FileLockOrder, SameOrderIsNoCycle) {
  VectorSource s = Named();
  FileThenTable(s, 2);
  FileThenTable(s, 3);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "lock-order").empty());
}

TEST(FileLockOrder, ALockTakenWithoutWaitingClosesNoCycle) {
  // The indexer's flock is LOCK_NB: it fails rather than wait, so no deadlock runs through it.
  VectorSource s = Named();
  FileThenTable(s, 2);
  TableThenFile(s, 3, trace::kTry);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "lock-order").empty());
}

TEST(FileLockOrder, SharedFileLocksMakeNoCycle) {
  VectorSource s = Named();
  FileThenTable(s, 2, trace::kShared);
  TableThenFile(s, 3, trace::kShared);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "lock-order").empty());
}

TEST(FileLockOrder, AGiveUpByAnotherThreadOfTheProcessEndsTheHold) {
  VectorSource s = Named();
  s.Add(1, EventKind::kThreadCreate, 4);
  s.Add(2, EventKind::kFileLockAcquired, kFile, 0, 0, s.Site("w.c:10"));
  s.Add(4, EventKind::kFileLockRelease, kFile, 0, 0, s.Site("c.c:5"));  // closes it
  s.Add(2, EventKind::kLockAcquired, kTable, 0, 1, s.Site("w.c:11"));
  s.Add(2, EventKind::kLockRelease, kTable, 0, 0, s.Site("w.c:12"));
  TableThenFile(s, 3);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "lock-order").empty());
}

TEST(FileLockOrder, AGiveUpInAnotherProcessLeavesTheHold) {
  // Thread 2 of process 1 (a fork child's exit closing its inherited descriptor) gives the
  // lock up: process 0's T2 still holds it when it takes the mutex.
  VectorSource s = Named();
  const uint32_t child = MergedTid(1, 2);
  s.Add(2, EventKind::kFileLockAcquired, kFile, 0, 0, s.Site("w.c:10"));
  s.Add(child, EventKind::kFileLockRelease, kFile, 0, 0, s.Site("c.c:5"));
  s.Add(2, EventKind::kLockAcquired, kTable, 0, 1, s.Site("w.c:11"));
  s.Add(2, EventKind::kLockRelease, kTable, 0, 0, s.Site("w.c:12"));
  s.Add(2, EventKind::kFileLockRelease, kFile, 0, 0, s.Site("w.c:13"));
  TableThenFile(s, 3);
  EXPECT_EQ(OfKind(Analyze(s, TestOptions()), "lock-order").size(), 1u);
}

}  // namespace
}  // namespace threadlens::testing
