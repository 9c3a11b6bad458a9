// Naming that outlives a run: fingerprints (what baselines and suppressions match) keep the
// variable and the functions but not what changes from run to run; heap blocks are named by
// the block that holds an address, as a brute-force list says.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "heap_blocks.h"
#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

// A stack local or a thread-local is the same variable whichever number its thread got in
// this run; an address on a stack is no name at all.
TEST(Fingerprint, AStackOrThreadLocalVariableIsKeyedWithoutItsThread) {
  auto race = [](const std::string& var) {
    Finding f;
    f.kind = "race";
    Access a;
    a.stack = {Frame{"worker()", "src/worker.cc", 12, 0, ""}};
    f.accesses = {a, a};
    f.variables = {var};
    return f;
  };
  EXPECT_EQ(FingerprintOf(race("local variable buf of worker() on T2's stack")),
            FingerprintOf(race("local variable buf of worker() on T3's stack")));
  EXPECT_EQ(FingerprintOf(race("local variable buf of worker() on T2's stack")),
            FingerprintOf(race("local variable buf of worker() on main's stack")));
  EXPECT_NE(FingerprintOf(race("local variable buf of worker() on T2's stack")),
            FingerprintOf(race("local variable len of worker() on T2's stack")));
  EXPECT_EQ(FingerprintOf(race("tally in T2's thread-local storage")),
            FingerprintOf(race("tally in T5's thread-local storage")));
  EXPECT_NE(FingerprintOf(race("tally in T2's thread-local storage")),
            FingerprintOf(race("other in T2's thread-local storage")));
  EXPECT_EQ(FingerprintOf(race("0x7ffd1234 on T2's stack")),
            FingerprintOf(race("0x7ffd5678 on T3's stack")));
  EXPECT_NE(FingerprintOf(race("local variable buf of worker() on T2's stack")),
            FingerprintOf(race("0x7ffd1234 on T2's stack")));
  // Memory no allocation names, named by the accesses' type: the field, not the address.
  EXPECT_EQ(FingerprintOf(race("rec::total at 0x564a1cd4f008")),
            FingerprintOf(race("rec::total at 0x5650cfe0e008")));
  EXPECT_NE(FingerprintOf(race("rec::total at 0x564a1cd4f008")),
            FingerprintOf(race("rec::id at 0x564a1cd4f000")));
  // A field of unnamed shared memory, whatever address and process mapped it.
  EXPECT_EQ(FingerprintOf(race("shared::data in shared@0x7f1f9f55b000 (anon 31498:7f1f9f55b000)")),
            FingerprintOf(race("shared::data in shared@0x7f2a00000000 (anon 4242:7f2a00000000)")));
  EXPECT_NE(FingerprintOf(race("shared::data in shared@0x7f1f9f55b000 (anon 31498:7f1f9f55b000)")),
            FingerprintOf(race("shared::ready in shared@0x7f1f9f55b000 (anon 31498:7f1f9f55b000)")));
}

// Which element of an array a race reached first can change from run to run (which worker
// of a pool started first): the element's index is not in the key, its field is.
TEST(Fingerprint, AnArrayElementIsKeyedWithoutItsIndex) {
  auto race = [](const std::string& var) {
    Finding f;
    f.kind = "race";
    Access a;
    a.stack = {Frame{"Pool::start()", "src/pool.cc", 40, 0, ""}};
    f.accesses = {a, a};
    f.variables = {var};
    f.fingerprint = FingerprintOf(f);
    return f;
  };
  const std::string in_block = " in heap block allocated at Pool::Pool() pool.cc:12";
  EXPECT_EQ(race("Worker[0]._thread" + in_block).fingerprint,
            race("Worker[1]._thread" + in_block).fingerprint);
  EXPECT_NE(race("Worker[0]._thread" + in_block).fingerprint,
            race("Worker[0]._id" + in_block).fingerprint);
  EXPECT_EQ(race("table[3].count").fingerprint, race("table[17].count").fingerprint);
  EXPECT_EQ(race("grid[2][5]").fingerprint, race("grid[0][1]").fingerprint);
  EXPECT_NE(race("table[3].count").fingerprint, race("table[3].hits").fingerprint);
  EXPECT_NE(race("table[3].count").fingerprint, race("other[3].count").fingerprint);
  EXPECT_EQ(race("local variable buf[4] of worker() on T2's stack").fingerprint,
            race("local variable buf[0] of worker() on T3's stack").fingerprint);
  EXPECT_EQ(race("rec::slots[1] at 0x564a1cd4f008").fingerprint,
            race("rec::slots[2] at 0x5650cfe0e010").fingerprint);
  // Not an index: kept as it is.
  EXPECT_NE(race("m[x]").fingerprint, race("m[y]").fingerprint);
  // Two elements raced on in one report by the same lines are one bug: one fingerprint (the
  // analysis reports the first); by other lines, two.
  std::vector<Finding> two = {race("table[3].count"), race("table[5].count")};
  const std::string plain = two[0].fingerprint;
  DisambiguateFingerprints(two);
  EXPECT_EQ(two[0].fingerprint, plain);
  EXPECT_EQ(two[1].fingerprint, plain);
  std::vector<Finding> apart = {race("table[3].count"), race("table[5].count")};
  apart[1].accesses[0].stack[0].line = 41;
  DisambiguateFingerprints(apart);
  EXPECT_NE(apart[0].fingerprint, apart[1].fingerprint);
}

// A lock in a heap block is keyed by its field, the allocating function and its number, not
// by the allocation's line; so is a condition variable a hang waits on.
TEST(Fingerprint, ALockInAHeapBlockIsKeyedWithoutItsLine) {
  auto cycle = [](const std::string& a, const std::string& b) {
    Finding f;
    f.kind = "lock-order";
    Access x;
    x.stack = {Frame{"transfer()", "src/bank.cc", 10, 0, ""}};
    f.accesses = {x, x};
    f.locks = {a, b};
    return f;
  };
  const std::string mu = "Account::mu in heap block allocated at main bank.cc:";
  EXPECT_EQ(FingerprintOf(cycle(mu + "17", mu + "17 #2")),
            FingerprintOf(cycle(mu + "21", mu + "21 #2")));
  EXPECT_NE(FingerprintOf(cycle(mu + "17", mu + "17 #2")),
            FingerprintOf(cycle(mu + "17", mu + "17 #3")));
  const std::string log_mu = "Account::log_mu in heap block allocated at main bank.cc:17";
  const std::string in_open = "Account::mu in heap block allocated at open bank.cc:17";
  const std::string two = FingerprintOf(cycle(mu + "17", mu + "17 #2"));
  EXPECT_NE(two, FingerprintOf(cycle(mu + "17", log_mu)));
  EXPECT_NE(two, FingerprintOf(cycle(mu + "17", in_open)));
  auto hang = [](const std::string& cond) {
    Finding f;
    f.kind = "hang";
    f.subkind = "cond";
    Access w;
    w.object = cond;
    w.stack = {Frame{"consume()", "src/q.cc", 30, 0, ""}};
    f.accesses = {w};
    return f;
  };
  EXPECT_EQ(FingerprintOf(hang("queue::ready in heap block allocated at main q.c:8")),
            FingerprintOf(hang("queue::ready in heap block allocated at main q.c:9")));
  EXPECT_NE(FingerprintOf(hang("queue::ready in heap block allocated at main q.c:8")),
            FingerprintOf(hang("queue::empty in heap block allocated at main q.c:8")));
}

// Two objects of one type from one function, raced on by the same functions, would share a
// fingerprint (it leaves lines out): within one report they are told apart by their lines,
// and a fingerprint no other finding shares is left as it was.
TEST(Fingerprint, FindingsOfOneReportThatCollideAreToldApartByTheirLines) {
  auto race = [](int alloc_line, int access_line) {
    Finding f;
    f.kind = "race";
    Access a;
    a.stack = {Frame{"worker()", "src/worker.cc", access_line, 0, ""}};
    f.accesses = {a, a};
    f.variables = {"Account::balance in heap block allocated at main acct.cc:" +
                   std::to_string(alloc_line)};
    f.fingerprint = FingerprintOf(f);
    return f;
  };
  std::vector<Finding> findings = {race(7, 20), race(9, 21), race(7, 20)};
  findings[2].kind = "race";
  findings[2].variables = {"Session::hits in heap block allocated at main acct.cc:30"};
  findings[2].fingerprint = FingerprintOf(findings[2]);
  ASSERT_EQ(findings[0].fingerprint, findings[1].fingerprint);
  const std::string unique = findings[2].fingerprint;
  DisambiguateFingerprints(findings);
  EXPECT_NE(findings[0].fingerprint, findings[1].fingerprint);
  EXPECT_EQ(findings[2].fingerprint, unique);
  // The same two findings in another run get the same two fingerprints.
  std::vector<Finding> again = {race(9, 21), race(7, 20)};
  DisambiguateFingerprints(again);
  EXPECT_EQ(again[0].fingerprint, findings[1].fingerprint);
  EXPECT_EQ(again[1].fingerprint, findings[0].fingerprint);
}

// A loop's flag read at two pcs of one line (the compiler's rotated loop reads it before the
// loop and in it): the write racing the first read, then the last read racing the write, are
// one race whichever side came first; the analysis then drops the second as the same
// statements.
TEST(Fingerprint, CollidingFindingsKeyTheirLinesWhicheverSideCameFirst) {
  Access read, write;
  read.stack = {Frame{"reader(void*)", "src/stop.c", 30, 0, ""}};
  write.stack = {Frame{"main", "src/stop.c", 93, 0, ""}};
  auto race = [](const Access& first, const Access& second) {
    Finding f;
    f.kind = "race";
    f.accesses = {first, second};
    f.variables = {"local variable arg.stop of main() on T1's stack"};
    f.fingerprint = FingerprintOf(f);
    return f;
  };
  Access other = read;
  other.stack[0].line = 31;
  std::vector<Finding> findings = {race(read, write), race(write, read), race(other, write)};
  ASSERT_EQ(findings[0].fingerprint, findings[1].fingerprint);
  ASSERT_EQ(findings[0].fingerprint, findings[2].fingerprint);
  const std::string plain = findings[0].fingerprint;
  DisambiguateFingerprints(findings);
  EXPECT_EQ(findings[0].fingerprint, findings[1].fingerprint);
  EXPECT_NE(findings[0].fingerprint, findings[2].fingerprint);
  // The same lines alone keep the fingerprint the race has in a run that read it at one pc.
  std::vector<Finding> same = {race(read, write), race(write, read)};
  DisambiguateFingerprints(same);
  EXPECT_EQ(same[0].fingerprint, plain);
  EXPECT_EQ(same[1].fingerprint, plain);
}

TEST(Fingerprint, UsesTheFirstFrameOutsideTheStandardLibrary) {
  auto finding = [](const std::string& inner) {
    Finding f;
    f.kind = "self-deadlock";
    Access a;
    a.stack = {Frame{inner, "/usr/include/c++/13/bits/std_mutex.h", 100, 0, ""},
               Frame{"std::mutex::lock()", "/usr/include/c++/13/bits/std_mutex.h", 113, 0, ""},
               Frame{"worker(int)", "src/worker.cc", 12, 0, ""}};
    f.accesses.push_back(a);
    f.locks = {"list_lock"};
    return f;
  };
  Finding plain = finding("__gthread_mutex_lock");
  Finding user;
  user.kind = "self-deadlock";
  user.locks = {"list_lock"};
  Access a;
  a.stack = {Frame{"worker(int)", "src/worker.cc", 12, 0, ""}};
  user.accesses.push_back(a);
  EXPECT_EQ(FingerprintOf(plain), FingerprintOf(user));
  EXPECT_EQ(FingerprintOf(finding("pthread_mutex_lock")), FingerprintOf(user));
  // System frames only: the innermost named one still counts.
  Finding sys = finding("__gthread_mutex_lock");
  sys.accesses[0].stack.pop_back();
  EXPECT_NE(FingerprintOf(sys), FingerprintOf(user));
}

// Heap block names against a list kept by brute force: an allocation drops every block it
// overlaps (reusing the entry at its own address), a free marks the live block at its base,
// and an address is named by the block that holds it.
TEST(HeapBlocks, MatchesBruteForceOnRandomAllocationsAndFrees) {
  using analysis::HeapRef;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    analysis::HeapBlocks blocks;
    std::vector<HeapRef> naive;
    auto end = [](const HeapRef& b) { return b.base + std::max<uint64_t>(b.size, 1); };
    for (int step = 0; step < 400; ++step) {
      const uint64_t base = 0x1000 + (rng() % 4 == 0 ? rng() % 512 : 8 * (rng() % 64));
      const int what = static_cast<int>(rng() % 3);
      if (what == 0) {
        HeapRef b{base, rng() % 5 == 0 ? 0 : 1 + rng() % 96, rng(), 0, true, false};
        std::erase_if(naive, [&](const HeapRef& x) { return x.base < end(b) && b.base < end(x); });
        naive.push_back(b);
        blocks.Alloc(b);
      } else if (what == 1) {
        HeapRef* live = blocks.Live(base);
        auto it = std::find_if(naive.begin(), naive.end(),
                               [&](const HeapRef& x) { return x.base == base && !x.freed; });
        ASSERT_EQ(live != nullptr, it != naive.end()) << "round " << round << " step " << step;
        if (live) {
          live->freed = true;
          it->freed = true;
        }
      } else {
        const uint64_t addr = base + rng() % 16;
        const HeapRef* got = blocks.Containing(addr);
        auto it = std::find_if(naive.begin(), naive.end(),
                               [&](const HeapRef& x) { return x.base <= addr && addr < end(x); });
        ASSERT_EQ(got != nullptr, it != naive.end()) << "round " << round << " step " << step;
        if (got) {
          EXPECT_EQ(got->base, it->base);
          EXPECT_EQ(got->site, it->site);
          EXPECT_EQ(got->freed, it->freed);
        }
      }
    }
  }
}

}  // namespace
}  // namespace threadlens::testing
