// ThreadStacks, NameStackAddress and NameTlsAddress: whose stack or thread-local block an
// address was in at the time of an access (stacks are reused after a thread exits), and the
// names reports print for it.
#include "thread_stacks.h"

#include "frame_bases.h"

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

// A thread's thread-local block lies inside its stack mapping: found as such, with the
// module's image and the offset in the block, and no longer once the thread has exited.
TEST(ThreadStacks, ThreadLocalBlockGivesItsThreadModuleAndOffset) {
  ThreadStacks stacks;
  stacks.Add(2, 0x7f0000000000, 0x800000);
  stacks.AddTls(2, 0x7f00007ff000, 0x40, 0x555500004d10);
  stacks.AddTls(2, 0x7f00007ff100, 0x0, 0x1);  // empty: ignored
  uint64_t image = 0, offset = 0;
  EXPECT_EQ(stacks.TlsOwnerAt(0x7f00007ff00c, 5, &image, &offset), 2u);
  EXPECT_EQ(image, 0x555500004d10u);
  EXPECT_EQ(offset, 0xcu);
  EXPECT_EQ(stacks.TlsOwnerAt(0x7f00007ff040, 5, &image, &offset), 0u);  // one past the end
  EXPECT_EQ(stacks.TlsOwnerAt(0x7f00007ff100, 5, &image, &offset), 0u);
  EXPECT_EQ(stacks.OwnerAt(0x7f00007ff00c, 5), 2u);  // still inside the stack mapping
  stacks.Exit(2, 100);
  EXPECT_EQ(stacks.TlsOwnerAt(0x7f00007ff00c, 150, &image, &offset), 0u);
}

TEST(NameTlsAddress, NamesTheOwnerAndTheVariableWhenKnown) {
  EXPECT_EQ(NameTlsAddress(0x7f12345, "T2", "tally"), "tally in T2's thread-local storage");
  EXPECT_EQ(NameTlsAddress(0x7f12345, "T2", "stats.errors"),
            "stats.errors in T2's thread-local storage");
  EXPECT_EQ(NameTlsAddress(0x7f12345, "main", ""), "0x7f12345 in main's thread-local storage");
}

// A thread's call path keeps the frame it was entered with; a path entered again at another
// place (an alloca in a caller) is marked moved, and names nothing from then on.
TEST(FrameBases, APathThatMovedIsNoLongerKnown) {
  FrameBases frames;
  EXPECT_EQ(frames.At(1, 5).sp, 0u);
  frames.Record(1, 5, {0x7ffd0100, 0x40});
  frames.Record(1, 5, {0x7ffd0100, 0x40});  // the same call again
  frames.Record(2, 5, {0x7f000200, 0});     // the same path on another thread
  EXPECT_EQ(frames.At(1, 5).sp, 0x7ffd0100u);
  EXPECT_EQ(frames.At(1, 5).fp_offset, 0x40u);
  EXPECT_EQ(frames.At(2, 5).sp, 0x7f000200u);
  frames.Record(1, 5, {0x7ffd00c0, 0x40});
  EXPECT_EQ(frames.At(1, 5).sp, 0u);
  frames.Record(1, 5, {0x7ffd0100, 0x40});  // once moved, never trusted again
  EXPECT_EQ(frames.At(1, 5).sp, 0u);
  EXPECT_EQ(frames.At(2, 5).sp, 0x7f000200u);
  frames.Record(2, 5, {0x7f000200, 0x10});  // the frame pointer moved
  EXPECT_EQ(frames.At(2, 5).sp, 0u);
}

}  // namespace
}  // namespace threadlens::analysis
