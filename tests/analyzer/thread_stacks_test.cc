// ThreadStacks, NameStackAddress and NameTlsAddress: whose stack or thread-local block an
// address was in at the time of an access (stacks are reused after a thread exits), and the
// names reports print for it.
#include "thread_stacks.h"

#include "frame_bases.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

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

// Against a naive reference that looks at every record: threads taking a few ranges in
// turn (as glibc reuses stacks), ranges of other sizes over them, threads recorded twice,
// and thread-local blocks, queried at random addresses and times.
TEST(ThreadStacks, OwnersMatchALookAtEveryRecord) {
  struct Naive {
    uint32_t tid;
    uint64_t lo, hi, exit = UINT64_MAX;
  };
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    ThreadStacks stacks;
    std::vector<Naive> naive, naive_tls;
    std::vector<uint32_t> live;
    uint64_t now = 1;
    uint32_t next_tid = 1;
    auto owner = [](const std::vector<Naive>& in, uint64_t addr, uint64_t ts) {
      const Naive* best = nullptr;
      for (const Naive& r : in) {
        if (addr < r.lo || addr >= r.hi || r.exit <= ts) continue;
        if (!best || r.exit < best->exit) best = &r;
      }
      return best ? best->tid : 0u;
    };
    for (int step = 0; step < 300; ++step) {
      now += 1 + rng() % 5;
      const int what = static_cast<int>(rng() % 10);
      if (what < 4 || live.empty()) {
        // A thread on one of 6 ranges, mostly of one size, some wider or shifted.
        const uint32_t tid = next_tid++;
        const uint64_t lo = 0x100000 * (1 + rng() % 6) + (rng() % 8 == 0 ? 0x8000 : 0);
        const uint64_t size = rng() % 6 == 0 ? 0x180000 : 0x10000;
        stacks.Add(tid, lo, size, now);
        naive.push_back({tid, lo, lo + size});
        if (rng() % 3 == 0) {
          const uint64_t tls = lo + size - 0x100;
          stacks.AddTls(tid, tls, 0x40, 7, now);
          naive_tls.push_back({tid, tls, tls + 0x40});
        }
        if (rng() % 20 == 0) {  // recorded again
          stacks.Add(tid, lo, size, now);
          naive.push_back({tid, lo, lo + size});
        }
        live.push_back(tid);
      } else if (what < 7) {
        const size_t k = rng() % live.size();
        const uint32_t tid = live[k];
        live[k] = live.back();
        live.pop_back();
        stacks.Exit(tid, now);
        for (std::vector<Naive>* in : {&naive, &naive_tls}) {
          for (Naive& r : *in) {
            if (r.tid == tid && r.exit == UINT64_MAX) r.exit = now;
          }
        }
      } else {
        for (int q = 0; q < 20; ++q) {
          const uint64_t addr = 0x100000 + rng() % 0x900000;
          const uint64_t ts = rng() % (now + 10);
          ASSERT_EQ(stacks.OwnerAt(addr, ts), owner(naive, addr, ts))
              << "seed " << seed << " addr " << std::hex << addr << " ts " << std::dec << ts;
          uint64_t image = 0, offset = 0;
          ASSERT_EQ(stacks.TlsOwnerAt(addr, ts, &image, &offset), owner(naive_tls, addr, ts))
              << "seed " << seed;
        }
      }
    }
  }
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

// An ended thread's frames leave the hash map and are still known, a moved one still not;
// a later thread given the same id records anew, and its frames stand over the old ones.
TEST(FrameBases, AnEndedThreadsFramesAreKeptOutOfTheMap) {
  FrameBases frames;
  for (uint32_t node = 1; node <= 40; ++node) frames.Record(7, node, {0x7ffd0000 + 16 * node, 0});
  frames.Record(7, 3, {0x7ffd0008, 0});  // path 3 moved
  frames.Record(8, 1, {0x7f000100, 0x10});
  frames.Retire(7);
  EXPECT_EQ(frames.mapped(), 1u);  // thread 8's
  EXPECT_EQ(frames.At(7, 1).sp, 0x7ffd0010u);
  EXPECT_EQ(frames.At(7, 40).sp, 0x7ffd0000u + 16 * 40);
  EXPECT_EQ(frames.At(7, 3).sp, 0u);
  EXPECT_EQ(frames.At(7, 41).sp, 0u);
  EXPECT_EQ(frames.At(8, 1).fp_offset, 0x10u);
  frames.Record(7, 2, {0x7ee00000, 0x20});  // a new thread 7
  EXPECT_EQ(frames.At(7, 2).sp, 0x7ee00000u);
  EXPECT_EQ(frames.At(7, 4).sp, 0x7ffd0040u);  // the old thread's, as before it ended
  frames.Retire(7);
  EXPECT_EQ(frames.mapped(), 1u);
  EXPECT_EQ(frames.At(7, 2).sp, 0x7ee00000u);
  EXPECT_EQ(frames.At(7, 2).fp_offset, 0x20u);
  EXPECT_EQ(frames.At(7, 5).sp, 0x7ffd0050u);
  frames.Retire(9);  // never recorded: nothing
  EXPECT_EQ(frames.mapped(), 1u);
}

// Ended threads whose frames lay the same way below their highest one share one array,
// wherever their stacks were; each still gets its own stack pointers back.
TEST(FrameBases, EndedThreadsThatRanTheSameCodeShareTheirFrames) {
  FrameBases frames;
  for (uint32_t tid : {11u, 12u, 13u}) {
    const uint64_t top = 0x7f0000800000ull * tid;
    for (uint32_t node = 1; node <= 20; ++node) {
      frames.Record(tid, node, {top - 64 * node, node == 4 ? 0x30u : 0u});
    }
    if (tid == 13) frames.Record(tid, 21, {top - 4096, 0});  // a path the others did not take
    frames.Record(tid, 7, {top - 8, 0});                      // moved
    frames.Retire(tid);
  }
  EXPECT_EQ(frames.mapped(), 0u);
  EXPECT_EQ(frames.layouts(), 2u) << "threads 11 and 12 share one; 13 took another path";
  for (uint32_t tid : {11u, 12u, 13u}) {
    const uint64_t top = 0x7f0000800000ull * tid;
    EXPECT_EQ(frames.At(tid, 1).sp, top - 64);
    EXPECT_EQ(frames.At(tid, 20).sp, top - 64 * 20);
    EXPECT_EQ(frames.At(tid, 4).fp_offset, 0x30u);
    EXPECT_EQ(frames.At(tid, 7).sp, 0u) << "a moved path names nothing, shared or not";
    EXPECT_EQ(frames.At(tid, 21).sp, tid == 13 ? top - 4096 : 0u);
  }
}

}  // namespace
}  // namespace threadlens::analysis
