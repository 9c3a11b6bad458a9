// Condition variables waited on with two mutexes at once (cond_mutex.cc): random waits of
// many threads on a few condition variables against a naive reference that looks at every
// thread still waiting at each wait, as the detector did before it kept one mutex per
// condition variable.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

struct Wait {
  uint32_t tid;
  uint64_t cv, mutex;
  int line;  // its site: w.cc:line
};

// The reports the detector makes: (waiting thread's line, other waiter's line), in order.
std::vector<std::pair<int, int>> Reported(const Report& r) {
  std::vector<std::pair<int, int>> out;
  for (const Finding* f : OfKind(r, "misuse")) {
    if (f->subkind != "cond-mutexes") continue;
    out.emplace_back(f->accesses.at(0).stack.at(0).line, f->accesses.at(1).stack.at(0).line);
  }
  return out;
}

TEST(CondMutexes, ManyWaitersMatchTheNaiveReference) {
  std::mt19937 rng(20261205);
  for (int round = 0; round < 60; ++round) {
    const uint32_t threads = 2 + rng() % 40;
    const int cvs = 1 + static_cast<int>(rng() % 3);
    // Most rounds one mutex per condition variable, with a stray wait now and then.
    const unsigned stray = round % 3 == 0 ? 0 : 1 + rng() % 20;
    VectorSource s;
    std::map<int, uint64_t> sites;  // one site per line, as a program's code has
    auto site_of = [&](int line) {
      auto [it, added] = sites.try_emplace(line, 0);
      if (added) it->second = s.Site("w.cc:" + std::to_string(line));
      return it->second;
    };
    for (uint32_t t = 2; t <= threads + 1; ++t) s.Add(1, EventKind::kThreadCreate, t);
    std::map<uint32_t, Wait> waiting;  // thread -> its wait, in the reference
    std::vector<uint32_t> order;       // threads waiting, in the order their waits began
    std::set<std::pair<uint64_t, uint64_t>> seen;
    std::vector<std::pair<int, int>> expected;
    for (int step = 0; step < 400; ++step) {
      const uint32_t t = 2 + rng() % threads;
      auto it = waiting.find(t);
      if (it != waiting.end()) {  // wakes up
        const Wait w = it->second;
        const uint64_t site = site_of(w.line);
        s.Add(t, EventKind::kCondWaitEnd, w.cv, 0, 0, site);
        s.Add(t, EventKind::kLockAcquired, w.mutex, trace::kViaCondWait, 1, site);
        s.Add(t, EventKind::kLockRelease, w.mutex, 0, 0, site_of(99));
        waiting.erase(it);
        std::erase(order, t);
        continue;
      }
      const uint64_t cv = 0xC0 + rng() % cvs;
      const uint64_t mutex = stray && rng() % stray == 0 ? 0xB0 + rng() % 3 : 0xA0 + cv;
      const Wait w{t, cv, mutex, 1 + static_cast<int>(rng() % 12)};
      const uint64_t site = site_of(w.line);
      s.Add(t, EventKind::kLockAcquired, mutex, 0, 1, site);
      s.Add(t, EventKind::kCondWaitBegin, cv, 0, 0, site);
      s.Add(t, EventKind::kLockRelease, mutex, trace::kViaCondWait, 0, site);
      for (uint32_t o : order) {
        const Wait& other = waiting.at(o);
        if (other.cv != cv || other.mutex == mutex) continue;
        if (!seen.insert({static_cast<uint64_t>(w.line), static_cast<uint64_t>(other.line)})
                 .second) {
          continue;
        }
        expected.emplace_back(w.line, other.line);
        break;
      }
      waiting[t] = w;
      order.push_back(t);
    }
    Report r = Analyze(s, TestOptions());
    auto got = Reported(r);
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(got, expected) << "round " << round << ", " << threads << " threads";
  }
}

// A thousand waits of one pool on one condition variable and mutex, then a wait with another
// mutex while one of them still waits: one report, naming the one still waiting.
TEST(CondMutexes, AStrayMutexAfterManyWaitsOfOneIsReported) {
  VectorSource s;
  constexpr uint64_t kCv = 0xC, kPool = 0xA, kOther = 0xB;
  for (uint32_t t = 2; t <= 9; ++t) s.Add(1, EventKind::kThreadCreate, t);
  for (int round = 0; round < 125; ++round) {
    for (uint32_t t = 2; t <= 9; ++t) {
      s.Add(t, EventKind::kLockAcquired, kPool, 0, 1, s.Site("pool.cc:10"));
      s.Add(t, EventKind::kCondWaitBegin, kCv, 0, 0, s.Site("pool.cc:11"));
      s.Add(t, EventKind::kLockRelease, kPool, trace::kViaCondWait, 0, s.Site("pool.cc:11"));
    }
    for (uint32_t t = 2; t <= 9; ++t) {
      if (round == 124 && t == 5) continue;  // still waiting at the end
      s.Add(t, EventKind::kCondWaitEnd, kCv, 0, 0, s.Site("pool.cc:11"));
      s.Add(t, EventKind::kLockAcquired, kPool, trace::kViaCondWait, 1, s.Site("pool.cc:11"));
      s.Add(t, EventKind::kLockRelease, kPool, 0, 0, s.Site("pool.cc:12"));
    }
  }
  s.Add(1, EventKind::kLockAcquired, kOther, 0, 1, s.Site("main.cc:20"));
  s.Add(1, EventKind::kCondWaitBegin, kCv, 0, 0, s.Site("main.cc:21"));
  s.Add(1, EventKind::kLockRelease, kOther, trace::kViaCondWait, 0, s.Site("main.cc:21"));
  Report r = Analyze(s, TestOptions());
  std::vector<const Finding*> f;
  for (const Finding* m : OfKind(r, "misuse")) {
    if (m->subkind == "cond-mutexes") f.push_back(m);
  }
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->accesses.at(0).stack.at(0).line, 21);
  EXPECT_EQ(f[0]->accesses.at(1).stack.at(0).line, 11);
  EXPECT_EQ(f[0]->threads, (std::vector<std::string>{"T1", "T5"}));
}

}  // namespace
}  // namespace threadlens::testing
