// The FIFO ring behind each thread's frame marks, against std::deque: random pushes and pops
// across its growth keep the same elements in the same order.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "ring.h"

namespace threadlens::analysis {
namespace {

TEST(Ring, MatchesADequeAcrossGrowth) {
  std::mt19937 rng(3);
  Ring<uint64_t> ring;
  std::deque<uint64_t> ref;
  uint64_t next = 0;
  for (int step = 0; step < 200000; ++step) {
    // Pushes win early (the ring grows), pops later (it drains and cycles).
    const bool push = ref.empty() || rng() % 100 < (step < 100000 ? 60u : 45u);
    if (push) {
      ring.push_back(next);
      ref.push_back(next++);
    } else {
      ASSERT_EQ(ring.front(), ref.front());
      ring.pop_front();
      ref.pop_front();
    }
    ASSERT_EQ(ring.size(), ref.size());
    if (!ref.empty()) {
      ASSERT_EQ(ring.back(), ref.back());
      const size_t i = rng() % ref.size();
      ASSERT_EQ(ring[i], ref[i]) << "step " << step;
    }
  }
  EXPECT_GT(next, 100000u);
}

}  // namespace
}  // namespace threadlens::analysis
