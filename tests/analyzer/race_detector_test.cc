// Race detection: every happens-before edge, with the trace that has the edge (no race) and
// the same trace without it (a race).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "hb_engine.h"
#include "heap_blocks.h"
#include "race_detector.h"
#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;
using trace::MemoryOrder;

TEST(RaceDetector, UnorderedWritesRace) {
  Report r = AnalyzeStd(
      "T1|fork(T2)|1\n"
      "T1|w(x)|2\n"
      "T2|w(x)|3\n");
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  const Finding& f = *OfKind(r, "race")[0];
  EXPECT_EQ(f.variables, std::vector<std::string>{"x"});
  ASSERT_EQ(f.accesses.size(), 2u);
  EXPECT_EQ(f.accesses[0].thread, "T1");
  EXPECT_EQ(f.accesses[0].op, "write");
  EXPECT_EQ(f.accesses[1].thread, "T2");
  EXPECT_EQ(f.accesses[1].stack.at(0).line, 3);
  EXPECT_EQ(f.accesses[1].stack.at(0).file, "test.std");
}

TEST(RaceDetector, ReadsDoNotRace) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|r(x)|2\nT2|r(x)|3\n");
  EXPECT_TRUE(OfKind(r, "race").empty());
}

TEST(RaceDetector, ForkOrdersParentBeforeChild) {
  EXPECT_TRUE(OfKind(AnalyzeStd("T1|w(x)|1\nT1|fork(T2)|2\nT2|w(x)|3\n"), "race").empty());
  // The parent's write after the fork is not ordered with the child.
  EXPECT_EQ(OfKind(AnalyzeStd("T1|fork(T2)|2\nT1|w(x)|1\nT2|w(x)|3\n"), "race").size(), 1u);
}

TEST(RaceDetector, JoinOrdersChildBeforeParent) {
  EXPECT_TRUE(OfKind(AnalyzeStd("T1|fork(T2)|1\nT2|w(x)|2\nT1|join(T2)|3\nT1|r(x)|4\n"), "race")
                  .empty());
  EXPECT_EQ(OfKind(AnalyzeStd("T1|fork(T2)|1\nT2|w(x)|2\nT1|r(x)|4\nT1|join(T2)|3\n"), "race")
                .size(),
            1u);
}

TEST(RaceDetector, LockReleaseOrdersNextAcquire) {
  EXPECT_TRUE(OfKind(AnalyzeStd("T1|fork(T2)|1\n"
                                "T1|acq(m)|2\nT1|w(x)|3\nT1|rel(m)|4\n"
                                "T2|acq(m)|5\nT2|w(x)|6\nT2|rel(m)|7\n"),
                     "race")
                  .empty());
  // Different locks do not order.
  Report r = AnalyzeStd("T1|fork(T2)|1\n"
                        "T1|acq(m)|2\nT1|w(x)|3\nT1|rel(m)|4\n"
                        "T2|acq(n)|5\nT2|w(x)|6\nT2|rel(n)|7\n");
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  EXPECT_EQ(OfKind(r, "race")[0]->accesses[0].held, std::vector<std::string>{"m"});
  EXPECT_EQ(OfKind(r, "race")[0]->accesses[1].held, std::vector<std::string>{"n"});
}

TEST(RaceDetector, EachSitePairReportedOnce) {
  std::string text = "T1|fork(T2)|1\n";
  for (int i = 0; i < 5; ++i) text += "T1|w(x)|10\nT2|w(x)|20\n";
  EXPECT_EQ(OfKind(AnalyzeStd(text), "race").size(), 1u);
  // Either order of the same two sites is the same race.
  text += "T2|w(y)|20\nT1|w(y)|10\n";
  EXPECT_EQ(OfKind(AnalyzeStd(text), "race").size(), 1u);
}

// gcc instruments `x++` as a read and then a write of x: the write, right after the read
// that raced with the same earlier access, is the same race, reported once (as the read).
TEST(RaceDetector, TheWriteHalfOfAReadModifyWriteIsTheReadsRace) {
  Report r = AnalyzeStd("T1|fork(T2)|1\nT1|w(x)|2\nT2|r(x)|3\nT2|w(x)|4\n");
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  EXPECT_EQ(OfKind(r, "race")[0]->accesses.at(1).op, "read");
  EXPECT_EQ(OfKind(r, "race")[0]->accesses.at(1).stack.at(0).line, 3);
  // Not adjacent (another access between them): two races.
  EXPECT_EQ(OfKind(AnalyzeStd("T1|fork(T2)|1\nT1|w(x)|2\nT2|r(x)|3\nT2|r(y)|5\nT2|w(x)|4\n"),
                   "race")
                .size(),
            2u);
  // The read raced with nothing (reads do not race): the write's race is its own.
  r = AnalyzeStd("T1|fork(T2)|1\nT1|r(x)|2\nT2|r(x)|3\nT2|w(x)|4\n");
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  EXPECT_EQ(OfKind(r, "race")[0]->accesses.at(1).op, "write");
  // The write races with the read's earlier access (folded) and with T3's read (its own).
  r = AnalyzeStd("T1|fork(T2)|1\nT1|fork(T3)|6\nT1|w(x)|2\nT3|r(x)|7\n"
                 "T2|r(x)|3\nT2|w(x)|4\n");
  std::vector<int> lines;
  for (const Finding* f : OfKind(r, "race")) {
    lines.push_back(f->accesses.at(0).stack.at(0).line * 10 + f->accesses.at(1).stack.at(0).line);
  }
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<int>{23, 27, 74}));
}

TEST(RaceDetector, ReadSharedThenWriteRacesWithEveryReader) {
  Report r = AnalyzeStd(
      "T1|w(x)|1\nT1|fork(T2)|2\nT1|fork(T3)|3\n"
      "T2|r(x)|4\nT3|r(x)|5\nT1|w(x)|6\n");
  EXPECT_EQ(OfKind(r, "race").size(), 2u);
}

// rwlocks, atomics, semaphores and annotations have no STD form: events directly.
struct Builder {
  VectorSource s;
  uint64_t x = 0x1000;
  Builder() {
    s.Add(1, EventKind::kThreadStart);
    s.Add(1, EventKind::kThreadCreate, 2);
    s.Add(2, EventKind::kThreadStart, 1);
  }
  void Write(uint32_t tid, int line) {
    s.Add(tid, EventKind::kWrite, x, 0, 4, s.Site("a.cc:" + std::to_string(line)));
  }
  void Read(uint32_t tid, int line) {
    s.Add(tid, EventKind::kRead, x, 0, 4, s.Site("a.cc:" + std::to_string(line)));
  }
  size_t Races() {
    Report r = Analyze(s, TestOptions());
    return OfKind(r, "race").size();
  }
};

TEST(RaceDetector, RwLockReadersDoNotOrderEachOther) {
  Builder b;
  const uint64_t rw = 0x500;
  b.s.Add(1, EventKind::kLockCreate, rw, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  b.s.Add(1, EventKind::kLockAcquired, rw, trace::kShared, 1);
  b.Write(1, 1);  // a write under a read lock: a bug the read lock does not hide
  b.s.Add(1, EventKind::kLockRelease, rw, trace::kShared, 0);
  b.s.Add(2, EventKind::kLockAcquired, rw, trace::kShared, 1);
  b.Read(2, 2);
  b.s.Add(2, EventKind::kLockRelease, rw, trace::kShared, 0);
  EXPECT_EQ(b.Races(), 1u);
}

TEST(RaceDetector, RwLockWriterOrdersLaterReaders) {
  Builder b;
  const uint64_t rw = 0x500;
  b.s.Add(1, EventKind::kLockCreate, rw, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  b.s.Add(1, EventKind::kLockAcquired, rw, 0, 1);
  b.Write(1, 1);
  b.s.Add(1, EventKind::kLockRelease, rw, 0, 0);
  b.s.Add(2, EventKind::kLockAcquired, rw, trace::kShared, 1);
  b.Read(2, 2);
  b.s.Add(2, EventKind::kLockRelease, rw, trace::kShared, 0);
  EXPECT_EQ(b.Races(), 0u);
}

TEST(RaceDetector, RwLockReaderReleaseOrdersLaterWriter) {
  Builder b;
  const uint64_t rw = 0x500;
  b.s.Add(1, EventKind::kLockAcquired, rw, trace::kShared, 1);
  b.Read(1, 1);
  b.s.Add(1, EventKind::kLockRelease, rw, trace::kShared, 0);
  b.s.Add(2, EventKind::kLockAcquired, rw, 0, 1);
  b.Write(2, 2);
  b.s.Add(2, EventKind::kLockRelease, rw, 0, 0);
  EXPECT_EQ(b.Races(), 0u);
}

TEST(RaceDetector, ReleaseAcquirePublicationOrders) {
  Builder b;
  const uint64_t flag = 0x2000;
  b.Write(1, 1);
  b.s.Add(1, EventKind::kAtomicStore, flag, static_cast<uint8_t>(MemoryOrder::kRelease), 4);
  b.s.Add(2, EventKind::kAtomicLoad, flag, static_cast<uint8_t>(MemoryOrder::kAcquire), 4);
  b.Read(2, 2);
  EXPECT_EQ(b.Races(), 0u);
}

TEST(RaceDetector, SeqCstRmwPublicationOrders) {
  Builder b;
  const uint64_t flag = 0x2000;
  b.Write(1, 1);
  b.s.Add(1, EventKind::kAtomicRmw, flag, static_cast<uint8_t>(MemoryOrder::kSeqCst), 4);
  b.s.Add(2, EventKind::kAtomicRmw, flag, static_cast<uint8_t>(MemoryOrder::kAcqRel), 4);
  b.Read(2, 2);
  EXPECT_EQ(b.Races(), 0u);
}

TEST(RaceDetector, RelaxedPublicationRaces) {
  Builder b;
  const uint64_t flag = 0x2000;
  b.Write(1, 1);
  b.s.Add(1, EventKind::kAtomicStore, flag, static_cast<uint8_t>(MemoryOrder::kRelaxed), 4);
  b.s.Add(2, EventKind::kAtomicLoad, flag, static_cast<uint8_t>(MemoryOrder::kAcquire), 4);
  b.Read(2, 2);
  EXPECT_EQ(b.Races(), 1u);
}

TEST(RaceDetector, RelaxedLoadRaces) {
  Builder b;
  const uint64_t flag = 0x2000;
  b.Write(1, 1);
  b.s.Add(1, EventKind::kAtomicStore, flag, static_cast<uint8_t>(MemoryOrder::kRelease), 4);
  b.s.Add(2, EventKind::kAtomicLoad, flag, static_cast<uint8_t>(MemoryOrder::kRelaxed), 4);
  b.Read(2, 2);
  EXPECT_EQ(b.Races(), 1u);
}

TEST(RaceDetector, AtomicOfOtherAddressDoesNotOrder) {
  Builder b;
  b.Write(1, 1);
  b.s.Add(1, EventKind::kAtomicStore, 0x2000, static_cast<uint8_t>(MemoryOrder::kRelease), 4);
  b.s.Add(2, EventKind::kAtomicLoad, 0x3000, static_cast<uint8_t>(MemoryOrder::kAcquire), 4);
  b.Read(2, 2);
  EXPECT_EQ(b.Races(), 1u);
}

TEST(RaceDetector, SemaphorePostOrdersWait) {
  for (bool failed : {false, true}) {
    Builder b;
    b.Write(1, 1);
    b.s.Add(1, EventKind::kSemPost, 0x3000);
    b.s.Add(2, EventKind::kSemWaitBegin, 0x3000, failed ? trace::kTry : 0);
    b.s.Add(2, EventKind::kSemWaitEnd, 0x3000, failed ? trace::kFailed : 0);
    b.Read(2, 2);
    EXPECT_EQ(b.Races(), failed ? 1u : 0u) << "failed trywait: " << failed;
  }
}

TEST(RaceDetector, AnnotationsOrder) {
  for (bool annotated : {true, false}) {
    Builder b;
    b.Write(1, 1);
    if (annotated) b.s.Add(1, EventKind::kHappensBefore, 0x4000);
    b.s.Add(2, EventKind::kHappensAfter, 0x4000);
    b.Read(2, 2);
    EXPECT_EQ(b.Races(), annotated ? 0u : 1u);
  }
}

// A thread runs on a stack the program gave it (a heap block), and another thread frees the
// block: the thread's write after the free, ordered after it, is a use after free, though the
// thread made the same write earlier in its epoch (the repeats of a thread's own stack are
// left out only until a block over it comes or goes).
TEST(RaceDetector, AStackFreedUnderItsThreadEndsItsRepeats) {
  Builder b;
  const uint64_t stack = 0x20000;
  b.s.Add(1, EventKind::kAlloc, stack).Seq(0x1000);
  b.s.Add(1, EventKind::kHappensBefore, 0x4000);
  b.s.Add(2, EventKind::kHappensAfter, 0x4000);
  b.s.Add(2, EventKind::kThreadStack, stack).Seq(0x1000);
  b.s.Add(2, EventKind::kWrite, stack + 0x100, 0, 8, b.s.Site("a.cc:3"));
  b.s.Add(1, EventKind::kFree, stack, 0, 0, b.s.Site("a.cc:4"));  // races with that write
  b.s.Add(1, EventKind::kHappensBefore, 0x4001);
  b.s.Add(2, EventKind::kHappensAfter, 0x4001);
  b.s.Add(2, EventKind::kWrite, stack + 0x100, 0, 8, b.s.Site("a.cc:6"));  // after the free
  Report r = Analyze(b.s, TestOptions());
  bool use_after_free = false;
  for (const Finding* f : OfKind(r, "race")) {
    use_after_free |= f->subkind == "use-after-free" && f->accesses.size() == 2 &&
                      !f->accesses[1].stack.empty() && f->accesses[1].stack[0].line == 6;
  }
  EXPECT_TRUE(use_after_free) << OfKind(r, "race").size();
}

TEST(RaceDetector, FreeIsAWriteOfTheBlock) {
  for (bool freed : {true, false}) {
    Builder b;
    b.s.Add(1, EventKind::kAlloc, 0x1000).Seq(16).Add(1, EventKind::kWrite, 0x1008, 0, 8, 0);
    if (freed) b.s.Add(1, EventKind::kFree, 0x1000);
    // Another thread writes the block, unordered with the write and with the free.
    b.s.Add(2, EventKind::kWrite, 0x1008, 0, 8, 0);
    Report r = Analyze(b.s, TestOptions());
    auto races = OfKind(r, "race");
    ASSERT_EQ(races.size(), 1u) << freed;
    EXPECT_EQ(races[0]->subkind, freed ? "use-after-free" : "") << freed;
    EXPECT_EQ(races[0]->accesses[0].op, freed ? "free" : "write") << freed;
  }
}

TEST(RaceDetector, NamesComeFromAnnotationsAndStacks) {
  VectorSource s;
  s.Add(1, EventKind::kNameThread, 1, 0, 0, 0, s.Str("main"));
  s.Add(1, EventKind::kNameVariable, 0x1000, 0, 16, 0, s.Str("prices"));
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kNameThread, 2, 0, 0, 0, s.Str("worker"));
  s.Add(2, EventKind::kFuncEntry, 0, 0, 0, s.Site("Update"));
  s.Add(2, EventKind::kWrite, 0x1008, 0, 8, s.Site("prices.cc:7"));
  s.Add(1, EventKind::kRead, 0x1008, 0, 8, s.Site("prices.cc:20"));
  Report r = Analyze(s, TestOptions());
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  const Finding& f = *OfKind(r, "race")[0];
  EXPECT_EQ(f.variables, std::vector<std::string>{"prices+8"});
  EXPECT_EQ(f.accesses[0].thread, "worker");
  EXPECT_EQ(f.accesses[0].size, 8u);
  ASSERT_EQ(f.accesses[0].stack.size(), 2u);
  EXPECT_EQ(f.accesses[0].stack[1].function, "Update");
  EXPECT_EQ(f.accesses[1].thread, "main");
  EXPECT_EQ(f.threads, (std::vector<std::string>{"worker", "main"}));
}

// A pool's threads share a name: each is told apart by its number; a name of its own stays
// bare.
TEST(RaceDetector, ThreadsSharingANameAreToldApart) {
  VectorSource s;
  s.Add(1, EventKind::kNameThread, 1, 0, 0, 0, s.Str("main"));
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(1, EventKind::kThreadCreate, 3);
  s.Add(2, EventKind::kNameThread, 2, 0, 0, 0, s.Str("worker"));
  s.Add(3, EventKind::kNameThread, 3, 0, 0, 0, s.Str("worker"));
  s.Add(2, EventKind::kWrite, 0x1008, 0, 8, s.Site("pool.cc:7"));
  s.Add(3, EventKind::kWrite, 0x1008, 0, 8, s.Site("pool.cc:9"));
  s.Add(1, EventKind::kWrite, 0x2000, 0, 8, s.Site("pool.cc:11"));
  s.Add(2, EventKind::kWrite, 0x2000, 0, 8, s.Site("pool.cc:13"));
  Report r = Analyze(s, TestOptions());
  ASSERT_EQ(OfKind(r, "race").size(), 2u);
  EXPECT_EQ(OfKind(r, "race")[0]->threads, (std::vector<std::string>{"worker (T2)", "worker (T3)"}));
  EXPECT_EQ(OfKind(r, "race")[1]->threads, (std::vector<std::string>{"main", "worker (T2)"}));
}

// A coalesced scan (one range event) finds what the element-by-element scan finds.
TEST(RaceDetector, RangeAccessesExpandIntoTheirElements) {
  auto run = [](bool coalesced, bool locked) {
    VectorSource s;
    s.Add(1, EventKind::kNameVariable, 0x1000, 0, 32, 0, s.Str("table"));
    s.Add(1, EventKind::kThreadCreate, 2);
    if (locked) s.Add(2, EventKind::kLockAcquired, 0xA, 0, 1);
    if (coalesced) {
      s.Add(2, EventKind::kWrite, 0x1000, 0, 0, s.Site("scan.cc:4"), 8).Seq(32);
    } else {
      for (uint64_t a = 0x1000; a < 0x1020; a += 8) {
        s.Add(2, EventKind::kWrite, a, 0, 8, s.Site("scan.cc:4"));
      }
    }
    if (locked) s.Add(2, EventKind::kLockRelease, 0xA);
    if (locked) s.Add(1, EventKind::kLockAcquired, 0xA, 0, 1);
    s.Add(1, EventKind::kRead, 0x1018, 0, 8, s.Site("main.cc:9"));
    // Past the range's end: no conflict.
    s.Add(1, EventKind::kRead, 0x1020, 0, 8, s.Site("main.cc:10"));
    return Analyze(s, TestOptions());
  };
  for (bool locked : {false, true}) {
    Report plain = run(false, locked), range = run(true, locked);
    EXPECT_EQ(RacingVariables(range), RacingVariables(plain)) << locked;
    EXPECT_EQ(RacingVariables(range),
              locked ? std::vector<std::string>{} : std::vector<std::string>{"table+24"});
  }
  Report r = run(true, false);
  ASSERT_EQ(OfKind(r, "race").size(), 1u);
  EXPECT_EQ(OfKind(r, "race")[0]->accesses[0].size, 8u);
  EXPECT_EQ(OfKind(r, "race")[0]->accesses[0].address, 0x1018u);
}

TEST(RaceDetector, ByteRangesAndHugeRangesAreBounded) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  // A byte range (element size 1, as __tsan_write_range writes) covers a 4-byte variable.
  s.Add(2, EventKind::kWrite, 0x2000, 0, 0, s.Site("copy.cc:3"), 1).Seq(64);
  s.Add(1, EventKind::kRead, 0x2010, 0, 4, s.Site("main.cc:5"));
  // 1 GiB of bytes: checked on a prefix only, said in a note, and quick.
  s.Add(2, EventKind::kWrite, 0x10000000, 0, 0, s.Site("fill.cc:8"), 1).Seq(1ull << 30);
  s.Add(1, EventKind::kRead, 0x10000008, 0, 8, s.Site("main.cc:6"));
  s.Add(1, EventKind::kRead, 0x10000000 + (1ull << 29), 0, 8, s.Site("main.cc:7"));
  Report r = Analyze(s, TestOptions());
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 2u);
  EXPECT_EQ(races[0]->accesses[1].stack.at(0).line, 5);
  EXPECT_EQ(races[1]->accesses[1].stack.at(0).line, 6);
  // A byte range is reported at its whole length (capped), not as one byte.
  EXPECT_EQ(races[0]->accesses[0].size, 64u);
  EXPECT_EQ(races[0]->accesses[1].size, 4u);
  EXPECT_EQ(races[1]->accesses[0].size, 65535u);
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("1 range access longer than") != std::string::npos;
  EXPECT_TRUE(noted);
}

// A coalesced scan of 200000 8-byte elements (what the tracer writes for a loop filling a
// vector) is checked element by element: a race deep inside it is found, with no note.
TEST(RaceDetector, LongCoalescedScansAreCheckedWhole) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2);
  s.Add(2, EventKind::kWrite, 0x40000000, 0, 0, s.Site("fill.cc:3"), 8).Seq(200000 * 8);
  s.Add(1, EventKind::kRead, 0x40000000 + 150000 * 8, 0, 8, s.Site("main.cc:9"));
  Report r = Analyze(s, TestOptions());
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->accesses[0].address, 0x40000000u + 150000 * 8);
  for (const auto& n : r.notes) EXPECT_EQ(n.find("range access longer than"), std::string::npos);
}

// A race in a heap block without a name is named by where the block was allocated, and the
// fingerprint keeps the function only (no address, size, line or offset).
TEST(RaceDetector, HeapBlocksAreNamedByAllocationSite) {
  auto run = [](uint64_t base, const char* site, bool free_early) {
    VectorSource s;
    s.Add(1, EventKind::kFuncEntry, 0, 0, 0, s.Site("make_table()"));
    s.Add(1, EventKind::kAlloc, base, 0, 0, s.Site(site)).Seq(24);
    s.Add(1, EventKind::kFuncExit);
    s.Add(1, EventKind::kThreadCreate, 2);
    s.Add(2, EventKind::kWrite, base + 8, 0, 8, s.Site("fill.cc:3"));
    s.Add(1, EventKind::kRead, base + 8, 0, 8, s.Site("main.cc:7"));
    if (free_early) s.Add(1, EventKind::kFree, base);
    // Another block, freed: a race on its old address after that is not named by it.
    s.Add(1, EventKind::kAlloc, base + 0x100, 0, 0, s.Site("other.cc:1")).Seq(8);
    s.Add(1, EventKind::kFree, base + 0x100);
    s.Add(2, EventKind::kWrite, base + 0x100, 0, 8, s.Site("fill.cc:4"));
    s.Add(1, EventKind::kWrite, base + 0x100, 0, 8, s.Site("main.cc:8"));
    return Analyze(s, TestOptions());
  };
  // Finds the race whose accesses are at these two lines.
  auto at = [](const Report& r, int line_a, int line_b) -> const Finding* {
    for (const Finding* f : OfKind(r, "race")) {
      if (f->accesses.size() == 2 && !f->accesses[0].stack.empty() &&
          !f->accesses[1].stack.empty() && f->accesses[0].stack[0].line == line_a &&
          f->accesses[1].stack[0].line == line_b) {
        return f;
      }
    }
    return nullptr;
  };
  Report a = run(0x5000, "table.cc:12", true);
  const Finding* first = at(a, 3, 7);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->variables,
            std::vector<std::string>{"heap block of 24 bytes allocated at make_table() table.cc:12 (+8)"});
  EXPECT_EQ(first->accesses[0].object, first->variables[0]);
  EXPECT_NE(first->title.find("heap block of 24 bytes"), std::string::npos) << first->title;
  // The freed block's memory keeps the block's name until it is reused: the write after
  // the free races with it.
  const Finding* after_free = nullptr;
  for (const Finding* f : OfKind(a, "race")) {
    if (!f->accesses[1].stack.empty() && f->accesses[1].stack[0].line == 4) after_free = f;
  }
  ASSERT_NE(after_free, nullptr);
  EXPECT_EQ(after_free->accesses[0].op, "free");
  EXPECT_EQ(after_free->subkind, "use-after-free");
  EXPECT_EQ(after_free->variables,
            std::vector<std::string>{"heap block of 8 bytes allocated at other.cc:1"});
  // Another address, another line, freed or not: the same fingerprint.
  Report b = run(0x9000, "table.cc:14", false);
  const Finding* other = at(b, 3, 7);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->fingerprint, first->fingerprint);
  EXPECT_NE(other->variables, first->variables);
}

}  // namespace
}  // namespace threadlens::testing
