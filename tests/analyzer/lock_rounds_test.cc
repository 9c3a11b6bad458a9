// Polls through a lock counted on one round (docs/trace-format.md, "Repeats (polls through a
// lock)"): a randomized check that leaving out the rounds the tracer leaves out changes no
// race. Random traces of threads that poll through locks (one round again and again), take
// them for other work between those rounds, and order each other otherwise; the tracer's rule,
// written out plainly here, folds them; both traces must have the same racing variables.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "test_util.h"

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

constexpr uint64_t kRwLock = 0x100, kVar = 0x1000;

// Threads 2..4 started by T1; each polls with a round of its own (an optional access before
// the lock, the lock, one or two accesses), which it sometimes changes; between rounds,
// critical sections of other work, plain accesses, and annotation edges. A round is written
// whole, so no lock is ever held between two steps.
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
    const uint64_t lock = kRwLock + pick(2);
    const uint8_t flags = lock == kRwLock && pick(2) ? trace::kShared : 0;
    if (pick(3) == 0) r.push_back({t, EventKind::kRead, kVar + pick(3), 0, site++});
    r.push_back({t, EventKind::kLockAcquired, lock, flags, site++});
    for (int i = 1 + pick(2); i > 0; --i) {
      r.push_back({t, pick(2) ? EventKind::kRead : EventKind::kWrite, kVar + pick(3), 0, site++});
    }
    r.push_back({t, EventKind::kLockRelease, lock, flags, site++});
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

// The tracer's rule (lock_rounds.cc): at a release, the thread's records since its previous
// release repeat those between its two releases before (plain accesses and one acquisition of
// the lock, released alike), and nobody took the lock since the thread's previous
// acquisition (held shared: nobody took it exclusively). Then the round is left out and
// counted on the earlier acquisition. `stamps` false: the second condition is not checked.
std::vector<Ev> Fold(const std::vector<Ev>& ev, bool stamps, size_t* folded) {
  struct Thread {
    std::vector<size_t> since;  // indices in `out` since the last release kept
    std::vector<size_t> before;  // those of the round before that release
    size_t release = SIZE_MAX;
    uint64_t acq_lock = 0, acq_stamp = 0, excl_seen = 0;
    bool round_ok = false;
  };
  std::map<uint32_t, Thread> th;
  std::map<uint64_t, std::pair<uint64_t, uint64_t>> slot;  // lock -> (any, exclusive)
  std::vector<Ev> out;
  std::vector<bool> gone;
  uint64_t serial = 0;
  for (const Ev& e : ev) {
    Thread& t = th[e.tid];
    if (e.kind == EventKind::kLockAcquired) {
      auto& [any, excl] = slot[e.obj];
      const bool shared = e.flags & trace::kShared;
      t.round_ok = !stamps || (t.acq_lock == e.obj &&
                               (shared ? excl == t.excl_seen : any == t.acq_stamp));
      any = t.acq_stamp = ++serial;
      if (!shared) excl = serial;
      t.acq_lock = e.obj;
      t.excl_seen = excl;
    }
    if (e.kind == EventKind::kLockRelease) {
      auto plain = [&](size_t i) {
        const EventKind k = out[i].kind;
        return k == EventKind::kRead || k == EventKind::kWrite ||
               (k == EventKind::kLockAcquired && out[i].obj == e.obj);
      };
      bool same = t.round_ok && t.release != SIZE_MAX && out[t.release].Same(e) &&
                  !t.before.empty() && t.since.size() == t.before.size();
      size_t acquisitions = 0, acq = 0;
      for (size_t i = 0; same && i < t.since.size(); ++i) {
        const size_t a = t.before[i], b = t.since[i];
        same = out[a].Same(out[b]) && plain(a);
        if (out[a].kind == EventKind::kLockAcquired) ++acquisitions, acq = a;
      }
      t.round_ok = false;
      if (same && acquisitions == 1) {
        ++out[acq].rounds;
        for (size_t i : t.since) gone[i] = true;
        t.since.clear();
        ++*folded;
        continue;
      }
      out.push_back(e);
      gone.push_back(false);
      t.release = out.size() - 1;
      t.before = std::move(t.since);
      t.since.clear();
      continue;
    }
    out.push_back(e);
    gone.push_back(false);
    t.since.push_back(out.size() - 1);
  }
  std::vector<Ev> kept;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!gone[i]) kept.push_back(out[i]);
  }
  return kept;
}

std::vector<std::string> Races(const std::vector<Ev>& ev) {
  VectorSource s;
  for (uint64_t v = 0; v < 3; ++v) {
    s.Add(1, EventKind::kNameVariable, kVar + v, 0, 1, 0, s.Str("v" + std::to_string(v)));
  }
  s.Add(1, EventKind::kLockCreate, kRwLock, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
  for (const Ev& e : ev) {
    s.Add(e.tid, e.kind, e.obj, e.flags, e.kind == EventKind::kLockAcquired ? 1 : 0, e.site,
          e.rounds);
  }
  AnalyzeOptions o = TestOptions();
  o.max_races = 100000;
  return RacingVariables(Analyze(s, o));
}

TEST(LockRoundsRandomized, FoldedPollsRaceAsTheWholeTrace) {
  std::mt19937 rng(20261207);
  size_t folded = 0, unchecked_differ = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    const std::vector<Ev> ev = RandomPolls(rng);
    const std::vector<std::string> whole = Races(ev);
    ASSERT_EQ(Races(Fold(ev, true, &folded)), whole) << "iteration " << iter;
    size_t ignored = 0;
    unchecked_differ += Races(Fold(ev, false, &ignored)) != whole;
  }
  EXPECT_GT(folded, 1000u);  // the rule is exercised
  // Folding rounds after another thread took the lock loses races: the check matters.
  EXPECT_GT(unchecked_differ, 0u);
}

}  // namespace
}  // namespace threadlens::testing
