// Polls through locks counted on one round (docs/trace-format.md, "Repeats (polls through a
// lock)"): a randomized check that leaving out the rounds the tracer leaves out changes no
// race. Random traces of threads that poll through one lock or two (nested or in turn; one
// round again and again), take them for other work between those rounds, and order each other
// otherwise; the tracer's rule, written out plainly here, folds them; both traces must have
// the same racing variables.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "fold_check.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

struct Ev {
  uint32_t tid;
  EventKind kind;
  uint64_t obj;
  uint8_t flags;
  uint64_t site;
  uint32_t rounds = 0;  // a kept acquisition: the rounds counted on it
  bool Same(const Ev& o) const {
    return kind == o.kind && obj == o.obj && flags == o.flags && site == o.site;
  }
};

constexpr uint64_t kRwLock = 0x100, kCond = 0x500, kVar = 0x1000;

// Threads 2..4 started by T1; each polls with a round of its own (an optional access before
// the locks; one lock, or two nested, or two in turn, or one with a timed condition wait that
// times out inside it; one or two accesses under each), which
// it sometimes changes; between rounds, critical sections of other work, plain accesses, and
// annotation edges. A round is written whole, so no lock is ever held between two steps.
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
  std::map<uint32_t, std::vector<Ev>> round;  // per thread: its poll round, release last
  auto new_round = [&](uint32_t t) {
    std::vector<Ev>& r = round[t];
    r.clear();
    const uint64_t lock = kRwLock + pick(2), other = lock == kRwLock ? kRwLock + 1 : kRwLock;
    const uint8_t flags = lock == kRwLock && pick(2) ? trace::kShared : 0;
    const uint8_t other_flags = other == kRwLock && pick(2) ? trace::kShared : 0;
    auto accesses = [&] {
      for (int i = 1 + pick(2); i > 0; --i) {
        r.push_back({t, pick(2) ? EventKind::kRead : EventKind::kWrite, kVar + pick(3), 0, site++});
      }
    };
    const int shape = pick(4);  // one lock, two nested, two in turn, a timed condition wait
    if (pick(3) == 0) r.push_back({t, EventKind::kRead, kVar + pick(3), 0, site++});
    if (shape == 3) {  // a wait whose deadline is past, inside the mutex
      const uint64_t mu = kRwLock + 1, at = site++;  // (the wait's records share its site)
      r.push_back({t, EventKind::kLockAcquired, mu, 0, site++});
      accesses();
      r.push_back({t, EventKind::kCondWaitBegin, kCond, trace::kTimed, at});
      r.push_back({t, EventKind::kLockRelease, mu, trace::kViaCondWait, at});
      r.push_back({t, EventKind::kLockAcquired, mu, trace::kViaCondWait, at});
      r.push_back({t, EventKind::kCondWaitEnd, kCond, trace::kTimed | trace::kTimedOut, at});
      accesses();
      r.push_back({t, EventKind::kLockRelease, mu, 0, site++});
      return;
    }
    r.push_back({t, EventKind::kLockAcquired, lock, flags, site++});
    accesses();
    if (shape == 2) r.push_back({t, EventKind::kLockRelease, lock, flags, site++});
    if (shape != 0) {
      r.push_back({t, EventKind::kLockAcquired, other, other_flags, site++});
      accesses();
      r.push_back({t, EventKind::kLockRelease, other, other_flags, site++});
    }
    if (shape != 2) r.push_back({t, EventKind::kLockRelease, lock, flags, site++});
  };
  for (int step = 30 + pick(60); step > 0; --step) {
    const auto t = static_cast<uint32_t>(1 + pick(threads));
    const int op = pick(10);
    if (op < 6) {
      if (round[t].empty() || pick(6) == 0) new_round(t);
      for (int n = 1 + pick(4); n > 0; --n) ev.insert(ev.end(), round[t].begin(), round[t].end());
    } else if (op < 8) {
      const uint64_t lock = kRwLock + pick(2);
      const uint8_t flags = lock == kRwLock && pick(2) ? trace::kShared : 0;
      ev.push_back({t, EventKind::kLockAcquired, lock, flags, site++});
      access(t, site++);
      ev.push_back({t, EventKind::kLockRelease, lock, flags, site++});
    } else if (op == 8) {
      access(t, site++);
    } else {
      ev.push_back({t, pick(2) ? EventKind::kHappensBefore : EventKind::kHappensAfter, 0x300, 0,
                    site++});
    }
  }
  return ev;
}

// The tracer's rule (lock_rounds.cc): at a release of a lock, when the thread's records since
// its previous release of that lock from the same call site (one of its last eight releases;
// after what the thread's latest fold kept) repeat those between its two releases of it before,
// L (plain accesses, condition waits that timed out, and acquisitions and releases that pair up
// within the round but for the one this release ends), and every lock L and the new round take
// was found as the thread's previous acquisition of it left it (nobody took it since; held
// shared: nobody took it exclusively), the new round is left out and each of L's acquisitions
// counts it. `stamps` false: the second condition is not checked. `new_only`: it is checked for
// the new round only.
std::vector<Ev> Fold(const std::vector<Ev>& ev, bool stamps, bool new_only, size_t* folded) {
  struct Thread {
    std::vector<size_t> buf;  // indices in `out` of its records kept so far
    std::vector<std::pair<size_t, uint64_t>> rel;  // its last eight releases: end in buf, lock
    size_t floor = 0, not_as_left = 0;
    std::map<uint64_t, std::pair<uint64_t, uint64_t>> seen;  // lock -> (stamp, exclusive seen)
  };
  std::map<uint32_t, Thread> th;
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> slot;  // lock -> (any, exclusive)
  FoldedTrace<Ev> trace;
  std::vector<Ev>& out = trace.out;
  uint64_t serial = 0;
  auto keep = [&](Thread& t, const Ev& e) { trace.Keep(t.buf, e); };
  for (const Ev& e : ev) {
    Thread& t = th[e.tid];
    if (e.kind == EventKind::kLockAcquired) {
      auto& [any, excl] = slot[e.obj];
      const bool shared = e.flags & trace::kShared;
      auto it = t.seen.find(e.obj);
      const bool as_left = !stamps || (it != t.seen.end() && (shared ? excl == it->second.second
                                                                      : any == it->second.first));
      any = ++serial;
      if (!shared) excl = serial;
      t.seen[e.obj] = {serial, excl};
      keep(t, e);
      if (!as_left) t.not_as_left = t.buf.size();
      continue;
    }
    if (e.kind != EventKind::kLockRelease) {
      keep(t, e);
      continue;
    }
    size_t start = 0, before = 0;  // where the new round and L start
    for (auto r = t.rel.rbegin(); r != t.rel.rend() && before == 0; ++r) {
      if (r->second == e.obj && out[t.buf[r->first - 1]].Same(e)) {
        (start == 0 ? start : before) = r->first;
      }
    }
    bool same = before != 0 && start >= t.floor &&
                t.not_as_left <= (new_only ? start : before) && out[t.buf[start - 1]].Same(e) &&
                start - before == t.buf.size() - start + 1;
    std::vector<size_t> acquired;  // L's
    std::vector<uint64_t> open;
    for (size_t i = 0; same && i + start < t.buf.size(); ++i) {
      const Ev &x = out[t.buf[before + i]], &y = out[t.buf[start + i]];
      same = x.Same(y);
      if (y.kind == EventKind::kLockAcquired) {
        acquired.push_back(t.buf[before + i]);
        open.push_back(y.obj);
      } else if (y.kind == EventKind::kLockRelease) {
        auto o = std::find(open.rbegin(), open.rend(), y.obj);
        same = same && o != open.rend();
        if (same) open.erase(std::next(o).base());
      } else {
        same = same && (y.kind == EventKind::kRead || y.kind == EventKind::kWrite ||
                        y.kind == EventKind::kCondWaitBegin ||
                        (y.kind == EventKind::kCondWaitEnd && (y.flags & trace::kTimedOut)));
      }
    }
    if (same && open.size() == 1 && open[0] == e.obj) {
      for (size_t a : acquired) ++out[a].rounds;
      trace.Drop(t.buf, start, t.buf.size());
      t.buf.resize(start);
      t.floor = start;
      while (!t.rel.empty() && t.rel.back().first > start) t.rel.pop_back();
      ++*folded;
      continue;
    }
    keep(t, e);
    t.rel.emplace_back(t.buf.size(), e.obj);
    if (t.rel.size() > 8) t.rel.erase(t.rel.begin());
  }
  return trace.Kept();
}

std::vector<std::string> Races(const std::vector<Ev>& ev) {
  VectorSource s;
  for (uint64_t v = 0; v < 3; ++v) {
    s.Add(1, EventKind::kNameVariable, kVar + v, 0, 1, 0, s.Str("v" + std::to_string(v)));
  }
  s.Add(1, EventKind::kLockCreate, kRwLock, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  return RoundRaces(s, ev, [](VectorSource& to, const Ev& e) {
    to.Add(e.tid, e.kind, e.obj, e.flags, e.kind == EventKind::kLockAcquired ? 1 : 0, e.site,
           e.rounds);
  });
}

TEST(LockRoundsRandomized, FoldedPollsRaceAsTheWholeTrace) {
  FoldCounts n;
  ASSERT_TRUE(CheckFolds(20261207, RandomPolls, Races,
                         [](const std::vector<Ev>& ev, int rule, size_t* folded) {
                           return Fold(ev, rule != 1, rule == 2, folded);
                         },
                         n));
  EXPECT_GT(n.folded, 1000u);  // the rule is exercised
  // Folding rounds after another thread took the lock loses races: the check matters. So does
  // checking L's acquisitions too: with the new round's alone, polls through two locks in
  // turn lose races.
  EXPECT_GT(n.first_differ, 0u);
  EXPECT_GT(n.second_differ, 0u);
}

}  // namespace
}  // namespace threadlens::testing
