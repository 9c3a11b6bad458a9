// Shadow memory's footprint: memory only ever written whole keeps one summary per 64-byte
// line and no granules, so a trace of a few large copies stays small; a partial access
// brings in its page's granules, and the verdicts do not change. Lines that share a summary
// are stepped as a run.
#include <gtest/gtest.h>

#include "shadow_memory.h"

namespace threadlens::analysis {
namespace {

struct CountingSink : ShadowMemory::Sink {
  int races = 0;
  void Race(const ShadowCell&, uint64_t, uint8_t, const ShadowAccess&) override { ++races; }
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

  // A 1-byte write inside a line brings in that line's granules, and the line's other
  // bytes keep the summary's cell.
  m.Access(kBase + 3, 1, Write(0, c0));
  EXPECT_EQ(m.granule_pages(), 1u);
  EXPECT_EQ(m.granule_lines(), 1u);
  EXPECT_EQ(m.CellsAt(kBase + 5).size(), 1u);
  EXPECT_EQ(sink.races, 0);
  // Written whole again, the line is uniform and gives its granules back; the next line
  // that needs granules takes them.
  VectorClock c0_later;
  c0_later.Set(0, 2);
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

}  // namespace
}  // namespace threadlens::analysis
