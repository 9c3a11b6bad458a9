// Randomized test of the race detector's shadow memory against a naive byte-level reference:
// random sizes and offsets (unaligned too), ranges, atomics of mixed sizes and orders, a heap
// block allocated and freed, across threads ordered by fork, join and locks; one thread's
// stack holds the region. The reference
// checks every pair of accesses on every byte against happens-before by transitive closure,
// and every access after a free that happens before it (a use after free).
#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <set>

#include "hb_engine.h"
#include "race_detector.h"

namespace threadlens::analysis {
namespace {

// The region: 160 bytes from 16 before a 64-byte line, so whole lines (which the shadow
// may keep as one summary) and partial ones; the heap block covers two whole lines.
constexpr uint64_t kBase = 0x10000 - 16;
constexpr uint64_t kRegion = 160;
constexpr uint64_t kBlock = kBase + 8, kBlockSize = 144;

struct Ev {
  enum Kind { kFork, kJoin, kAcquire, kRelease, kAccess, kAtomic, kAlloc, kFree } kind;
  uint32_t t = 0, other = 0;  // thread; child (fork, join) or lock
  uint64_t addr = 0, size = 0;
  bool write = false, range = false;
  int atomic_op = 0;  // 0 load, 1 store, 2 read-modify-write
  uint8_t mo = 0;
};

bool IsMemory(const Ev& e) {
  return e.kind == Ev::kAccess || e.kind == Ev::kAtomic || e.kind == Ev::kAlloc ||
         e.kind == Ev::kFree;
}
bool Writes(const Ev& e) {
  return e.kind == Ev::kAlloc || e.kind == Ev::kFree || (e.kind == Ev::kAccess && e.write) ||
         (e.kind == Ev::kAtomic && e.atomic_op != 0);
}
bool Covers(const Ev& e, uint64_t b) { return b >= e.addr && b < e.addr + e.size; }
// A plain write, free or allocation ends the release sequences of the atomics it covers.
bool EndsSequence(const Ev& e, uint64_t a) {
  return (e.kind == Ev::kAlloc || e.kind == Ev::kFree || (e.kind == Ev::kAccess && e.write)) &&
         Covers(e, a);
}

std::vector<Ev> RandomTrace(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const int threads = 2 + pick(3), steps = 10 + pick(50);
  std::vector<int> state(threads + 1, 0);  // 0 not started, 1 running, 2 joined
  state[1] = 1;
  std::vector<uint32_t> owner(2, 0);
  std::vector<int> held(threads + 1, 0);
  bool live = false;
  std::vector<Ev> ev;
  std::vector<Ev> last(threads + 1);  // each thread's last plain access (size 0: none)
  for (int step = 0; step < steps; ++step) {
    const uint32_t t = 1 + pick(threads);
    if (state[t] != 1) continue;
    Ev e;
    e.t = t;
    const int op = pick(14);
    if (op == 0) {
      for (uint32_t c = 2; c <= static_cast<uint32_t>(threads); ++c) {
        if (state[c] == 0) {
          e.kind = Ev::kFork;
          e.other = c;
          state[c] = 1;
          ev.push_back(e);
          break;
        }
      }
    } else if (op == 1) {
      const uint32_t c = 1 + pick(threads);
      if (c == t || c == 1 || state[c] != 1 || held[c]) continue;
      e.kind = Ev::kJoin;
      e.other = c;
      state[c] = 2;
      ev.push_back(e);
    } else if (op <= 3) {
      const uint32_t l = pick(2);
      if (owner[l] == 0) {
        owner[l] = t;
        ++held[t];
        e.kind = Ev::kAcquire;
      } else if (owner[l] == t) {
        owner[l] = 0;
        --held[t];
        e.kind = Ev::kRelease;
      } else {
        continue;
      }
      e.other = l;
      ev.push_back(e);
    } else if (op <= 5) {
      static const uint64_t kSizes[] = {1, 2, 4, 8};
      e.kind = Ev::kAtomic;
      e.size = kSizes[pick(4)];
      e.addr = kBase + e.size * pick(static_cast<int>(kRegion / e.size));
      e.atomic_op = pick(3);
      e.mo = static_cast<uint8_t>(pick(6));
      ev.push_back(e);
    } else if (op == 6) {
      e.kind = live ? Ev::kFree : Ev::kAlloc;
      live = !live;
      e.addr = kBlock;
      e.size = kBlockSize;
      ev.push_back(e);
    } else if (last[t].size && pick(3) == 0) {
      // Some of the bytes the thread's last access touched, as strong or weaker: what its
      // repeats look like (a field written, then read; a word written, then a byte of it).
      e = last[t];
      const uint64_t skip = pick(static_cast<int>(e.size));
      e.addr += skip;
      e.size = 1 + pick(static_cast<int>(e.size - skip));
      e.write = e.write && pick(2);
      ev.push_back(e);
    } else {
      static const uint64_t kSizes[] = {1, 2, 4, 8};
      e.kind = Ev::kAccess;
      e.range = pick(3) == 0;
      e.size = e.range ? (pick(2) ? 1 + pick(16) : 1 + pick(static_cast<int>(kRegion))) : kSizes[pick(4)];
      e.addr = kBase + pick(static_cast<int>(kRegion - e.size + 1));
      e.write = pick(2);
      ev.push_back(e);
      if (!e.range) last[t] = e;
    }
  }
  return ev;
}

std::set<uint64_t> Reference(const std::vector<Ev>& ev) {
  const size_t n = ev.size();
  std::vector<std::vector<bool>> hb(n, std::vector<bool>(n, false));
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const Ev &a = ev[i], &b = ev[j];
      bool edge = a.t == b.t;
      if (a.kind == Ev::kFork && b.t == a.other) edge = true;
      if (b.kind == Ev::kJoin && a.t == b.other) edge = true;
      // A child with no events still carries its fork to the join.
      if (a.kind == Ev::kFork && b.kind == Ev::kJoin && a.other == b.other) edge = true;
      if (a.kind == Ev::kRelease && b.kind == Ev::kAcquire && a.other == b.other) edge = true;
      if (a.kind == Ev::kAtomic && b.kind == Ev::kAtomic && a.addr == b.addr &&
          a.atomic_op != 0 && HappensBefore::IsRelease(a.mo) && b.atomic_op != 1 &&
          HappensBefore::IsAcquire(b.mo)) {
        bool ended = false;
        for (size_t k = i + 1; k < j; ++k) {
          const Ev& m = ev[k];
          ended |= (m.kind == Ev::kAtomic && m.atomic_op == 1 && m.addr == a.addr) ||
                   EndsSequence(m, a.addr);
        }
        edge |= !ended;
      }
      hb[i][j] = edge;
    }
  }
  for (size_t k = 0; k < n; ++k) {
    for (size_t i = 0; i < k; ++i) {
      if (!hb[i][k]) continue;
      for (size_t j = k + 1; j < n; ++j) {
        if (hb[k][j]) hb[i][j] = true;
      }
    }
  }
  std::set<uint64_t> racy;
  // A use after free: an access that a free of its byte happens before (its own thread's
  // too), with no allocation of the byte in between.
  for (size_t j = 0; j < n; ++j) {
    const Ev& b = ev[j];
    if (b.kind != Ev::kAccess && b.kind != Ev::kAtomic) continue;
    for (size_t i = 0; i < j; ++i) {
      const Ev& f = ev[i];
      if (f.kind != Ev::kFree || !hb[i][j]) continue;
      for (uint64_t byte = std::max(f.addr, b.addr); byte < std::min(f.addr + f.size, b.addr + b.size);
           ++byte) {
        bool reborn = false;
        for (size_t k = i + 1; k < j && !reborn; ++k) {
          reborn = ev[k].kind == Ev::kAlloc && Covers(ev[k], byte);
        }
        if (!reborn) racy.insert(byte);
      }
    }
  }
  for (size_t j = 0; j < n; ++j) {
    const Ev& b = ev[j];
    if (!IsMemory(b)) continue;
    for (size_t i = 0; i < j; ++i) {
      const Ev& a = ev[i];
      if (!IsMemory(a) || a.t == b.t || hb[i][j]) continue;
      // The allocator orders a free before the reallocation of its memory, and with it
      // whatever happened before the free.
      if (b.kind == Ev::kAlloc && a.kind == Ev::kFree) continue;
      if (!Writes(a) && !Writes(b)) continue;
      if (a.kind == Ev::kAtomic && b.kind == Ev::kAtomic) continue;
      for (uint64_t byte = std::max(a.addr, b.addr); byte < std::min(a.addr + a.size, b.addr + b.size);
           ++byte) {
        // A reallocation in between ends what the block's earlier life can race with: its
        // frees, and whatever happened before the allocation or before one of those frees.
        bool reborn = false;
        for (size_t f = i + 1; f < j && b.kind == Ev::kAlloc && !reborn; ++f) {
          reborn = ev[f].kind == Ev::kFree && hb[i][f] && Covers(ev[f], byte);
        }
        for (size_t k = i + 1; k < j && !reborn; ++k) {
          const Ev& m = ev[k];
          if (m.kind != Ev::kAlloc || !Covers(m, byte)) continue;
          reborn = a.kind == Ev::kFree || hb[i][k];
          for (size_t f = i + 1; f < k && !reborn; ++f) {
            reborn = ev[f].kind == Ev::kFree && Covers(ev[f], byte) && hb[i][f];
          }
        }
        if (!reborn) racy.insert(byte);
      }
    }
  }
  return racy;
}

// What the detector reported, in order: each race (granule, bytes) and each finding's
// sides (sites) and heap block.
struct Reports {
  std::vector<std::pair<uint64_t, uint8_t>> races;
  std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> findings;
  bool operator==(const Reports&) const = default;
};

// Accesses of T2 that its own earlier ones covered, over all calls of Detect.
uint64_t covered_total = 0;
// Findings checked, and those whose sides do not name two accesses of their byte in stream
// order (a cell whose note is another cell's, or none), over all calls of Detect.
uint64_t findings_checked = 0, findings_misnamed = 0;

// Each side's site is its access's number in the trace (Detect gives it as site and index).
bool NamesTheAccesses(const std::vector<Ev>& ev, const RawFinding& f) {
  const SideRef& p = f.sides[0];
  const SideRef& q = f.sides[1];
  if (p.site == 0 || p.site >= q.site || q.site > ev.size() || p.index != p.site ||
      q.index != q.site) {
    return false;
  }
  const Ev& a = ev[p.site - 1];
  const Ev& b = ev[q.site - 1];
  return IsMemory(a) && IsMemory(b) && Covers(a, f.vars[0]) && Covers(b, f.vars[0]);
}

std::set<uint64_t> Detect(const std::vector<Ev>& ev, unsigned workers = 0,
                          Reports* out = nullptr) {
  HappensBefore hb;
  RaceDetector rd(hb, 1u << 20, workers);
  std::set<uint64_t> racy;
  rd.SetObserver([&](uint64_t base, uint8_t overlap) {
    if (out) out->races.emplace_back(base, overlap);
    for (int b = 0; b < 8; ++b) {
      if (overlap & (1u << b)) racy.insert(base + b);
    }
  });
  for (uint32_t t = 1; t <= 5; ++t) rd.AddThread(t, t);
  // T2 runs on the region as its stack: its accesses that its own of the same epoch covered
  // are not checked (RecentAccesses), and the verdict must not change.
  rd.SetStack(2, kBase, kRegion);
  uint64_t index = 0;
  for (const Ev& e : ev) {
    SideRef s;
    s.obj = e.addr;
    s.size = static_cast<uint16_t>(e.size);
    s.site = ++index;
    s.index = index;
    switch (e.kind) {
      case Ev::kFork: hb.Fork(e.t, e.other); break;
      case Ev::kJoin: hb.Join(e.t, e.other); break;
      case Ev::kAcquire: hb.Acquire(e.t, 0x100 + e.other, false); break;
      case Ev::kRelease: hb.Release(e.t, 0x100 + e.other, false); break;
      case Ev::kAccess:
        if (e.range) rd.Range(e.t, s, e.write, e.size);
        else rd.Access(e.t, s, e.write, false);
        break;
      case Ev::kAtomic:
        if (e.atomic_op != 1) hb.AtomicLoad(e.t, e.addr, e.mo);
        rd.Access(e.t, s, e.atomic_op != 0, true);
        if (e.atomic_op == 1) hb.AtomicStore(e.t, e.addr, e.mo);
        if (e.atomic_op == 2) hb.AtomicRmwStore(e.t, e.addr, e.mo);
        break;
      case Ev::kAlloc: rd.Alloc(e.t, s, e.size, HeapRef{e.addr, e.size, s.site, 0, true}); break;
      case Ev::kFree: rd.Free(e.t, s, e.size); break;
    }
  }
  rd.Flush();
  covered_total += rd.covered();
  for (const RawFinding& f : rd.TakeFindings()) {
    ++findings_checked;
    findings_misnamed += !NamesTheAccesses(ev, f);
    if (out) out->findings.emplace_back(f.sides[0].site, f.sides[1].site, f.heap.site);
  }
  return racy;
}

std::string Dump(const std::vector<Ev>& ev) {
  static const char* kNames[] = {"fork", "join", "acq", "rel", "access", "atomic", "alloc", "free"};
  std::string out;
  for (const Ev& e : ev) {
    out += "T" + std::to_string(e.t) + " " + kNames[e.kind] + " other=" + std::to_string(e.other) +
           " +" + std::to_string(e.addr ? e.addr - kBase : 0) + " size=" + std::to_string(e.size) +
           (e.write ? " w" : "") + (e.range ? " range" : "") +
           (e.kind == Ev::kAtomic ? " op=" + std::to_string(e.atomic_op) + " mo=" +
                                        std::to_string(e.mo)
                                  : "") +
           "\n";
  }
  return out;
}

TEST(ShadowMemoryRandomized, AgreesWithByteLevelReference) {
  std::mt19937 rng(20261130);
  int with_races = 0, without = 0;
  covered_total = findings_checked = findings_misnamed = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<Ev> ev = RandomTrace(rng);
    std::set<uint64_t> want = Reference(ev), got = Detect(ev);
    std::string diff;
    for (uint64_t b : want) {
      if (!got.count(b)) diff += " missed +" + std::to_string(b - kBase);
    }
    for (uint64_t b : got) {
      if (!want.count(b)) diff += " extra +" + std::to_string(b - kBase);
    }
    ASSERT_EQ(got, want) << "iteration " << iter << ":" << diff << "\n" << Dump(ev);
    (want.empty() ? without : with_races)++;
  }
  EXPECT_GT(with_races, 2000);
  EXPECT_GT(without, 2000);
  EXPECT_GT(covered_total, 1000u);
  EXPECT_GT(findings_checked, 10000u);
  EXPECT_EQ(findings_misnamed, 0u);
}

// The merged stream may order the records of two threads either way between their
// synchronizations: the verdict must not depend on it. Adjacent memory events of different
// threads (no atomics: they synchronize) are swapped at random, accesses across
// allocations and frees too.
TEST(ShadowMemoryRandomized, VerdictDoesNotDependOnTheMergeOrder) {
  std::mt19937 rng(7031);
  int swapped = 0, racy = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<Ev> ev = RandomTrace(rng);
    std::vector<Ev> other = ev;
    for (int k = 0; k < 40 && other.size() > 1; ++k) {
      const size_t i = rng() % (other.size() - 1);
      const Ev &a = other[i], &b = other[i + 1];
      // Allocations and frees keep their order among themselves: the tracer pins them in
      // the merge (and an allocator never hands out memory before its free).
      const bool lifetime = (a.kind == Ev::kAlloc || a.kind == Ev::kFree) &&
                            (b.kind == Ev::kAlloc || b.kind == Ev::kFree);
      const bool plain = IsMemory(a) && IsMemory(b) && a.kind != Ev::kAtomic &&
                         b.kind != Ev::kAtomic && !lifetime;
      if (!plain || a.t == b.t) continue;
      std::swap(other[i], other[i + 1]);
      ++swapped;
    }
    const std::set<uint64_t> want = Detect(ev);
    ASSERT_EQ(Detect(other), want) << "iteration " << iter << "\n" << Dump(ev) << "swapped:\n"
                                   << Dump(other);
    racy += !want.empty();
  }
  EXPECT_GT(swapped, 20000);
  EXPECT_GT(racy, 2000);
}

// Shards on worker threads (pages split between them, the heap block across both) report
// the same races in the same order, with the same heap blocks, as one thread does.
TEST(ShadowMemoryRandomized, WorkersReportWhatOneThreadReports) {
  std::mt19937 rng(9090);
  int racy = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    // The region crosses a page boundary: both shards see the heap block and the ranges.
    std::vector<Ev> ev = RandomTrace(rng);
    Reports one, single, two, three;
    Detect(ev, 0, &one);
    Detect(ev, 1, &single);  // one worker beside the caller (the default on two CPUs)
    Detect(ev, 2, &two);
    Detect(ev, 3, &three);
    ASSERT_EQ(one, single) << "iteration " << iter << "\n" << Dump(ev);
    ASSERT_EQ(one, two) << "iteration " << iter << "\n" << Dump(ev);
    ASSERT_EQ(one, three) << "iteration " << iter << "\n" << Dump(ev);
    racy += !one.findings.empty();
  }
  EXPECT_GT(racy, 300);
}

// A stream long enough to fill many batches of the workers' ring, with races in most of
// them and heap blocks allocated and freed throughout. Each side of each report carries
// what its access carried: call path, held locks, time, size (the workers keep what runs of
// accesses share once per batch).
TEST(ShadowMemoryRandomized, WorkersAgreeOnALongStream) {
  auto run = [](unsigned workers) {
    HappensBefore hb;
    RaceDetector rd(hb, 5000, workers);
    std::mt19937 rng(77);
    for (uint32_t t = 1; t <= 4; ++t) rd.AddThread(t, t);
    uint64_t index = 0;
    for (int i = 0; i < 200000; ++i) {
      const uint32_t t = 1 + rng() % 4;
      SideRef s;
      s.obj = 0x100000 + rng() % 65536;
      s.size = static_cast<uint16_t>(1u << (rng() % 4));
      s.site = 1 + rng() % 3000;
      s.index = ++index;
      s.stack = rng() % 3 == 0 ? 1 + rng() % 40 : t;  // runs of the same path, and changes
      s.lockset = rng() % 5 == 0 ? rng() % 4 : 0;
      s.ts = index / (1 + rng() % 4);
      switch (rng() % 20) {
        case 0: hb.Acquire(t, 1, false); break;
        case 1: hb.Release(t, 1, false); break;
        case 2: rd.Range(t, s, rng() % 2, 1 + rng() % 9000); break;
        case 3: rd.Alloc(t, s, 4096, HeapRef{s.obj, 4096, s.site, 0, true}); break;
        case 4: rd.Free(t, s, 4096); break;
        default: rd.Access(t, s, rng() % 2, rng() % 7 == 0); break;
      }
    }
    std::vector<std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>> out;
    for (const RawFinding& f : rd.TakeFindings()) {
      out.emplace_back(f.sides[0].index, f.sides[1].index, f.vars[0], f.heap.base);
      for (const SideRef& side : f.sides) {
        out.emplace_back(side.site, side.stack, side.lockset, side.ts);
        out.emplace_back(side.tid, side.size, static_cast<uint64_t>(side.op), side.atomic);
      }
    }
    return std::make_pair(rd.races_seen(), out);
  };
  const auto one = run(0);
  EXPECT_GT(one.second.size(), 1000u);
  EXPECT_EQ(run(1), one);
  EXPECT_EQ(run(2), one);
  EXPECT_EQ(run(3), one);
}

}  // namespace
}  // namespace threadlens::analysis
