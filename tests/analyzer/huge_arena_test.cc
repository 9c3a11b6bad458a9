// The arena's chunk reserve: chunks faulted in by another thread, taken by the arena when it
// needs a chunk, never made for an arena that has not needed one, and never more than
// kMaxReady at a time.
#include "huge_arena.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace threadlens::analysis {
namespace {

constexpr size_t kChunk = HugeArena::kChunk;

bool KernelPopulates() {
#ifdef MADV_POPULATE_WRITE
  void* p = HugeArena::Map(kChunk);
  const bool ok = madvise(p, 4096, MADV_POPULATE_WRITE) == 0;
  HugeArena::Unmap(p, kChunk);
  return ok;
#else
  return false;
#endif
}

bool AllZero(const char* p, size_t n) {
  return std::all_of(p, p + n, [](char c) { return c == 0; });
}

TEST(ChunkReserve, MakesNothingBeforeAChunkIsTaken) {
  ChunkReserve r;
  r.Refill();
  r.Refill();
  EXPECT_EQ(r.made(), 0u);
  EXPECT_EQ(r.Take(), nullptr);  // none ready; the taker maps its own
  EXPECT_EQ(r.taken(), 1u);
  // An arena's first chunk says nothing of a second: none is made for it.
  r.Refill();
  EXPECT_EQ(r.made(), 0u);
}

TEST(ChunkReserve, KeepsAsManyReadyAsWereTakenUpToItsCap) {
  if (!KernelPopulates()) GTEST_SKIP() << "the kernel has no MADV_POPULATE_WRITE";
  ChunkReserve r;
  EXPECT_EQ(r.Take(), nullptr);
  EXPECT_EQ(r.Take(), nullptr);
  for (int i = 0; i < 3; ++i) r.Refill();
  EXPECT_EQ(r.made(), 1u);  // two taken (the first a start): one ready
  for (int i = 0; i < 9; ++i) {
    if (void* p = r.Take()) HugeArena::Unmap(p, kChunk);
  }
  for (int i = 0; i < 20; ++i) r.Refill();
  EXPECT_EQ(r.made(), 1u + ChunkReserve::kMaxReady);
}

TEST(ChunkReserve, TheArenaTakesReadyChunksZeroed) {
  if (!KernelPopulates()) GTEST_SKIP() << "the kernel has no MADV_POPULATE_WRITE";
  ChunkReserve r;
  HugeArena arena;
  arena.UseReserve(&r);
  // Blocks of a quarter chunk: four to a chunk, the ninth needs a third.
  const size_t quarter = kChunk / 4;
  std::vector<char*> blocks;
  for (int i = 0; i < 4; ++i) blocks.push_back(static_cast<char*>(arena.Allocate(quarter)));
  EXPECT_EQ(r.taken(), 1u);
  r.Refill();
  EXPECT_EQ(r.made(), 0u);  // an arena in its first chunk may need no other
  for (int i = 0; i < 4; ++i) blocks.push_back(static_cast<char*>(arena.Allocate(quarter)));
  EXPECT_EQ(r.taken(), 2u);
  // Another thread fills the reserve, as the race detector's caller does while it waits.
  std::thread([&r] { r.Refill(); }).join();
  ASSERT_EQ(r.made(), 1u);
  char* ninth = static_cast<char*>(arena.Allocate(quarter));
  EXPECT_EQ(r.taken(), 3u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(ninth) % kChunk, 0u);  // a chunk of its own
  EXPECT_EQ(r.Take(), nullptr);  // the arena took the ready one
  EXPECT_TRUE(AllZero(ninth, quarter));
  std::fill(ninth, ninth + quarter, 'x');  // and it is writable
  for (char* b : blocks) {
    EXPECT_TRUE(AllZero(b, quarter));
    EXPECT_NE(b, ninth);
  }
}

}  // namespace
}  // namespace threadlens::analysis
