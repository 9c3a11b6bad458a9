// The race detector's memory model on hand-written traces, each bug next to its correct
// twin: access sizes and offsets, atomics as accesses, release sequences, fences, heap
// lifetime (use after free by another thread), the bytes of synchronization objects.
#include <gtest/gtest.h>

#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;
using trace::MemoryOrder;

constexpr uint64_t kX = 0x5000;

uint8_t Mo(MemoryOrder o) { return static_cast<uint8_t>(o); }

// T1 forks T2; T1's access, then T2's, unordered.
std::vector<const Finding*> TwoAccesses(EventKind k1, uint64_t a1, uint16_t s1, EventKind k2,
                                        uint64_t a2, uint16_t s2, Report* keep) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, k1, a1, 0, s1, s.Site("one.cc:1"));
  s.Add(2, k2, a2, 0, s2, s.Site("two.cc:2"));
  *keep = Analyze(s, TestOptions());
  return OfKind(*keep, "race");
}

TEST(MemoryModel, WideWriteAndNarrowReadInsideItConflict) {
  Report r;
  auto races = TwoAccesses(EventKind::kWrite, kX, 8, EventKind::kRead, kX + 3, 1, &r);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->accesses[0].address, kX + 3);
  EXPECT_EQ(races[0]->accesses[1].size, 1u);
}

TEST(MemoryModel, NeighbouringBytesDoNotConflict) {
  Report r;
  EXPECT_TRUE(TwoAccesses(EventKind::kWrite, kX, 4, EventKind::kWrite, kX + 4, 4, &r).empty());
  EXPECT_TRUE(TwoAccesses(EventKind::kWrite, kX + 3, 1, EventKind::kRead, kX + 4, 4, &r).empty());
}

TEST(MemoryModel, UnalignedAccessAcrossGranules) {
  Report r;
  // Bytes 6..9 straddle two granules; byte 9 is in the second one.
  auto races = TwoAccesses(EventKind::kWrite, kX + 6, 4, EventKind::kRead, kX + 9, 1, &r);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->accesses[1].address, kX + 9);
  EXPECT_TRUE(TwoAccesses(EventKind::kWrite, kX + 6, 4, EventKind::kRead, kX + 10, 2, &r).empty());
}

TEST(MemoryModel, OverlapAtDifferentStartsAndSizes) {
  Report r;
  auto races = TwoAccesses(EventKind::kWrite, kX + 2, 4, EventKind::kWrite, kX + 4, 8, &r);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->accesses[1].address, kX + 4);
}

TEST(MemoryModel, PlainAccessRacesAtomicOne) {
  Report r;
  auto races = TwoAccesses(EventKind::kAtomicStore, kX, 4, EventKind::kRead, kX, 4, &r);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_TRUE(races[0]->accesses[0].atomic);
  EXPECT_FALSE(races[0]->accesses[1].atomic);
  // Mixed sizes: a byte read of a 4-byte atomic.
  EXPECT_EQ(TwoAccesses(EventKind::kAtomicRmw, kX, 4, EventKind::kWrite, kX + 1, 1, &r).size(),
            1u);
}

TEST(MemoryModel, AtomicAccessesDoNotRaceEachOther) {
  Report r;
  EXPECT_TRUE(TwoAccesses(EventKind::kAtomicStore, kX, 4, EventKind::kAtomicRmw, kX, 4, &r).empty());
  EXPECT_TRUE(TwoAccesses(EventKind::kAtomicStore, kX, 8, EventKind::kAtomicLoad, kX + 4, 4, &r)
                  .empty());
}

// T1: data = 1; flag.store(release) (or `head`: a seq_cst read-modify-write); then `between`
// on flag; T2: flag.load(acquire); data. `cxx11`: release sequences as C++11 to C++17 say.
Report ReleaseSequence(EventKind between_kind, uint32_t between_tid, bool cxx11 = false,
                       EventKind head = EventKind::kAtomicStore) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kThreadCreate, 3).Add(3, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kWrite, kX, 0, 4, s.Site("writer.cc:1"));
  const MemoryOrder order = head == EventKind::kAtomicStore ? MemoryOrder::kRelease
                                                             : MemoryOrder::kSeqCst;
  s.Add(1, head, kX + 64, Mo(order), 4, s.Site("writer.cc:2"));
  s.Add(between_tid, between_kind, kX + 64, Mo(MemoryOrder::kRelaxed), 4, s.Site("other.cc:3"));
  s.Add(2, EventKind::kAtomicLoad, kX + 64, Mo(MemoryOrder::kAcquire), 4, s.Site("reader.cc:4"));
  s.Add(2, EventKind::kRead, kX, 0, 4, s.Site("reader.cc:5"));
  AnalyzeOptions opts = TestOptions();
  opts.cxx11_release_sequences = cxx11;
  return Analyze(s, opts);
}

TEST(MemoryModel, ReadModifyWritesContinueAReleaseSequence) {
  EXPECT_TRUE(OfKind(ReleaseSequence(EventKind::kAtomicRmw, 3), "race").empty());
  EXPECT_TRUE(OfKind(ReleaseSequence(EventKind::kAtomicLoad, 3), "race").empty());
}

TEST(MemoryModel, AStoreEndsAReleaseSequence) {
  // A relaxed store by another thread, or by the releasing thread itself (C++20).
  EXPECT_EQ(OfKind(ReleaseSequence(EventKind::kAtomicStore, 3), "race").size(), 1u);
  EXPECT_EQ(OfKind(ReleaseSequence(EventKind::kAtomicStore, 1), "race").size(), 1u);
  // A plain store to the atomic's bytes ends it too (and races with the load).
  Report r = ReleaseSequence(EventKind::kWrite, 3);
  bool data_race = false;
  for (const Finding* f : OfKind(r, "race")) data_race |= f->accesses[0].address == kX;
  EXPECT_TRUE(data_race);
}

TEST(MemoryModel, UnderTheCxx11RuleTheHeadsOwnStoresContinueTheSequence) {
  // A relaxed store of the releasing thread continues its sequence; another's still ends it.
  EXPECT_TRUE(OfKind(ReleaseSequence(EventKind::kAtomicStore, 1, true), "race").empty());
  EXPECT_EQ(OfKind(ReleaseSequence(EventKind::kAtomicStore, 3, true), "race").size(), 1u);
  EXPECT_TRUE(OfKind(ReleaseSequence(EventKind::kAtomicRmw, 3, true), "race").empty());
  // Headed by a read-modify-write (a deque's `++head`, rolled back relaxed when the steal
  // fails): a race under C++20, none under the older rule.
  EXPECT_EQ(OfKind(ReleaseSequence(EventKind::kAtomicStore, 1, false, EventKind::kAtomicRmw),
                   "race").size(),
            1u);
  EXPECT_TRUE(OfKind(ReleaseSequence(EventKind::kAtomicStore, 1, true, EventKind::kAtomicRmw),
                     "race")
                  .empty());
}

bool SaysOlderRule(const Report& r) {
  for (const std::string& n : r.notes) {
    if (n.find("--release-sequences c++11") != std::string::npos) return true;
  }
  return false;
}

TEST(MemoryModel, ARaceAfterAStoreEndedItsOwnThreadsSequenceNamesTheOlderRule) {
  // The releasing thread's own relaxed store: where C++20 and the older rule part.
  EXPECT_TRUE(SaysOlderRule(ReleaseSequence(EventKind::kAtomicStore, 1)));
  // Another thread's store ends the sequence under both rules.
  EXPECT_FALSE(SaysOlderRule(ReleaseSequence(EventKind::kAtomicStore, 3)));
  // Under the older rule there is no race to explain.
  EXPECT_FALSE(SaysOlderRule(ReleaseSequence(EventKind::kAtomicStore, 1, true)));
}

// T1: data = 1; flag.store(release); a plain write by T1 of [at, at + size); T2:
// flag.load(acquire); data. True when T2's read of data races (the sequence ended).
bool DataRacesAfterPlainWrite(uint64_t at, uint64_t size) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kWrite, kX, 0, 4, s.Site("writer.cc:1"));
  s.Add(1, EventKind::kAtomicStore, kX + 64, Mo(MemoryOrder::kRelease), 4, s.Site("writer.cc:2"));
  if (size <= 8) {
    s.Add(1, EventKind::kWrite, at, 0, static_cast<uint16_t>(size), s.Site("writer.cc:3"));
  } else {  // a range (memset): bytes in seq
    s.Add(1, EventKind::kWrite, at, 0, 0, s.Site("writer.cc:3"), 1).Seq(size);
  }
  s.Add(2, EventKind::kAtomicLoad, kX + 64, Mo(MemoryOrder::kAcquire), 4, s.Site("reader.cc:4"));
  s.Add(2, EventKind::kRead, kX, 0, 4, s.Site("reader.cc:5"));
  bool data_race = false;
  for (const Finding* f : OfKind(Analyze(s, TestOptions()), "race")) {
    for (const auto& a : f->accesses) data_race |= a.address == kX;
  }
  return data_race;
}

TEST(MemoryModel, APlainWriteEndsTheSequencesThatStartInItOnly) {
  const uint64_t flag = kX + 64;
  EXPECT_TRUE(DataRacesAfterPlainWrite(flag, 4));
  EXPECT_TRUE(DataRacesAfterPlainWrite(flag - 4, 8));
  EXPECT_TRUE(DataRacesAfterPlainWrite(flag - 32, 64));  // a range over two lines
  EXPECT_TRUE(DataRacesAfterPlainWrite(kX + 16, 3 * 4096));  // over pages: the huge path
  // Beside it on its line, on the line before, and a range past it: the sequence goes on.
  EXPECT_FALSE(DataRacesAfterPlainWrite(flag + 8, 8));
  EXPECT_FALSE(DataRacesAfterPlainWrite(flag - 8, 8));
  EXPECT_FALSE(DataRacesAfterPlainWrite(flag + 40, 3 * 4096));
}

// Fences (C++20 [atomics.fences]): T1 writes data and stores the flag, T2 loads the flag
// and reads data; each side may fence, before or after its atomic.
struct FenceCase {
  MemoryOrder store = MemoryOrder::kRelaxed, load = MemoryOrder::kRelaxed;
  bool writer_fence = false, reader_fence = false;
  bool data_after_writer_fence = false;  // the write comes after the release fence
  bool reader_fence_first = false;       // the acquire fence comes before the load
};

size_t FenceRaces(const FenceCase& c) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  auto fence = [&](uint32_t tid, MemoryOrder mo) {
    s.Add(tid, EventKind::kFence, 0, Mo(mo), 0, s.Site("fence.cc:1"));
  };
  if (!c.data_after_writer_fence) s.Add(1, EventKind::kWrite, kX, 0, 4, s.Site("writer.cc:1"));
  if (c.writer_fence) fence(1, MemoryOrder::kRelease);
  if (c.data_after_writer_fence) s.Add(1, EventKind::kWrite, kX, 0, 4, s.Site("writer.cc:1"));
  s.Add(1, EventKind::kAtomicStore, kX + 64, Mo(c.store), 4, s.Site("writer.cc:2"));
  if (c.reader_fence && c.reader_fence_first) fence(2, MemoryOrder::kAcquire);
  s.Add(2, EventKind::kAtomicLoad, kX + 64, Mo(c.load), 4, s.Site("reader.cc:3"));
  if (c.reader_fence && !c.reader_fence_first) fence(2, MemoryOrder::kAcquire);
  s.Add(2, EventKind::kRead, kX, 0, 4, s.Site("reader.cc:4"));
  return OfKind(Analyze(s, TestOptions()), "race").size();
}

TEST(MemoryModel, FencesMakeRelaxedAtomicsSynchronize) {
  using O = MemoryOrder;
  EXPECT_EQ(FenceRaces({.writer_fence = true, .reader_fence = true}), 0u);
  EXPECT_EQ(FenceRaces({.load = O::kAcquire, .writer_fence = true}), 0u);
  EXPECT_EQ(FenceRaces({.store = O::kRelease, .reader_fence = true}), 0u);
  // Without fences, relaxed atomics order nothing.
  EXPECT_EQ(FenceRaces({}), 1u);
}

TEST(MemoryModel, AFenceOrdersOnlyWhatItSeparates) {
  EXPECT_EQ(FenceRaces({.writer_fence = true}), 1u);  // no acquire on the reader's side
  EXPECT_EQ(FenceRaces({.reader_fence = true}), 1u);  // no release on the writer's side
  EXPECT_EQ(FenceRaces({.writer_fence = true, .reader_fence = true,
                        .data_after_writer_fence = true}),
            1u);
  EXPECT_EQ(FenceRaces({.writer_fence = true, .reader_fence = true,
                        .reader_fence_first = true}),
            1u);
}

// T1 allocates a block and forks T2; T2 reads it; T1 frees it, ordered after T2's read by a
// join or not at all.
Report FreeAfterUse(bool joined) {
  VectorSource s;
  s.Add(1, EventKind::kAlloc, kX, 0, 0, s.Site("make.cc:10")).Seq(32);
  s.Add(1, EventKind::kWrite, kX + 8, 0, 8, s.Site("make.cc:11"));
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kRead, kX + 8, 0, 8, s.Site("use.cc:20"));
  if (joined) s.Add(2, EventKind::kThreadExit).Add(1, EventKind::kThreadJoin, 2);
  s.Add(1, EventKind::kFree, kX, 0, 0, s.Site("drop.cc:30"));
  return Analyze(s, TestOptions());
}

TEST(MemoryModel, FreeRacingAnAccessIsAUseAfterFree) {
  Report r = FreeAfterUse(false);
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->subkind, "use-after-free");
  EXPECT_EQ(races[0]->accesses[0].op, "read");
  EXPECT_EQ(races[0]->accesses[1].op, "free");
  ASSERT_FALSE(races[0]->variables.empty());
  EXPECT_NE(races[0]->variables[0].find("heap block of 32 bytes allocated at"), std::string::npos)
      << races[0]->variables[0];
  EXPECT_NE(races[0]->title.find("use after free"), std::string::npos) << races[0]->title;
  EXPECT_TRUE(OfKind(FreeAfterUse(true), "race").empty());
}

TEST(MemoryModel, AccessAfterAnUnorderedFreeIsAUseAfterFree) {
  VectorSource s;
  s.Add(1, EventKind::kAlloc, kX, 0, 0, s.Site("make.cc:10")).Seq(16);
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kFree, kX, 0, 0, s.Site("drop.cc:30"));
  s.Add(2, EventKind::kWrite, kX, 0, 4, s.Site("use.cc:20"));
  Report r = Analyze(s, TestOptions());
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->subkind, "use-after-free");
  EXPECT_EQ(races[0]->accesses[0].op, "free");
  // The block is named by its allocation site even though it is gone.
  EXPECT_NE(races[0]->variables[0].find("make.cc:10"), std::string::npos) << races[0]->variables[0];
}

// The merged stream may place a reader's records before the allocation they follow in
// time; the allocation is checked against them, so the race is found in either order.
TEST(MemoryModel, AnAllocationRacesWithAccessesItIsNotOrderedWith) {
  for (bool read_first : {true, false}) {
    VectorSource s;
    s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
    if (read_first) s.Add(2, EventKind::kRead, kX + 16, 0, 8, s.Site("find.cc:5"));
    s.Add(1, EventKind::kAlloc, kX, 0, 0, s.Site("insert.cc:9")).Seq(48);
    if (!read_first) s.Add(2, EventKind::kRead, kX + 16, 0, 8, s.Site("find.cc:5"));
    s.Add(1, EventKind::kWrite, kX + 16, 0, 8, s.Site("insert.cc:10"));
    Report r = Analyze(s, TestOptions());
    bool found = false;
    for (const Finding* f : OfKind(r, "race")) {
      found |= f->accesses[read_first ? 0 : 1].op == "read" &&
               f->accesses[read_first ? 1 : 0].op == "allocate";
    }
    EXPECT_TRUE(found) << read_first;
  }
}

TEST(MemoryModel, ReallocationByAnotherThreadForgetsTheOldBlock) {
  VectorSource s;
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kAlloc, kX, 0, 0, s.Site("a.cc:1")).Seq(16);
  s.Add(1, EventKind::kWrite, kX, 0, 8, s.Site("a.cc:2"));
  s.Add(1, EventKind::kFree, kX, 0, 0, s.Site("a.cc:3"));
  // The allocator hands the memory to T2: its accesses race neither the free nor T1's write.
  s.Add(2, EventKind::kAlloc, kX, 0, 0, s.Site("b.cc:1")).Seq(16);
  s.Add(2, EventKind::kWrite, kX, 0, 8, s.Site("b.cc:2"));
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "race").empty());
}

// A block of 6 GiB: its free covers the byte T2 wrote 3 GiB in, so that unordered write
// races with it; past 4 GiB its allocation and free are not checked (T2's write 5 GiB in
// races with nothing), and a note says so.
TEST(MemoryModel, AHugeBlocksFreeCoversItsFarEnd) {
  for (bool joined : {false, true}) {
    VectorSource s;
    const uint64_t far = kX + (5ull << 30);
    s.Add(1, EventKind::kAlloc, kX, 0, 0, s.Site("big.cc:1")).Seq(6ull << 30);
    s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
    s.Add(2, EventKind::kWrite, kX + (3ull << 30), 0, 8, s.Site("use.cc:2"));
    s.Add(2, EventKind::kWrite, far, 0, 8, s.Site("use.cc:3"));
    if (joined) s.Add(2, EventKind::kThreadExit).Add(1, EventKind::kThreadJoin, 2);
    s.Add(1, EventKind::kFree, kX, 0, 0, s.Site("big.cc:9"));
    Report r = Analyze(s, TestOptions());
    auto races = OfKind(r, "race");
    // Unordered: the write at 3 GiB races with the free; the one at 5 GiB is past 4 GiB.
    ASSERT_EQ(races.size(), joined ? 0u : 1u);
    if (!joined) {
      EXPECT_EQ(races[0]->subkind, "use-after-free");
      EXPECT_EQ(races[0]->accesses[0].stack.at(0).line, 2);
    }
    bool noted = false;
    for (const std::string& n : r.notes) noted |= n.find("2 heap blocks of 4 GiB") != std::string::npos;
    EXPECT_TRUE(noted);
  }
}

// A mutex destroyed by T1 while T2 uses it, unordered; or after joining T2.
Report DestroyWhileUsed(bool joined) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, kX, trace::kExplicitInit, 0, s.Site("init.cc:1"));
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kLockAcquired, kX, 0, 1, s.Site("worker.cc:5"));
  s.Add(2, EventKind::kLockRelease, kX, 0, 0, s.Site("worker.cc:6"));
  if (joined) s.Add(2, EventKind::kThreadExit).Add(1, EventKind::kThreadJoin, 2);
  s.Add(1, EventKind::kLockDestroy, kX, 0, 0, s.Site("main.cc:9"));
  return Analyze(s, TestOptions());
}

TEST(MemoryModel, DestroyRacingALockIsARace) {
  Report r = DestroyWhileUsed(false);
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0]->accesses[1].op, "write");
  EXPECT_TRUE(OfKind(DestroyWhileUsed(true), "race").empty());
}

TEST(MemoryModel, LocksTakenInTurnDoNotRaceOnTheirOwnBytes) {
  VectorSource s;
  s.Add(1, EventKind::kLockCreate, kX, trace::kExplicitInit, 0, s.Site("init.cc:1"));
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(1, EventKind::kLockAcquired, kX, 0, 1).Add(1, EventKind::kLockRelease, kX);
  s.Add(2, EventKind::kLockAcquired, kX, 0, 1).Add(2, EventKind::kLockRelease, kX);
  s.Add(1, EventKind::kLockAcquired, kX, 0, 1).Add(1, EventKind::kLockRelease, kX);
  EXPECT_TRUE(OfKind(Analyze(s, TestOptions()), "race").empty());
}

// Another thread's stack: T2 writes a variable on T1's stack while T1 reads it. The race
// names the stack by its owner, from the trace's thread_stack records.
TEST(MemoryModel, StackVariablesAreNamedByTheirThread) {
  VectorSource s;
  s.Add(1, EventKind::kNameThread, 1, 0, 0, 0, s.Str("main"));
  s.Add(1, EventKind::kThreadStack, 0x7f0000000000).Seq(1 << 20);
  s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  s.Add(2, EventKind::kWrite, 0x7f0000080010, 0, 8, s.Site("worker.cc:4"));
  s.Add(1, EventKind::kRead, 0x7f0000080010, 0, 8, s.Site("main.cc:9"));
  Report r = Analyze(s, TestOptions());
  auto races = OfKind(r, "race");
  ASSERT_EQ(races.size(), 1u);
  ASSERT_EQ(races[0]->variables.size(), 1u);
  EXPECT_EQ(races[0]->variables[0], "0x7f0000080010 on main's stack");
}

// Memory the program maps where an ended thread's stack was (the C library unmapped it
// unseen, as it does past its cache of 40 MiB of stacks; jemalloc's extents land there): the
// dead thread's writes there came before the unmapping, which came before the mapping. No
// race. The same write outside any thread's stack still races with the allocation.
TEST(MemoryModel, AMappingOverAnEndedThreadsStackIsNewMemory) {
  constexpr uint64_t kStack = 0x7f1000000000, kHeap = 0x7f2000000000;
  for (uint64_t where : {kStack + 0xff000, kHeap + 0x100}) {
    VectorSource s;
    s.Add(1, EventKind::kThreadStack, 0x7fff00000000).Seq(1 << 20);
    s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
    s.Add(2, EventKind::kThreadStack, kStack).Seq(1 << 20);
    s.Add(2, EventKind::kWrite, where, 0, 8, s.Site("tsd.c:281"));
    s.Add(2, EventKind::kThreadExit);
    s.Add(1, EventKind::kAlloc, where & ~0xffffull, 0, 0, s.Site("pages.c:177")).Seq(1 << 20);
    const auto races = OfKind(Analyze(s, TestOptions()), "race");
    EXPECT_EQ(races.size(), where == kStack + 0xff000 ? 0u : 1u) << std::hex << where;
  }
}

// A block the C library allocated (strdup, getline) was never announced; its free carries
// the block's usable size, and still ends its life. Older traces (size 0) cannot tell.
TEST(MemoryModel, FreeOfABlockNeverAnnouncedUsesItsSize) {
  for (uint64_t usable : {24u, 0u}) {
    VectorSource s;
    s.Add(1, EventKind::kWrite, kX, 0, 8, s.Site("dup.cc:3"));
    s.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
    s.Add(1, EventKind::kFree, kX, 0, 0, s.Site("dup.cc:9")).Seq(usable);
    s.Add(2, EventKind::kRead, kX + 16, 0, 8, s.Site("use.cc:4"));
    Report r = Analyze(s, TestOptions());
    auto races = OfKind(r, "race");
    ASSERT_EQ(races.size(), usable ? 1u : 0u) << usable;
    if (usable) EXPECT_EQ(races[0]->subkind, "use-after-free");
  }
}

}  // namespace
}  // namespace threadlens::testing
