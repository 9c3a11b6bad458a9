// ThreadStacks and NameStackAddress: whose stack an address was on at the time of an access
// (stacks are reused after a thread exits), and the names reports print for it.
#include "thread_stacks.h"

#include <gtest/gtest.h>

namespace threadlens::analysis {
namespace {

TEST(ThreadStacks, AddressInsideARecordBelongsToItsThread) {
  ThreadStacks stacks;
  stacks.Add(1, 0x7ff000000000, 0x800000);
  stacks.Add(2, 0x7f0000000000, 0x10000);
  EXPECT_EQ(stacks.OwnerAt(0x7ff000000000, 5), 1u);
  EXPECT_EQ(stacks.OwnerAt(0x7ff0007fffff, 5), 1u);
  EXPECT_EQ(stacks.OwnerAt(0x7f0000001234, 5), 2u);
}

TEST(ThreadStacks, AddressOutsideEveryRecordHasNoOwner) {
  ThreadStacks stacks;
  stacks.Add(1, 0x1000, 0x1000);
  EXPECT_EQ(stacks.OwnerAt(0xfff, 5), 0u);
  EXPECT_EQ(stacks.OwnerAt(0x2000, 5), 0u);  // one past the end
  EXPECT_EQ(ThreadStacks().OwnerAt(0x1800, 5), 0u);
  stacks.Add(3, 0x5000, 0);  // empty: ignored
  EXPECT_EQ(stacks.OwnerAt(0x5000, 5), 0u);
}

// glibc gives a joined thread's stack to the next thread: the owner depends on the time.
TEST(ThreadStacks, ReusedStackBelongsToWhoeverHadItThen) {
  ThreadStacks stacks;
  stacks.Add(2, 0x10000, 0x1000);
  stacks.Exit(2, 100);
  stacks.Add(3, 0x10000, 0x1000);
  EXPECT_EQ(stacks.OwnerAt(0x10800, 50), 2u);
  EXPECT_EQ(stacks.OwnerAt(0x10800, 100), 3u);
  EXPECT_EQ(stacks.OwnerAt(0x10800, 150), 3u);
  stacks.Exit(3, 200);
  EXPECT_EQ(stacks.OwnerAt(0x10800, 250), 0u);  // nobody's any more
}

TEST(NameStackAddress, NamesTheOwnerAndTheLocalWhenKnown) {
  EXPECT_EQ(NameStackAddress(0x7ffd1234, "T2"), "0x7ffd1234 on T2's stack");
  EXPECT_EQ(NameStackAddress(0x7ffd1234, "main"), "0x7ffd1234 on main's stack");
  StackLocal local{"buf", "worker()", 0};
  EXPECT_EQ(NameStackAddress(0x7ffd1234, "T2", &local),
            "local variable buf of worker() on T2's stack");
  local.offset = 8;
  EXPECT_EQ(NameStackAddress(0x7ffd1234, "T2", &local),
            "local variable buf+8 of worker() on T2's stack");
  StackLocal unnamed;
  EXPECT_EQ(NameStackAddress(0x10, "T3", &unnamed), "0x10 on T3's stack");
}

}  // namespace
}  // namespace threadlens::analysis
