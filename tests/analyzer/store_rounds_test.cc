// Polls through a spin lock counted on their first rounds (docs/trace-format.md, "Repeats
// (polls through a spin lock)"): a randomized check that leaving out the rounds the tracer
// leaves out changes no race. Random traces of threads that poll through a spin lock word
// (an acquire read-modify-write, accesses, a load of a flag, a release store; or the same
// with relaxed atomics and fences; or given back by a full fence and a plain store, as C
// servers' spin locks are; one round again and again), take the word for other work
// between those rounds, store the flag, read the word relaxed and then make an acquire fence,
// and order each other otherwise; the tracer's rule, written out plainly here, folds them;
// both traces must have the same racing variables.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

#include "fold_check.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;
using trace::MemoryOrder;

struct Ev {
  uint32_t tid;
  EventKind kind;
  uint64_t obj;
  uint8_t flags;
  uint64_t site;
  uint32_t rounds = 0;  // a kept release store: the rounds counted on it
  bool Same(const Ev& o) const {
    return kind == o.kind && obj == o.obj && flags == o.flags && site == o.site;
  }
  bool Atomic() const {
    return kind == EventKind::kAtomicLoad || kind == EventKind::kAtomicRmw ||
           kind == EventKind::kAtomicStore;
  }
  bool Writes() const { return kind == EventKind::kAtomicRmw || kind == EventKind::kAtomicStore; }
};

constexpr uint64_t kWord = 0x200, kFlag = 0x300, kVar = 0x1000;
constexpr auto kRelaxed = static_cast<uint8_t>(MemoryOrder::kRelaxed);
constexpr auto kAcquire = static_cast<uint8_t>(MemoryOrder::kAcquire);
constexpr auto kRelease = static_cast<uint8_t>(MemoryOrder::kRelease);
constexpr auto kSeqCst = static_cast<uint8_t>(MemoryOrder::kSeqCst);

// Threads 2..4 started by T1; each polls with a round of its own (an optional access before
// the word; a read-modify-write of one of two words, one or two accesses, an optional load
// of the flag, the release store), which it sometimes changes; between rounds, critical
// sections of other work, stores of the flag, relaxed reads of a word followed by an acquire
// fence, plain accesses, and annotation edges.
std::vector<Ev> RandomPolls(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const int threads = 2 + pick(3);
  uint64_t site = 0x10000;
  std::vector<Ev> ev;
  for (int t = 2; t <= threads; ++t) {
    ev.push_back({1, EventKind::kThreadCreate, static_cast<uint64_t>(t), 0, 0});
    ev.push_back({static_cast<uint32_t>(t), EventKind::kThreadStart, 1, 0, 0});
  }
  auto access = [&](uint32_t t, uint64_t s) {
    ev.push_back({t, pick(3) ? EventKind::kRead : EventKind::kWrite, kVar + pick(3), 0, s});
  };
  std::map<uint32_t, std::vector<Ev>> round;  // per thread: its poll round, release store last
  auto new_round = [&](uint32_t t) {
    std::vector<Ev>& r = round[t];
    r.clear();
    const uint64_t word = kWord + 8 * pick(2);
    // 1: seq_cst; 2: relaxed, with an acquire and a release fence; 3: a seq_cst RMW, given
    // back by a seq_cst fence and a plain store (`__sync_synchronize(); lock = 0;`)
    const int style = pick(4);
    const bool seq_cst = style == 1 || style == 3, fences = style == 2, plain = style == 3;
    if (pick(3) == 0) r.push_back({t, EventKind::kRead, kVar + pick(3), 0, site++});
    r.push_back({t, EventKind::kAtomicRmw, word, fences ? kRelaxed : seq_cst ? kSeqCst : kAcquire,
                 site++});
    if (fences) r.push_back({t, EventKind::kFence, 0, kAcquire, site++});
    for (int i = 1 + pick(2); i > 0; --i) {
      r.push_back({t, pick(2) ? EventKind::kRead : EventKind::kWrite, kVar + pick(3), 0, site++});
    }
    if (pick(2)) r.push_back({t, EventKind::kAtomicLoad, kFlag, pick(2) ? kAcquire : kRelaxed,
                              site++});
    if (fences) r.push_back({t, EventKind::kFence, 0, kRelease, site++});
    if (plain) {
      r.push_back({t, EventKind::kFence, 0, kSeqCst, site++});
      r.push_back({t, EventKind::kWrite, word, 0, site++});
      return;
    }
    r.push_back({t, EventKind::kAtomicStore, word, fences ? kRelaxed : seq_cst ? kSeqCst : kRelease,
                 site++});
  };
  for (int step = 30 + pick(60); step > 0; --step) {
    const auto t = static_cast<uint32_t>(1 + pick(threads));
    const int op = pick(12);
    if (op < 6) {
      if (round[t].empty() || pick(6) == 0) new_round(t);
      for (int n = 1 + pick(5); n > 0; --n) ev.insert(ev.end(), round[t].begin(), round[t].end());
    } else if (op < 8) {
      const uint64_t word = kWord + 8 * pick(2);
      ev.push_back({t, EventKind::kAtomicRmw, word, kAcquire, site++});
      access(t, site++);
      ev.push_back({t, EventKind::kAtomicStore, word, kRelease, site++});
    } else if (op == 8) {
      ev.push_back({t, EventKind::kAtomicStore, kFlag, pick(2) ? kRelease : kRelaxed, site++});
    } else if (op == 9) {
      ev.push_back({t, EventKind::kAtomicLoad, kWord + 8 * pick(2), kRelaxed, site++});
      ev.push_back({t, EventKind::kFence, 0, kAcquire, site++});
      access(t, site++);
    } else if (op == 10) {
      access(t, site++);
    } else {
      ev.push_back({t, pick(2) ? EventKind::kHappensBefore : EventKind::kHappensAfter, 0x400, 0,
                    site++});
    }
  }
  return ev;
}

size_t plain_folds = 0;  // rounds ended by a plain store that the rule left out

// The tracer's rule (store_rounds.cc): at a release store of a word (or a relaxed or plain one
// right after a release fence), when the thread's records since its previous such store of that
// word (one of its last eight) and the two rounds before (K, then L) are the same records (plain
// accesses, atomics and fences), and every atomic of L and of the new round found its location as
// the thread's previous atomic there left it (no other thread's write since), L is left out and the
// new round stands in its place; K's store counts it (a plain one: the fence before it). `as_left`
// false: the second condition is not checked. `drop_new`: the new round is left out instead, L
// keeping its place.
std::vector<Ev> Fold(const std::vector<Ev>& ev, bool as_left, bool drop_new, size_t* folded) {
  struct Thread {
    std::vector<size_t> buf;  // indices in `out` of its records kept so far
    std::vector<std::pair<size_t, uint64_t>> rel;  // its last eight release stores: end, word
    size_t not_as_left = 0;
    std::map<uint64_t, uint64_t> seen;  // location -> its writes when the thread left it
  };
  std::map<uint32_t, Thread> th;
  std::map<uint64_t, uint64_t> writes;  // location -> atomic writes so far
  FoldedTrace<Ev> trace;
  std::vector<Ev>& out = trace.out;
  auto keep = [&](Thread& t, const Ev& e) { trace.Keep(t.buf, e); };
  auto same = [&](const Thread& t, size_t a, size_t b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (!out[t.buf[a + i]].Same(out[t.buf[b + i]])) return false;
    }
    return true;
  };
  for (const Ev& e : ev) {
    Thread& t = th[e.tid];
    bool left = true;
    if (e.Atomic()) {
      auto it = t.seen.find(e.obj);
      left = !as_left || (it != t.seen.end() && it->second == writes[e.obj]);
      writes[e.obj] += e.Writes();
      t.seen[e.obj] = writes[e.obj];
    }
    // A release store, or a relaxed one right after a release fence of the thread.
    const bool after_fence = !t.buf.empty() && out[t.buf.back()].kind == EventKind::kFence &&
                             out[t.buf.back()].flags != kAcquire;
    const bool release_store =
        (e.kind == EventKind::kAtomicStore && (e.flags != kRelaxed || after_fence)) ||
        (e.kind == EventKind::kWrite && after_fence);
    if (release_store && left) {
      std::vector<size_t> ends;  // the latest three of this word, newest first
      for (auto r = t.rel.rbegin(); r != t.rel.rend() && ends.size() < 3; ++r) {
        if (r->second == e.obj) ends.push_back(r->first);
      }
      const size_t n = t.buf.size() + 1;  // the new round, with this store
      if (ends.size() == 3 && t.not_as_left <= ends[1] && ends[0] - ends[1] == n - ends[0] &&
          ends[1] - ends[2] == n - ends[0] && out[t.buf[ends[0] - 1]].Same(e) &&
          same(t, ends[2], ends[1], ends[1] - ends[2]) &&
          same(t, ends[1], ends[0], n - ends[0] - 1)) {
        bool kinds = true;
        for (size_t i = ends[1]; i < t.buf.size(); ++i) {
          const Ev& x = out[t.buf[i]];
          kinds = kinds && (x.Atomic() || x.kind == EventKind::kRead ||
                            x.kind == EventKind::kWrite || x.kind == EventKind::kFence);
        }
        if (kinds) {
          ++out[t.buf[ends[1] - (e.kind == EventKind::kWrite ? 2 : 1)]].rounds;
          ++*folded;
          plain_folds += as_left && !drop_new && e.kind == EventKind::kWrite;
          if (drop_new) {
            trace.Drop(t.buf, ends[0], t.buf.size());
            t.buf.resize(ends[0]);
          } else {
            keep(t, e);
            trace.Drop(t.buf, ends[1], ends[0]);
            t.buf.erase(t.buf.begin() + static_cast<long>(ends[1]),
                        t.buf.begin() + static_cast<long>(ends[0]));
          }
          while (!t.rel.empty() && t.rel.back().first > ends[1]) t.rel.pop_back();
          t.rel.emplace_back(ends[0], e.obj);
          continue;
        }
      }
    }
    keep(t, e);
    if (!left) t.not_as_left = t.buf.size();
    if (release_store) {
      t.rel.emplace_back(t.buf.size(), e.obj);
      if (t.rel.size() > 8) t.rel.erase(t.rel.begin());
    }
  }
  return trace.Kept();
}

std::vector<std::string> Races(const std::vector<Ev>& ev) {
  VectorSource s;
  for (uint64_t v = 0; v < 3; ++v) {
    s.Add(1, EventKind::kNameVariable, kVar + v, 0, 1, 0, s.Str("v" + std::to_string(v)));
  }
  return RoundRaces(s, ev, [](VectorSource& to, const Ev& e) {
    to.Add(e.tid, e.kind, e.obj, e.flags, e.Atomic() ? 1 : 0, e.site, e.rounds);
  });
}

TEST(StoreRoundsRandomized, FoldedSpinLockPollsRaceAsTheWholeTrace) {
  FoldCounts n;
  ASSERT_TRUE(CheckFolds(20261208, RandomPolls, Races,
                         [](const std::vector<Ev>& ev, int rule, size_t* folded) {
                           return Fold(ev, rule != 1, rule == 2, folded);
                         },
                         n));
  EXPECT_GT(n.folded, 1000u);  // the rule is exercised
  EXPECT_GT(plain_folds, 1000u);  // on plain stores too
  std::printf("%zu rounds folded, %zu ended by a plain store; weaker rules: %zu and %zu traces\n",
              n.folded, plain_folds, n.first_differ, n.second_differ);
  // Folding rounds after another thread wrote what they read loses or invents races, and so
  // does leaving the new round out in place of the one before: both matter.
  EXPECT_GT(n.first_differ, 0u);
  EXPECT_GT(n.second_differ, 0u);
}

}  // namespace
}  // namespace threadlens::testing
