// HeapBlocks: the blocks a new allocation takes the memory of are told before they are
// forgotten (lock names keep the block a lock was first taken in).
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "heap_blocks.h"

namespace threadlens::analysis {
namespace {

HeapRef Block(uint64_t base, uint64_t size, uint64_t index, bool freed = false) {
  HeapRef h;
  h.base = base;
  h.size = size;
  h.valid = true;
  h.freed = freed;
  h.index = index;
  return h;
}

TEST(HeapBlocks, AllocationTellsOfTheBlocksItReplaces) {
  HeapBlocks blocks;
  std::vector<std::pair<uint64_t, uint64_t>> told;  // (old index, new index)
  blocks.OnReplaced([&](const HeapRef& old, const HeapRef& by) {
    told.emplace_back(old.index, by.index);
  });
  blocks.Alloc(Block(0x1000, 64, 1));
  blocks.Alloc(Block(0x2000, 32, 2));
  blocks.Alloc(Block(0x2020, 32, 3));
  EXPECT_TRUE(told.empty());  // no memory shared yet
  // Freed, then allocated again at the same base: the freed block is told.
  blocks.Live(0x1000)->freed = true;
  blocks.Alloc(Block(0x1000, 64, 4));
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0], std::make_pair(uint64_t{1}, uint64_t{4}));
  // One block over two: both are told, and the new one names their memory.
  told.clear();
  blocks.Alloc(Block(0x1ff0, 0x60, 5));
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0], std::make_pair(uint64_t{2}, uint64_t{5}));
  EXPECT_EQ(told[1], std::make_pair(uint64_t{3}, uint64_t{5}));
  ASSERT_NE(blocks.Containing(0x2030), nullptr);
  EXPECT_EQ(blocks.Containing(0x2030)->index, 5u);
  // A block that shares no memory tells of none.
  told.clear();
  blocks.Alloc(Block(0x3000, 16, 6));
  EXPECT_TRUE(told.empty());
}

// A fork copies the parent's live blocks into the child's range; the child's end drops that
// range alone, telling each block it drops (a lock first taken in one keeps its name).
TEST(HeapBlocks, DropForgetsOneRangeAndTellsOfEachBlock) {
  HeapBlocks blocks;
  std::vector<std::pair<uint64_t, uint64_t>> told;
  blocks.OnReplaced([&](const HeapRef& old, const HeapRef& by) {
    told.emplace_back(old.base, by.index);
  });
  constexpr uint64_t kChild = 1ull << 47;
  blocks.Alloc(Block(0x1000, 64, 1));
  blocks.Alloc(Block(0x2000, 32, 2));
  blocks.Alloc(Block(0x3000, 16, 3, /*freed=*/true));
  blocks.Copy(0, kChild, kChild);  // the live ones only
  EXPECT_EQ(blocks.size(), 5u);
  ASSERT_NE(blocks.Containing(kChild + 0x2010), nullptr);
  EXPECT_EQ(blocks.Containing(kChild + 0x2010)->index, 2u);
  EXPECT_EQ(blocks.Containing(kChild + 0x3000), nullptr);
  blocks.Alloc(Block(kChild + 0x5000, 8, 4));  // the child's own
  HeapRef end;
  end.index = 9;
  blocks.Drop(kChild, kChild, end);
  EXPECT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks.Containing(kChild + 0x1000), nullptr);
  EXPECT_EQ(blocks.Containing(kChild + 0x5000), nullptr);
  ASSERT_NE(blocks.Containing(0x1000), nullptr);  // the parent's stay
  EXPECT_NE(blocks.Containing(0x3008), nullptr);
  const std::vector<std::pair<uint64_t, uint64_t>> want{
      {kChild + 0x1000, 9}, {kChild + 0x2000, 9}, {kChild + 0x5000, 9}};
  EXPECT_EQ(told, want);
}

}  // namespace
}  // namespace threadlens::analysis
