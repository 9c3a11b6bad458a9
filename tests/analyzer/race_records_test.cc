// The race detector's records: the races one access has with one earlier cell on granules in
// a row are kept as one run, and given back granule by granule in the order the shadow found
// them; and hostile keys (an address or a thread id of all ones) are ordinary keys.
#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

#include "flat_map.h"
#include "hb_engine.h"
#include "race_detector.h"
#include "shadow_memory.h"
#include "test_util.h"

namespace threadlens::analysis {
namespace {

using Races = std::vector<std::pair<uint64_t, uint8_t>>;  // (granule, bytes) in report order

struct RawSink : ShadowMemory::Sink {
  Races races;
  void Race(const ShadowCell&, uint64_t base, uint8_t overlap, const ShadowAccess&) override {
    races.emplace_back(base, overlap);
  }
};

struct Op {
  uint32_t t;
  int what;  // 0 access, 1 range, 2 alloc, 3 free, 4 release and acquire
  uint64_t addr, bytes;
  bool write;
  uint64_t site;
};

std::vector<Op> RandomOps(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Op> ops;
  for (int i = 0; i < 3000; ++i) {
    Op o{1 + static_cast<uint32_t>(rng() % 3), static_cast<int>(rng() % 12), 0, 0, rng() % 2 == 0,
         1 + rng() % 5};
    o.what = o.what < 5 ? o.what : 0;
    // A few pages, so ranges cross them and several cells pile up on a granule.
    o.addr = 0x40000 + rng() % (3 * 4096);
    o.bytes = o.what == 0 ? 1u << (rng() % 4) : 1 + rng() % 6000;
    ops.push_back(o);
  }
  return ops;
}

// A release by o.t and an acquire of the same lock by the next thread.
bool Synchronizes(HappensBefore& hb, const Op& o) {
  if (o.what != 4) return false;
  hb.Release(o.t, 7, false);
  hb.Acquire(1 + o.t % 3, 7, false);
  return true;
}

// What the shadow reports, called directly, granule by granule.
Races RawShadow(const std::vector<Op>& ops) {
  HappensBefore hb;
  RawSink sink;
  ShadowMemory shadow(sink);
  for (uint32_t t = 1; t <= 3; ++t) hb.AddThread(t);
  uint64_t index = 0;
  for (const Op& o : ops) {
    if (Synchronizes(hb, o)) continue;
    ShadowAccess a;
    a.clock = &hb.Clock(o.t);
    a.where = static_cast<uint32_t>(o.site);
    a.index = ++index;
    a.thread = hb.Slot(o.t);  // clocks are indexed by slot
    a.now = hb.Now(o.t);
    a.flags = o.write || o.what >= 2 ? kCellWrite : 0;
    if (o.what == 2) {
      a.flags |= kCellAlloc;
      shadow.Alloc(o.addr, o.bytes, a);
    } else if (o.what == 3) {
      a.flags |= kCellFree;
      shadow.Free(o.addr, o.bytes, a);
    } else {
      a.size = o.what == 0 ? static_cast<uint16_t>(o.bytes) : 1;
      shadow.Access(o.addr, o.bytes, a);
    }
  }
  return sink.races;
}

// The same through the detector (its records, runs and merge), with `workers` workers.
std::pair<Races, size_t> Detector(const std::vector<Op>& ops, unsigned workers) {
  HappensBefore hb;
  RaceDetector rd(hb, 1u << 20, workers);
  Races races;
  rd.SetObserver([&](uint64_t base, uint8_t overlap) { races.emplace_back(base, overlap); });
  for (uint32_t t = 1; t <= 3; ++t) {
    hb.AddThread(t);
    rd.AddThread(t, t);
  }
  uint64_t index = 0;
  for (const Op& o : ops) {
    if (Synchronizes(hb, o)) continue;
    SideRef s;
    s.obj = o.addr;
    s.site = o.site;
    s.index = ++index;
    if (o.what == 2) {
      rd.Alloc(o.t, s, o.bytes, HeapRef{o.addr, o.bytes, o.site, 0, true});
    } else if (o.what == 3) {
      rd.Free(o.t, s, o.bytes);
    } else if (o.what == 1) {
      s.size = 1;
      rd.Range(o.t, s, o.write, o.bytes);
    } else {
      s.size = static_cast<uint32_t>(o.bytes);
      rd.Access(o.t, s, o.write, false);
    }
  }
  rd.Flush();
  return {races, rd.records_peak()};
}

TEST(RaceRecords, RunsGiveTheRacesInTheShadowsOrder) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    const std::vector<Op> ops = RandomOps(seed);
    const Races raw = RawShadow(ops);
    ASSERT_FALSE(raw.empty()) << "seed " << seed;
    for (unsigned workers : {0u, 1u, 2u}) {
      ASSERT_EQ(Detector(ops, workers).first, raw) << "seed " << seed << ", " << workers
                                                   << " workers";
    }
  }
}

// 1 200 threads take turns: each takes a lock, writes a shared word, gives the lock back,
// and writes a word of its own and one beside it with nothing ordering them. Every access
// needs a copy of its thread's clock of 1 200 entries: the batches are handed out before
// their copies pass kBatchClocks, and the races are those found on one thread.
TEST(RaceRecords, ManyThreadsTakingTurnsKeepTheBatchesClocksBounded) {
  constexpr uint32_t kThreads = 1200;
  auto run = [](unsigned workers, size_t* peak) {
    HappensBefore hb;
    RaceDetector rd(hb, 1u << 20, workers);
    Races races;
    rd.SetObserver([&](uint64_t base, uint8_t overlap) { races.emplace_back(base, overlap); });
    for (uint32_t t = 1; t <= kThreads; ++t) {
      hb.AddThread(t);
      rd.AddThread(t, t);
    }
    uint64_t index = 0;
    auto write = [&](uint32_t t, uint64_t addr) {
      SideRef s;
      s.obj = addr;
      s.site = 1 + addr % 7;
      s.index = ++index;
      s.size = 4;
      rd.Access(t, s, true, false);
    };
    for (int round = 0; round < 3; ++round) {
      for (uint32_t t = 1; t <= kThreads; ++t) {
        hb.Acquire(t, 9, false);
        write(t, 0x5000);
        hb.Release(t, 9, false);
        write(t, 0x9000 + 8 * (t % 64));
      }
    }
    rd.Flush();
    if (peak) *peak = rd.clock_entries_peak();
    return races;
  };
  size_t peak = 0;
  const Races inline_races = run(0, nullptr);
  ASSERT_FALSE(inline_races.empty());
  EXPECT_EQ(run(1, &peak), inline_races);
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, RaceDetector::kBatchClocks + kThreads);
}

// Threads 1 and 2 each write `bytes` at 0x10000000 (from sites `site1` and `site2`), with
// nothing ordering them.
void TwoThreadsWrite(RaceDetector& rd, uint64_t bytes, uint64_t site1, uint64_t site2) {
  rd.AddThread(1, 1);
  rd.AddThread(2, 2);
  SideRef s;
  s.obj = 0x10000000;
  s.size = 1;
  s.site = site1;
  s.index = 1;
  rd.Range(1, s, true, bytes);
  s.site = site2;
  s.index = 2;
  rd.Range(2, s, true, bytes);
}

// Two threads memset the same 8 MiB with nothing between them: a million racing granules,
// one finding, and the records of the batch are a few runs, not a million.
TEST(RaceRecords, RacingRangesKeepARecordPerRun) {
  for (unsigned workers : {0u, 1u, 2u}) {
    HappensBefore hb;
    RaceDetector rd(hb, 100, workers);
    TwoThreadsWrite(rd, RaceDetector::kMaxRangeBytes, 1, 2);
    EXPECT_EQ(rd.TakeFindings().size(), 1u) << workers;
    EXPECT_EQ(rd.races_seen(), RaceDetector::kMaxRangeBytes / 8) << workers;
    EXPECT_LE(rd.records_peak(), 2048u) << workers;  // one a page at most with shards
    EXPECT_FALSE(rd.truncated()) << workers;
  }
}

// Without sites each variable is its own report: the first 100 granules are reported, and
// the rest counted and said to be cut.
TEST(RaceRecords, RacingRangesWithoutSitesReportEachGranuleUpToTheCap) {
  HappensBefore hb;
  RaceDetector rd(hb, 100, 1);
  TwoThreadsWrite(rd, 1 << 20, 0, 0);
  const std::vector<RawFinding> f = rd.TakeFindings();
  ASSERT_EQ(f.size(), 100u);
  EXPECT_EQ(f[99].vars, std::vector<uint64_t>{0x10000000 + 99 * 8});
  EXPECT_EQ(rd.races_seen(), (1u << 20) / 8);
  EXPECT_TRUE(rd.truncated());
}

// A cell keeps the site, call stack and lock set of its access as one id per distinct
// triple (RaceDetector::Where): with more triples than the detector's table of recent ones,
// and triples that differ in their lock set alone, each side of each report names its own.
TEST(RaceRecords, SidesKeepTheirSiteStackAndLockSet) {
  constexpr uint64_t kN = 12000, kBase = 0x10000000;
  auto side = [&](uint64_t i, uint32_t t) {
    SideRef s;
    s.obj = kBase + 8 * i;
    s.size = 8;
    if (t == 1) {  // four accesses a site and stack, each under its own lock set
      s.site = 100000 + i % 3000;
      s.stack = static_cast<uint32_t>(1000 + i % 3000 % 97);
      s.lockset = static_cast<uint32_t>(i / 3000);
    } else {
      s.site = 200000 + i;
      s.stack = static_cast<uint32_t>(2000 + i % 89);
      s.lockset = static_cast<uint32_t>(i % 7);
    }
    return s;
  };
  for (unsigned workers : {0u, 1u, 2u}) {
    HappensBefore hb;
    RaceDetector rd(hb, 1u << 20, workers);
    rd.AddThread(1, 1);
    rd.AddThread(2, 2);
    // Thread 1 reads and then writes each granule (the write's cell replaces the read's, its
    // triple found among the recent ones), the four of a site and stack one after the other.
    std::vector<uint64_t> index(kN);
    uint64_t next = 0;
    for (uint64_t j = 0; j < 3000; ++j) {
      for (uint64_t i = j; i < kN; i += 3000) {
        SideRef s = side(i, 1);
        s.index = ++next;
        rd.Access(1, s, false, false);
        s.index = index[i] = ++next;
        rd.Access(1, s, true, false);
      }
    }
    for (uint64_t i = 0; i < kN; ++i) {
      SideRef s = side(i, 2);
      s.index = ++next;
      rd.Access(2, s, true, false);
    }
    const std::vector<RawFinding> findings = rd.TakeFindings();
    ASSERT_EQ(findings.size(), kN) << workers;  // a pair of sites each
    for (const RawFinding& f : findings) {
      const uint64_t i = (f.vars.at(0) - kBase) / 8;
      for (uint32_t k = 0; k < 2; ++k) {
        const SideRef want = side(i, k + 1);
        EXPECT_EQ(f.sides[k].site, want.site) << workers << " " << i;
        EXPECT_EQ(f.sides[k].stack, want.stack) << workers << " " << i;
        EXPECT_EQ(f.sides[k].lockset, want.lockset) << workers << " " << i;
      }
      EXPECT_EQ(f.sides[0].index, index[i]) << workers << " " << i;
      EXPECT_EQ(f.sides[1].index, 2 * kN + 1 + i) << workers << " " << i;
    }
  }
}

TEST(FlatMapKeys, AllOnesIsAKeyLikeAnyOther) {
  FlatMap<int> m;
  bool inserted = false;
  m.FindOrInsert(~0ull, inserted) = 7;
  EXPECT_TRUE(inserted);
  m.FindOrInsert(5, inserted) = 8;
  ASSERT_NE(m.Find(~0ull), nullptr);
  EXPECT_EQ(*m.Find(~0ull), 7);
  EXPECT_EQ(m.size(), 2u);
  for (uint64_t k = 100; k < 300; ++k) m.FindOrInsert(k, inserted) = 1;  // rehashes
  EXPECT_EQ(*m.Find(~0ull), 7);
  int seen = 0;
  m.ForEach([&](uint64_t k, int v) { seen += k == ~0ull && v == 7; });
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(m.Erase(~0ull));
  EXPECT_EQ(m.Find(~0ull), nullptr);
  EXPECT_FALSE(m.Erase(~0ull));
  EXPECT_EQ(*m.Find(5), 8);
  EXPECT_EQ(m.size(), 201u);
}

}  // namespace
}  // namespace threadlens::analysis

namespace threadlens::testing {
namespace {

using trace::EventKind;

// An atomic at the address of all ones, then a plain store there (which ends its release
// sequence): analyzed as any other address, and the race between the two threads found.
TEST(HostileKeys, AtomicAtTheLastAddress) {
  VectorSource src;
  src.Add(1, EventKind::kThreadCreate, 2).Add(2, EventKind::kThreadStart, 1);
  src.Add(1, EventKind::kAtomicStore, ~0ull, static_cast<uint8_t>(trace::MemoryOrder::kRelease),
          1, 0x10);
  src.Add(2, EventKind::kWrite, ~0ull, 0, 1, 0x20);
  const Report r = Analyze(src, TestOptions());
  EXPECT_EQ(OfKind(r, "race").size(), 1u);
}

// A thread whose id is all ones is a thread like any other (the id once marked "none"),
// first in the trace or after another.
TEST(HostileKeys, ThreadIdOfAllOnes) {
  for (uint32_t tid : {2u, ~0u}) {
    for (bool first : {true, false}) {
      VectorSource src;
      if (!first) src.Add(1, EventKind::kWrite, 0x1000, 0, 4, 0x10);
      src.Add(tid, EventKind::kWrite, 0x1000, 0, 4, 0x20);
      src.Add(tid, EventKind::kWrite, 0x1000, 0, 4, 0x20);
      if (first) src.Add(1, EventKind::kWrite, 0x1000, 0, 4, 0x10);
      const Report r = Analyze(src, TestOptions());
      EXPECT_EQ(OfKind(r, "race").size(), 1u) << tid << " " << first;
      EXPECT_EQ(r.threads.size(), 2u) << tid << " " << first;
    }
  }
}

}  // namespace
}  // namespace threadlens::testing
