// Shadow memory's footprint: memory only ever written whole keeps one summary per 64-byte
// line and no granules, so a trace of a few large copies stays small; a partial access
// brings in its page's granules, and the verdicts do not change. Lines that share a summary
// are stepped as a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "shadow_memory.h"

namespace threadlens::analysis {
namespace {

struct CountingSink : ShadowMemory::Sink {
  int races = 0;
  std::vector<uint64_t> sites;  // each race's earlier access
  void Race(const ShadowCell& prior, uint64_t, uint8_t, const ShadowAccess&) override {
    ++races;
    sites.push_back(prior.where);
  }
};

ShadowAccess Write(uint32_t thread, const VectorClock& clock) {
  ShadowAccess a;
  a.thread = thread;
  a.clock = &clock;
  a.now = clock.Get(thread);
  a.flags = kCellWrite;
  return a;
}

constexpr uint64_t kBase = 0x7f0000000000;
constexpr uint64_t kRange = 8u << 20;

// Concurrent readers' cells outgrow the granule (three), then a small block (five), then a
// block (eight): each keeps every reader, and a write by one of them after all the others is
// ordered after them all, reports none, and leaves its cell alone, back in the granule.
TEST(ShadowMemoryCells, ReadersOutgrowTheGranuleAndABlockAndComeBack) {
  for (uint32_t readers : {3u, 4u, 5u, 6u, 8u, 9u, 12u}) {
    CountingSink sink;
    ShadowMemory m(sink);
    std::vector<VectorClock> clocks(readers + 1);
    for (uint32_t t = 0; t <= readers; ++t) clocks[t].Set(t, 1);
    for (uint32_t t = 1; t <= readers; ++t) {
      ShadowAccess r = Write(t, clocks[t]);
      r.flags = 0;
      r.where = 100 + t;
      m.Access(kBase + 16, 4, r);
      const auto cells = m.CellsAt(kBase + 16);
      ASSERT_EQ(cells.size(), t) << readers;
      for (uint32_t k = 0; k < t; ++k) EXPECT_EQ(cells[k].where, 101 + k);
    }
    EXPECT_EQ(sink.races, 0);
    // Thread 0 writes after every reader's epoch: ordered, no race, one cell.
    VectorClock after;
    for (uint32_t t = 0; t <= readers; ++t) after.Set(t, 2);
    m.Access(kBase + 16, 8, Write(0, after));
    EXPECT_EQ(sink.races, 0);
    ASSERT_EQ(m.CellsAt(kBase + 16).size(), 1u);
    EXPECT_EQ(m.CellsAt(kBase + 16)[0].thread, 0u);
    // An unordered write by another thread now races with that one cell only.
    VectorClock late;
    late.Set(readers + 1, 1);
    m.Access(kBase + 16, 1, Write(readers + 1, late));
    EXPECT_EQ(sink.races, 1);
  }
}

// Four or five cells take a small block, six to eight a block; the small one goes back when
// its granule moves on, and both when the granule's cells fit its own slots again.
TEST(ShadowMemoryCells, FourOrFiveCellsTakeASmallBlock) {
  CountingSink sink;
  ShadowMemory m(sink);
  constexpr uint32_t kGranules = 100, kReaders = 7;
  std::vector<VectorClock> clocks(kReaders + 1);
  for (uint32_t t = 1; t <= kReaders; ++t) clocks[t].Set(t, 1);
  auto read_all = [&](uint32_t t) {
    ShadowAccess r = Write(t, clocks[t]);
    r.flags = 0;
    for (uint32_t g = 0; g < kGranules; ++g) m.Access(kBase + 8 * g, 1, r);
  };
  for (uint32_t t = 1; t <= 3; ++t) read_all(t);
  EXPECT_EQ(m.small_blocks(), 0u);
  read_all(4);
  EXPECT_EQ(m.small_blocks(), kGranules);
  EXPECT_EQ(m.blocks(), 0u);
  read_all(5);
  EXPECT_EQ(m.small_blocks(), kGranules);
  EXPECT_EQ(m.blocks(), 0u);
  read_all(6);
  EXPECT_EQ(m.small_blocks(), 0u);
  EXPECT_EQ(m.blocks(), kGranules);
  read_all(7);
  EXPECT_EQ(m.blocks(), kGranules);
  for (uint32_t g = 0; g < kGranules; g += 37) {
    ASSERT_EQ(m.CellsAt(kBase + 8 * g).size(), kReaders) << g;
  }
  EXPECT_EQ(sink.races, 0);
  // A write ordered after every read: one cell each, back in the granules.
  VectorClock after;
  for (uint32_t t = 0; t <= kReaders; ++t) after.Set(t, 2);
  for (uint32_t g = 0; g < kGranules; ++g) m.Access(kBase + 8 * g, 1, Write(0, after));
  EXPECT_EQ(m.small_blocks(), 0u);
  EXPECT_EQ(m.blocks(), 0u);
  EXPECT_EQ(sink.races, 0);
}

// A cell keeps its slot for life: a reader's later read drops its earlier cell and takes the
// first free slot, in the granule, a block or a side list. Each cell's note (its site) stays
// its own, so a racing write names every reader's latest read and nothing else.
TEST(ShadowMemoryCells, AFreedSlotTakesTheNextCellWithItsOwnNote) {
  for (uint32_t readers : {2u, 4u, 5u, 7u, 11u}) {
    CountingSink sink;
    ShadowMemory m(sink);
    std::vector<VectorClock> clocks(readers + 1);
    for (uint32_t t = 1; t <= readers; ++t) clocks[t].Set(t, 1);
    auto read = [&](uint32_t t, uint64_t site) {
      ShadowAccess r = Write(t, clocks[t]);
      r.flags = 0;
      r.where = site;
      m.Access(kBase + 16, 2, r);
    };
    for (uint32_t t = 1; t <= readers; ++t) read(t, 100 + t);
    // Reader 1 reads again in a later epoch: its first cell goes, its slot takes the new one.
    clocks[1].Tick(1);
    read(1, 200);
    ASSERT_EQ(m.CellsAt(kBase + 16).size(), readers) << readers;
    EXPECT_EQ(m.CellsAt(kBase + 16)[0].where, 200u) << readers;
    VectorClock w;
    w.Set(readers + 1, 1);  // ordered with none of them
    m.Access(kBase + 16, 2, Write(readers + 1, w));
    std::vector<uint64_t> want = {200};
    for (uint32_t t = 2; t <= readers; ++t) want.push_back(100 + t);
    std::sort(sink.sites.begin(), sink.sites.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(sink.sites, want) << readers;
    // The write superseded them all: one cell, back in the granule.
    ASSERT_EQ(m.CellsAt(kBase + 16).size(), 1u);
    EXPECT_EQ(m.CellsAt(kBase + 16)[0].thread, readers + 1);
  }
}

// A thread's write over all the bytes of its own earlier cells (a write and a read of other
// epochs) replaces them with its one cell; with another thread's cell there, ordered before
// it, that cell goes too, and an unordered one is reported and goes, and a cell of this
// thread on bytes past the write's stays.
TEST(ShadowMemoryCells, AWriteOverItsThreadsOwnCellsLeavesOneCell) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock t1;
  t1.Set(1, 1);
  ShadowAccess w = Write(1, t1);
  w.where = 1;
  m.Access(kBase, 4, w);  // bytes 0-3
  t1.Tick(1);
  ShadowAccess r = Write(1, t1);
  r.flags = 0;
  r.where = 2;
  m.Access(kBase + 4, 4, r);  // bytes 4-7, a later epoch
  ASSERT_EQ(m.CellsAt(kBase).size(), 2u);
  t1.Tick(1);
  w = Write(1, t1);
  w.where = 3;
  m.Access(kBase, 8, w);
  ASSERT_EQ(m.CellsAt(kBase).size(), 1u);
  EXPECT_EQ(m.CellsAt(kBase)[0].where, 3u);
  EXPECT_EQ(m.CellsAt(kBase)[0].mask, 0xff);

  // Twins: another thread's read, unordered, is reported and superseded; thread 1's own
  // cell on bytes 4-7 outlives a later write of bytes 0-3.
  VectorClock t2;
  t2.Set(2, 1);
  ShadowAccess r2 = Write(2, t2);
  r2.flags = 0;
  r2.where = 4;
  m.Access(kBase + 2, 1, r2);  // races with the write of site 3
  EXPECT_EQ(sink.races, 1);
  ASSERT_EQ(m.CellsAt(kBase).size(), 2u);
  t1.Tick(1);
  w = Write(1, t1);
  w.where = 5;
  m.Access(kBase, 4, w);  // races with thread 2's read, and keeps site 3's bytes 4-7
  EXPECT_EQ(sink.races, 2);
  const auto cells = m.CellsAt(kBase);
  ASSERT_EQ(cells.size(), 2u);
  std::vector<std::pair<uint64_t, unsigned>> got;
  for (const auto& c : cells) got.push_back({c.where, c.mask});
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::pair<uint64_t, unsigned>>{{3, 0xf0}, {5, 0x0f}}));
}

// A page's summaries take slots as its lines need them: pages written whole by one access
// share one cell among their lines (four slots' room each); a page whose lines each hold a
// cell of their own grows to 64, and its lines keep their cells, and their second ones,
// through each growth.
TEST(ShadowMemoryFootprint, SummarySlotsGrowAsLinesNeedThem) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock c0, c1;
  c0.Set(0, 1);
  c1.Set(0, 1);
  c1.Set(1, 1);  // thread 1, after thread 0's writes
  m.Access(kBase, 16 * 4096, Write(0, c0));
  EXPECT_EQ(m.pages(), 16u);
  EXPECT_EQ(m.summary_slots(), 16u * 4);
  const uint64_t page = kBase + 16 * 4096;
  auto write_line = [&](uint64_t l) {
    ShadowAccess w = Write(0, c0);
    w.where = 1000 + l;
    m.Access(page + 64 * l, 64, w);
  };
  auto read_line = [&](uint64_t l) {
    ShadowAccess r = Write(1, c1);
    r.flags = 0;
    r.where = 2000 + l;
    m.Access(page + 64 * l, 64, r);
  };
  // Three lines, each a write and a later read (two cells a summary), then the rest written.
  for (uint64_t l = 0; l < 3; ++l) write_line(l);
  for (uint64_t l = 0; l < 3; ++l) read_line(l);
  EXPECT_EQ(m.summary_slots(), 16u * 4 + 4);
  for (uint64_t l = 3; l < 64; ++l) write_line(l);
  EXPECT_EQ(m.summary_slots(), 16u * 4 + 64);
  EXPECT_EQ(m.granule_pages(), 0u);
  for (uint64_t l = 0; l < 64; ++l) {
    const auto cells = m.CellsAt(page + 64 * l + 8);
    ASSERT_EQ(cells.size(), l < 3 ? 2u : 1u) << l;
    EXPECT_EQ(cells[0].where, 1000 + l);
    if (l < 3) EXPECT_EQ(cells[1].where, 2000 + l);
  }
  EXPECT_EQ(sink.races, 0);
  // An unordered write meets each line's cells: the two of the first three, one elsewhere.
  VectorClock c2;
  c2.Set(2, 1);
  m.Access(page, 4096, Write(2, c2));
  EXPECT_EQ(sink.races, 3 * 2 * 8 + 61 * 8);
}

TEST(ShadowMemoryFootprint, WholeLineWritesKeepOnlySummaries) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock c0;
  c0.Set(0, 1);
  for (uint64_t i = 0; i < 16; ++i) m.Access(kBase + i * 2 * kRange, kRange, Write(0, c0));
  EXPECT_EQ(m.pages(), 16 * kRange / 4096);
  EXPECT_EQ(m.granule_pages(), 0u);  // 128 MiB written: no granule allocated
  ASSERT_EQ(m.CellsAt(kBase + 12345).size(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 12345)[0].mask, 0xff);
  EXPECT_TRUE(m.CellsAt(kBase + kRange).empty());  // between the ranges: never touched

  // A 1-byte write the summary's cell covers (same thread and epoch) changes nothing.
  m.Access(kBase + 3, 1, Write(0, c0));
  EXPECT_EQ(m.granule_lines(), 0u);
  // One of a later epoch brings in that line's granules, and the line's other bytes keep
  // the summary's cell.
  VectorClock c0_later;
  c0_later.Set(0, 2);
  m.Access(kBase + 3, 1, Write(0, c0_later));
  EXPECT_EQ(m.granule_pages(), 1u);
  EXPECT_EQ(m.granule_lines(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 5).size(), 2u);  // the summary's on its other bytes, and the write
  ASSERT_EQ(m.CellsAt(kBase + 13).size(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 13)[0].clock, 1u);
  EXPECT_EQ(sink.races, 0);
  // Written whole again, the line is uniform and gives its granules back; the next line
  // that needs granules takes them.
  m.Access(kBase, 64, Write(0, c0_later));
  EXPECT_EQ(m.granule_lines(), 0u);
  ASSERT_EQ(m.CellsAt(kBase + 3).size(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 3)[0].clock, 2u);
  EXPECT_EQ(m.CellsAt(kBase + 3)[0].mask, 0xff);
  m.Access(kBase + 4096 + 70, 2, Write(0, c0_later));
  EXPECT_EQ(m.granule_lines(), 1u);
  const auto cells = m.CellsAt(kBase + 4096 + 80);  // the same line, another granule
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].clock, 1u);  // the summary's cell, not the reused block's old one
  // A line never touched takes a reused block too: its other granules stay without cells.
  m.Access(kBase + 4096 + 64, 64, Write(0, c0_later));
  EXPECT_EQ(m.granule_lines(), 0u);
  m.Access(kBase + kRange + 3, 1, Write(0, c0_later));
  EXPECT_EQ(m.granule_lines(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + kRange + 3).size(), 1u);
  EXPECT_TRUE(m.CellsAt(kBase + kRange + 16).empty());
  EXPECT_EQ(sink.races, 0);
}

TEST(ShadowMemoryFootprint, AnUnorderedThreadStillRacesWithTheSummaries) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock c0, c1;
  c0.Set(0, 1);
  c1.Set(1, 1);  // knows nothing of thread 0
  m.Access(kBase, 4096, Write(0, c0));
  m.Access(kBase + 64, 8, Write(1, c1));
  EXPECT_EQ(sink.races, 1);
  VectorClock ordered = c1;
  ordered.Set(0, 1);  // thread 1 after a sync with thread 0
  ordered.Tick(1);
  m.Access(kBase + 128, 64, Write(1, ordered));
  EXPECT_EQ(sink.races, 1);
}

// A range over lines that share one cell moves them to the outcome's cell as a run; a line
// with another cell in the middle ends the run and is checked on its own.
TEST(ShadowMemoryFootprint, ALineWithAnotherCellEndsARunOfSharedLines) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock c0, c1, c0_later;
  c0.Set(0, 1);
  c1.Set(0, 1);  // thread 1 after thread 0's first write
  c1.Set(1, 1);
  c0_later.Set(0, 2);  // thread 0 again, knowing nothing of thread 1
  m.Access(kBase, 4096, Write(0, c0));
  m.Access(kBase + 5 * 64, 64, Write(1, c1));
  EXPECT_EQ(sink.races, 0);
  m.Access(kBase, 4096, Write(0, c0_later));
  EXPECT_EQ(sink.races, 8);  // line 5's eight granules, against thread 1's write
  for (uint64_t line : {0, 1, 4, 5, 6, 63}) {
    const auto cells = m.CellsAt(kBase + line * 64 + 8);
    ASSERT_EQ(cells.size(), 1u) << "line " << line;
    EXPECT_EQ(cells[0].thread, 0u) << "line " << line;
    EXPECT_EQ(cells[0].clock, 2u) << "line " << line;
  }
}

// A buffer one thread wrote whole and another then read whole keeps both cells as its lines'
// summaries, with no granules; a third thread's write races with both, and the lines turn
// uniform again when a whole-line access leaves every granule the same two cells or one.
TEST(ShadowMemoryFootprint, AWriteAndAReadOfWholeLinesStaySummaries) {
  CountingSink sink;
  ShadowMemory m(sink);
  VectorClock c0, c1, c2, c1_later;
  c0.Set(0, 1);
  c1.Set(0, 1);  // thread 1 after thread 0's write
  c1.Set(1, 1);
  c2.Set(2, 1);  // thread 2 knows nothing of the others
  m.Access(kBase, 4096, Write(0, c0));
  ShadowAccess read = Write(1, c1);
  read.flags = 0;
  read.where = 7;
  m.Access(kBase, 4096, read);
  EXPECT_EQ(sink.races, 0);
  EXPECT_EQ(m.granule_lines(), 0u);
  ASSERT_EQ(m.CellsAt(kBase + 100).size(), 2u);

  ShadowAccess w2 = Write(2, c2);
  w2.where = 9;
  m.Access(kBase + 64, 8, w2);  // one granule of line 1
  EXPECT_EQ(sink.races, 2);     // thread 0's write and thread 1's read
  std::sort(sink.sites.begin(), sink.sites.end());
  EXPECT_EQ(sink.sites, (std::vector<uint64_t>{0, 7}));
  EXPECT_EQ(m.granule_lines(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 72).size(), 2u);  // the line's other granules keep both

  // An unordered read of the whole page by thread 2 races with thread 0's write on every
  // granule but the one thread 2 wrote: 511 races, given line by line.
  ShadowAccess r2 = w2;
  r2.flags = 0;
  m.Access(kBase, 4096, r2);
  EXPECT_EQ(sink.races, 2 + 511);

  // Thread 1, after all that (it knows thread 2's clock now), writes the page: one cell a line.
  c1_later = c1;
  c1_later.Set(1, 2);
  c1_later.Set(2, 1);
  m.Access(kBase, 4096, Write(1, c1_later));
  EXPECT_EQ(sink.races, 513);
  EXPECT_EQ(m.granule_lines(), 0u);
  ASSERT_EQ(m.CellsAt(kBase + 72).size(), 1u);

  // A line whose granules were written out turns uniform again with two cells: thread 2
  // reads one granule, then the whole line, in one epoch (the same cell on every granule).
  VectorClock c2_later = c1_later;
  c2_later.Set(2, 2);
  ShadowAccess r3 = Write(2, c2_later);
  r3.flags = 0;
  m.Access(kBase + 128, 8, r3);
  EXPECT_EQ(m.granule_lines(), 1u);
  m.Access(kBase + 128, 64, r3);
  EXPECT_EQ(m.granule_lines(), 0u);
  EXPECT_EQ(m.CellsAt(kBase + 160).size(), 2u);
  EXPECT_EQ(sink.races, 513);
}

}  // namespace
}  // namespace threadlens::analysis

namespace threadlens::analysis {
namespace {

// A block's allocation and free cover its first kLifetimeBytes whole and, past them, the
// pages the shadow holds: the far end's old cells are replaced, and no page is made for
// memory nothing touched. Two sizes take the two ways of finding those pages (each page of
// the range looked up, or the shadow's pages scanned).
TEST(ShadowMemoryLifetime, PastTheFirstBytesOnlyPagesHeldAndAllOfThem) {
  for (uint64_t size : {9ull << 20, 1ull << 32}) {
    CountingSink sink;
    ShadowMemory m(sink);
    VectorClock c0, c1;
    c0.Set(0, 1);
    c1.Set(1, 1);
    const uint64_t far = kBase + (8u << 20) + 4096 + 40, last = kBase + size - 8;
    m.Access(far, 8, Write(1, c1));
    m.Access(last, 8, Write(1, c1));
    const size_t held = m.pages();
    // Thread 0, ordered after thread 1's writes, allocates over them: no race, and its cell
    // is what is left there.
    c0.Set(1, 1);
    ShadowAccess alloc = Write(0, c0);
    alloc.flags = kCellWrite | kCellAlloc;
    alloc.where = 7;
    m.Alloc(kBase, size, alloc);
    EXPECT_EQ(sink.races, 0) << size;
    EXPECT_EQ(m.pages(), held + ShadowMemory::kLifetimeBytes / 4096) << size;
    for (uint64_t at : {far, last}) {
      ASSERT_EQ(m.CellsAt(at).size(), 1u) << size;
      EXPECT_EQ(m.CellsAt(at)[0].where, 7u) << size;
    }
    // It frees the block; thread 1, ordered after that, writes both far bytes again: two
    // uses after free, where the free's cells are.
    c0.Set(0, 2);
    ShadowAccess free = Write(0, c0);
    free.flags = kCellWrite | kCellFree;
    free.where = 8;
    m.Free(kBase, size, free);
    c1.Set(0, 2);
    c1.Set(1, 2);
    m.Access(far, 1, Write(1, c1));
    m.Access(last, 1, Write(1, c1));
    EXPECT_EQ(sink.sites, (std::vector<uint64_t>{8, 8})) << size;
  }
}

}  // namespace
}  // namespace threadlens::analysis
