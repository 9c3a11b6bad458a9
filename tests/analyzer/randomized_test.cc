// Randomized differential tests against naive references: happens-before by transitive
// closure (which variables race) and cycle enumeration by brute force (which cycles exist,
// which lock-order cycles qualify).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "lock_order.h"
#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;
using trace::MemoryOrder;

// ---------- races ----------

struct RefEvent {
  uint32_t tid;
  EventKind kind;
  uint64_t obj;
  uint8_t flags;
};

// A random well-formed trace: threads forked from T1 and maybe joined, locks (some rwlocks)
// taken and released properly, atomics with random orders, semaphores, annotations, and
// plain reads and writes of a few variables.
// `max_threads`: up to that many threads (at least 2), each started once.
std::vector<RefEvent> RandomTrace(std::mt19937& rng, int max_threads = 4) {
  std::vector<RefEvent> ev;
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const int threads = 2 + pick(max_threads - 1), locks = 1 + pick(3), vars = 1 + pick(3),
            steps = 10 + pick(10 * max_threads);
  std::vector<int> state(threads + 1, 0);  // 0 not started, 1 running, 2 joined
  state[1] = 1;
  ev.push_back({1, EventKind::kThreadStart, 0, 0});
  std::map<int, uint32_t> owner;             // lock -> exclusive owner
  std::map<int, std::multiset<uint32_t>> readers;
  std::map<uint32_t, std::vector<std::pair<int, bool>>> held;  // tid -> (lock, shared)
  for (int step = 0; step < steps; ++step) {
    uint32_t t = 1 + pick(threads);
    if (state[t] != 1) continue;
    int op = pick(12);
    if (op == 0) {  // fork
      for (uint32_t c = 2; c <= static_cast<uint32_t>(threads); ++c) {
        if (state[c] == 0) {
          ev.push_back({t, EventKind::kThreadCreate, c, 0});
          ev.push_back({c, EventKind::kThreadStart, t, 0});
          state[c] = 1;
          break;
        }
      }
    } else if (op == 1) {  // join a running thread that holds nothing
      uint32_t c = 1 + pick(threads);
      if (c != t && c != 1 && state[c] == 1 && held[c].empty()) {
        ev.push_back({c, EventKind::kThreadExit, 0, 0});
        ev.push_back({t, EventKind::kThreadJoin, c, 0});
        state[c] = 2;
        // With more threads, half the ends are detached threads that exit: no edge at all,
        // though what the thread published (a lock, a semaphore) may order it before others.
        if (max_threads > 4 && pick(2)) {
          ev.pop_back();
          ev.pop_back();
          ev.push_back({t, EventKind::kThreadDetach, c, 0});
          ev.push_back({c, EventKind::kThreadExit, 0, 0});
        }
      }
    } else if (op <= 3) {  // acquire
      int l = pick(locks);
      bool shared = l == 0 && pick(2);  // lock 0 is an rwlock
      bool mine = false;
      for (auto& h : held[t]) mine |= h.first == l;
      if (mine) continue;
      bool free = !owner.count(l) && (shared || readers[l].empty());
      if (!free) continue;
      if (shared) readers[l].insert(t);
      else owner[l] = t;
      held[t].push_back({l, shared});
      ev.push_back({t, EventKind::kLockAcquired, 0x100u + l, static_cast<uint8_t>(shared ? trace::kShared : 0)});
    } else if (op <= 5) {  // release the innermost
      if (held[t].empty()) continue;
      auto [l, shared] = held[t].back();
      held[t].pop_back();
      if (shared) readers[l].erase(readers[l].find(t));
      else owner.erase(l);
      ev.push_back({t, EventKind::kLockRelease, 0x100u + l, static_cast<uint8_t>(shared ? trace::kShared : 0)});
    } else if (op == 6) {  // atomic
      static const EventKind kinds[] = {EventKind::kAtomicLoad, EventKind::kAtomicStore,
                                        EventKind::kAtomicRmw};
      ev.push_back({t, kinds[pick(3)], 0x200u + pick(2), static_cast<uint8_t>(pick(6))});
    } else if (op == 7) {  // semaphore or annotation
      static const EventKind kinds[] = {EventKind::kSemPost, EventKind::kSemWaitEnd,
                                        EventKind::kHappensBefore, EventKind::kHappensAfter};
      ev.push_back({t, kinds[pick(4)], 0x300, 0});
    } else {
      ev.push_back({t, pick(2) ? EventKind::kWrite : EventKind::kRead, 0x1000u + pick(vars), 0});
    }
  }
  return ev;
}

bool IsAcq(uint8_t mo) { return mo == 1 || mo == 2 || mo == 4 || mo == 5; }
bool IsRel(uint8_t mo) { return mo == 3 || mo == 4 || mo == 5; }

// Which variables race, by the definition: two accesses of different threads, one a write,
// with no path of program-order and synchronization edges between them.
std::vector<std::string> ReferenceRaces(const std::vector<RefEvent>& ev) {
  const size_t n = ev.size();
  std::vector<std::vector<bool>> hb(n, std::vector<bool>(n, false));
  auto releases = [](const RefEvent& e) {
    switch (e.kind) {
      case EventKind::kLockRelease: case EventKind::kSemPost: case EventKind::kHappensBefore:
        return true;
      case EventKind::kAtomicStore: case EventKind::kAtomicRmw: return IsRel(e.flags);
      default: return false;
    }
  };
  auto acquires = [](const RefEvent& e) {
    switch (e.kind) {
      case EventKind::kLockAcquired: case EventKind::kSemWaitEnd: case EventKind::kHappensAfter:
        return true;
      case EventKind::kAtomicLoad: case EventKind::kAtomicRmw: return IsAcq(e.flags);
      default: return false;
    }
  };
  auto family = [](EventKind k) {
    switch (k) {
      case EventKind::kLockRelease: case EventKind::kLockAcquired: return 1;
      case EventKind::kSemPost: case EventKind::kSemWaitEnd: return 2;
      case EventKind::kHappensBefore: case EventKind::kHappensAfter: return 3;
      default: return 4;  // atomics
    }
  };
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const RefEvent &a = ev[i], &b = ev[j];
      bool edge = a.tid == b.tid;
      if (releases(a) && acquires(b) && a.obj == b.obj && family(a.kind) == family(b.kind)) {
        // Readers of an rwlock do not order each other.
        bool both_shared = a.kind == EventKind::kLockRelease && (a.flags & trace::kShared) &&
                           (b.flags & trace::kShared);
        edge |= !both_shared;
      }
      if (a.kind == EventKind::kThreadCreate && b.kind == EventKind::kThreadStart &&
          b.tid == a.obj) {
        edge = true;
      }
      if (a.kind == EventKind::kThreadExit && b.kind == EventKind::kThreadJoin &&
          b.obj == a.tid) {
        edge = true;
      }
      hb[i][j] = edge;
    }
  }
  // Transitive closure (events are in a valid order, so edges only go forward).
  for (size_t k = 0; k < n; ++k) {
    for (size_t i = 0; i < k; ++i) {
      if (!hb[i][k]) continue;
      for (size_t j = k + 1; j < n; ++j) {
        if (hb[k][j]) hb[i][j] = true;
      }
    }
  }
  std::set<std::string> racy;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const RefEvent &a = ev[i], &b = ev[j];
      bool access = (a.kind == EventKind::kRead || a.kind == EventKind::kWrite) &&
                    (b.kind == EventKind::kRead || b.kind == EventKind::kWrite);
      if (!access || a.obj != b.obj || a.tid == b.tid) continue;
      if (a.kind == EventKind::kRead && b.kind == EventKind::kRead) continue;
      if (!hb[i][j]) racy.insert("v" + std::to_string(a.obj - 0x1000));
    }
  }
  return {racy.begin(), racy.end()};
}

void AgreesWithReference(uint32_t seed, int max_threads) {
  std::mt19937 rng(seed);
  int with_races = 0, without = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<RefEvent> ev = RandomTrace(rng, max_threads);
    VectorSource s;
    for (uint64_t v = 0; v < 3; ++v) {
      s.Add(1, EventKind::kNameVariable, 0x1000 + v, 0, 1, 0, s.Str("v" + std::to_string(v)));
    }
    s.Add(1, EventKind::kLockCreate, 0x100, 0, static_cast<uint16_t>(trace::LockType::kRwLock));
    int site = 0;
    for (const RefEvent& e : ev) {
      // Unique sites: one report per racing pair never hides another variable.
      s.Add(e.tid, e.kind, e.obj, e.flags, 1, 0x10000 + site++);
    }
    AnalyzeOptions o = TestOptions();
    o.max_races = 100000;
    std::vector<std::string> got = RacingVariables(Analyze(s, o));
    std::vector<std::string> want = ReferenceRaces(ev);
    ASSERT_EQ(got, want) << "iteration " << iter;
    (want.empty() ? without : with_races)++;
  }
  // The generator must exercise both outcomes.
  EXPECT_GT(with_races, 300);
  EXPECT_GT(without, 300);
}

TEST(RaceDetectorRandomized, AgreesWithTransitiveClosureReference) {
  AgreesWithReference(20240611, 4);
}

// Longer traces of more threads: many start after others were joined and take their clock
// slots (hb_engine.h).
TEST(RaceDetectorRandomized, AgreesWithTheReferenceWhenThreadsTakeEndedThreadsSlots) {
  AgreesWithReference(20261204, 8);
}

// ---------- cycles ----------

// All elementary cycles by brute force: every sequence of distinct nodes starting at its
// smallest node, closed by an edge.
std::set<std::vector<uint32_t>> BruteForceCycles(const std::vector<std::vector<uint32_t>>& adj,
                                                 size_t max_len) {
  std::set<std::vector<uint32_t>> out;
  const uint32_t n = static_cast<uint32_t>(adj.size());
  auto has = [&](uint32_t a, uint32_t b) {
    return std::find(adj[a].begin(), adj[a].end(), b) != adj[a].end();
  };
  std::vector<uint32_t> nodes(n);
  for (uint32_t i = 0; i < n; ++i) nodes[i] = i;
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::vector<uint32_t> sub;
    for (uint32_t i = 0; i < n; ++i) {
      if (mask & (1u << i)) sub.push_back(i);
    }
    if (sub.size() > max_len) continue;
    std::sort(sub.begin() + 1, sub.end());
    do {
      bool ok = true;
      for (size_t i = 0; i < sub.size() && ok; ++i) ok = has(sub[i], sub[(i + 1) % sub.size()]);
      if (ok) out.insert(sub);
    } while (std::next_permutation(sub.begin() + 1, sub.end()));
  }
  return out;
}

TEST(LockOrderRandomized, ElementaryCyclesMatchBruteForce) {
  std::mt19937 rng(7);
  size_t total = 0;
  for (int iter = 0; iter < 400; ++iter) {
    uint32_t n = 2 + rng() % 6;
    std::vector<std::vector<uint32_t>> adj(n);
    int density = 20 + rng() % 60;
    for (uint32_t a = 0; a < n; ++a) {
      for (uint32_t b = 0; b < n; ++b) {
        if (a != b && static_cast<int>(rng() % 100) < density) adj[a].push_back(b);
      }
    }
    size_t max_len = 2 + rng() % 6;
    bool cut = false;
    auto got = analysis::ElementaryCycles(adj, max_len, 1u << 20, &cut);
    EXPECT_FALSE(cut);
    std::set<std::vector<uint32_t>> got_set(got.begin(), got.end());
    EXPECT_EQ(got_set.size(), got.size()) << "a cycle was listed twice";
    ASSERT_EQ(got_set, BruteForceCycles(adj, max_len)) << "iteration " << iter;
    total += got.size();
  }
  EXPECT_GT(total, 200u);
}

// Random nested lock acquisitions by a few threads; the reference checks every cycle of the
// lock graph by brute force over every choice of acquisition per edge.
TEST(LockOrderRandomized, QualifyingCyclesMatchBruteForce) {
  std::mt19937 rng(99);
  int found = 0, none = 0;
  for (int iter = 0; iter < 500; ++iter) {
    const int threads = 2 + rng() % 3, locks = 2 + rng() % 3;
    std::string text;
    for (int t = 2; t < 2 + threads; ++t) text += "T1|fork(T" + std::to_string(t) + ")|1\n";
    struct Acq {
      int tid, from, to;
      std::vector<int> held;
    };
    std::vector<Acq> acqs;
    int site = 100;
    for (int t = 2; t < 2 + threads; ++t) {
      int blocks = 1 + rng() % 3;
      for (int b = 0; b < blocks; ++b) {
        std::vector<int> order;
        for (int l = 0; l < locks; ++l) {
          if (rng() % 2) order.push_back(l);
        }
        std::shuffle(order.begin(), order.end(), rng);
        std::string tn = "T" + std::to_string(t);
        for (size_t i = 0; i < order.size(); ++i) {
          std::vector<int> held(order.begin(), order.begin() + i);
          for (int h : held) acqs.push_back({t, h, order[i], held});
          text += tn + "|acq(L" + std::to_string(order[i]) + ")|" + std::to_string(site++) + "\n";
        }
        for (auto it = order.rbegin(); it != order.rend(); ++it) {
          text += tn + "|rel(L" + std::to_string(*it) + ")|" + std::to_string(site++) + "\n";
        }
      }
    }
    // Reference: lock graph cycles whose edges can be taken by distinct threads with
    // pairwise disjoint held sets.
    std::vector<std::vector<uint32_t>> adj(locks);
    for (const Acq& a : acqs) {
      if (std::find(adj[a.from].begin(), adj[a.from].end(), a.to) == adj[a.from].end()) {
        adj[a.from].push_back(a.to);
      }
    }
    std::set<std::set<std::string>> want;
    for (const auto& cyc : BruteForceCycles(adj, 8)) {
      std::vector<std::vector<const Acq*>> choices;
      for (size_t i = 0; i < cyc.size(); ++i) {
        std::vector<const Acq*> c;
        for (const Acq& a : acqs) {
          if (a.from == static_cast<int>(cyc[i]) &&
              a.to == static_cast<int>(cyc[(i + 1) % cyc.size()])) {
            c.push_back(&a);
          }
        }
        choices.push_back(c);
      }
      bool ok = false;
      std::vector<size_t> idx(cyc.size(), 0);
      while (!ok) {
        bool valid = true;
        for (size_t i = 0; i < idx.size() && valid; ++i) {
          for (size_t j = i + 1; j < idx.size() && valid; ++j) {
            const Acq &a = *choices[i][idx[i]], &b = *choices[j][idx[j]];
            if (a.tid == b.tid) valid = false;
            for (int h : a.held) {
              if (std::find(b.held.begin(), b.held.end(), h) != b.held.end()) valid = false;
            }
          }
        }
        ok = valid;
        size_t k = 0;
        while (k < idx.size() && ++idx[k] == choices[k].size()) idx[k++] = 0;
        if (k == idx.size()) break;
      }
      if (ok) {
        std::set<std::string> names;
        for (uint32_t l : cyc) names.insert("L" + std::to_string(l));
        // Key: the lock sequence, which also tells the direction.
        std::string seq;
        for (uint32_t l : cyc) seq += "L" + std::to_string(l) + ">";
        want.insert({seq});
      }
    }
    Report r = AnalyzeStd(text);
    std::set<std::set<std::string>> got;
    for (const Finding* f : OfKind(r, "lock-order")) {
      if (f->subkind == "one-thread") continue;  // the reference wants distinct threads
      // Rotate the cycle to start at its smallest lock, as the reference lists it.
      std::vector<std::string> seq;
      for (const CycleEdge& e : f->cycle) seq.push_back(e.from);
      auto smallest = std::min_element(seq.begin(), seq.end(), [](const auto& a, const auto& b) {
        return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
      });
      std::rotate(seq.begin(), smallest, seq.end());
      std::string key;
      for (const auto& s : seq) key += s + ">";
      got.insert({key});
    }
    ASSERT_EQ(got, want) << "iteration " << iter << "\n" << text;
    (want.empty() ? none : found)++;
  }
  EXPECT_GT(found, 50);
  EXPECT_GT(none, 50);
}

}  // namespace
}  // namespace threadlens::testing
