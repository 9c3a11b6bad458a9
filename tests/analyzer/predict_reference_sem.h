// Naive reference for semaphore hang prediction: random executions of small programs with one
// semaphore S (its initial count recorded) and one lock L, and a brute force over every
// correct reordering of such an execution that finds the states where the whole program is
// stuck with a thread in sem_wait. Without memory accesses every interleaving that respects
// program order, the lock and the semaphore's count is a correct reordering.
#pragma once

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "test_util.h"

namespace threadlens::testing {

struct SemOp {
  int thread = 0;  // 0 is main, which starts the workers first and joins them last
  std::string op;  // create join acq rel post wait trywait
  int arg = 0;     // created or joined thread
  bool ok = true;  // trywait: whether it took one
};

struct SemExec {
  int initial = 0;
  int workers = 0;
  std::vector<SemOp> ops;  // in the order they ran
};

// A program whose random run ends (a run that hangs is tried again with the next seed).
inline SemExec RandomSemExecution(uint32_t seed) {
  for (;; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    SemExec ex;
    ex.initial = pick(2);
    ex.workers = 2 + pick(2);
    std::vector<std::vector<SemOp>> prog(ex.workers + 1);
    for (int t = 1; t <= ex.workers; ++t) prog[0].push_back({0, "create", t});
    for (int t = 0; t <= ex.workers; ++t) {
      for (int b = 1 + pick(3); b > 0; --b) {
        const bool locked = pick(3) == 0;
        const int kind = pick(5);
        if (locked) prog[t].push_back({t, "acq"});
        prog[t].push_back({t, kind < 2 ? "post" : kind < 4 ? "wait" : "trywait"});
        if (locked) prog[t].push_back({t, "rel"});
      }
    }
    for (int t = 1; t <= ex.workers; ++t) prog[0].push_back({0, "join", t});
    std::vector<size_t> pc(ex.workers + 1, 0);
    std::vector<bool> started(ex.workers + 1, false);
    started[0] = true;
    int holder = -1, count = ex.initial;
    bool hung = false;
    for (;;) {
      std::vector<int> ready;
      bool left = false;
      for (int t = 0; t <= ex.workers; ++t) {
        if (!started[t] || pc[t] == prog[t].size()) continue;
        left = true;
        const SemOp& o = prog[t][pc[t]];
        if (o.op == "acq" && holder != -1) continue;
        if (o.op == "wait" && count == 0) continue;
        if (o.op == "join" && pc[o.arg] != prog[o.arg].size()) continue;
        ready.push_back(t);
      }
      if (!left) break;
      if (ready.empty()) {
        hung = true;
        break;
      }
      const int t = ready[pick(static_cast<int>(ready.size()))];
      SemOp o = prog[t][pc[t]++];
      if (o.op == "create") started[o.arg] = true;
      if (o.op == "acq") holder = t;
      if (o.op == "rel") holder = -1;
      if (o.op == "post") ++count;
      if (o.op == "wait") --count;
      if (o.op == "trywait") {
        o.ok = count > 0;
        count -= o.ok;
      }
      ex.ops.push_back(o);
    }
    if (!hung) return ex;
  }
}

// The execution as trace events: thread t has tid t + 1, S is 0x5E, L is 0x10.
inline void SemToSource(const SemExec& ex, VectorSource& s, bool with_init = true) {
  constexpr uint64_t kSem = 0x5E, kLock = 0x10;
  using K = trace::EventKind;
  if (with_init) s.Add(1, K::kSemInit, kSem, 0, 0, s.Site("main.cc:1"), ex.initial);
  for (const SemOp& o : ex.ops) {
    const uint32_t tid = o.thread + 1;
    const uint64_t site = s.Site("t" + std::to_string(o.thread) + ".cc:" + o.op);
    if (o.op == "create") {
      s.Add(tid, K::kThreadCreate, o.arg + 1);
      s.Add(o.arg + 1, K::kThreadStart, tid);
    } else if (o.op == "join") {
      s.Add(o.arg + 1, K::kThreadExit);
      s.Add(tid, K::kThreadJoin, o.arg + 1);
    } else if (o.op == "acq") {
      s.Add(tid, K::kLockAcquired, kLock, 0, 1, site);
    } else if (o.op == "rel") {
      s.Add(tid, K::kLockRelease, kLock, 0, 0, site);
    } else if (o.op == "post") {
      s.Add(tid, K::kSemPost, kSem, 0, 0, site);
    } else {
      const uint8_t f = o.op == "trywait" ? trace::kTry : 0;
      s.Add(tid, K::kSemWaitBegin, kSem, f, 0, site);
      s.Add(tid, K::kSemWaitEnd, kSem, f | (o.ok ? 0 : trace::kFailed), 0, site);
    }
  }
}

// Every stuck state some correct reordering reaches: the threads (tids) left in a sem_wait.
// A trywait keeps its observed outcome (it took one only when the count was positive).
inline std::set<uint32_t> StuckSemWaiters(const SemExec& ex) {
  std::vector<std::vector<SemOp>> prog(ex.workers + 1);
  for (const SemOp& o : ex.ops) prog[o.thread].push_back(o);
  std::set<uint32_t> out;
  std::set<std::vector<int>> seen;
  std::vector<int> st(ex.workers + 3, 0);  // pcs, holder + 1, count
  st[ex.workers + 1] = 0;
  st[ex.workers + 2] = ex.initial;
  auto dfs = [&](auto&& self, std::vector<int>& s) -> void {
    if (!seen.insert(s).second) return;
    int& holder = s[ex.workers + 1];
    int& count = s[ex.workers + 2];
    bool moved = false, left = false;
    for (int t = 0; t <= ex.workers; ++t) {
      const size_t pc = static_cast<size_t>(s[t]);
      if (pc == prog[t].size()) continue;
      if (t > 0 && s[0] < t) continue;  // not created yet (main creates 1, 2, ... first)
      left = true;
      const SemOp& o = prog[t][pc];
      if (o.op == "acq" && holder != 0) continue;
      if (o.op == "wait" && count == 0) continue;
      if (o.op == "trywait" && (count > 0) != o.ok) continue;
      if (o.op == "join" && static_cast<size_t>(s[o.arg]) != prog[o.arg].size()) continue;
      std::vector<int> next = s;
      ++next[t];
      if (o.op == "acq") next[ex.workers + 1] = t + 1;
      if (o.op == "rel") next[ex.workers + 1] = 0;
      if (o.op == "post") ++next[ex.workers + 2];
      if (o.op == "wait" || (o.op == "trywait" && o.ok)) --next[ex.workers + 2];
      moved = true;
      self(self, next);
    }
    if (moved || !left) return;
    // Stuck: a trywait that cannot keep its outcome is no real state, only blocked threads.
    std::set<uint32_t> waiters;
    for (int t = 0; t <= ex.workers; ++t) {
      const size_t pc = static_cast<size_t>(s[t]);
      if (pc == prog[t].size() || (t > 0 && s[0] < t)) continue;
      const std::string& op = prog[t][pc].op;
      if (op == "trywait") return;
      if (op == "wait") waiters.insert(static_cast<uint32_t>(t + 1));
    }
    out.insert(waiters.begin(), waiters.end());
  };
  dfs(dfs, st);
  return out;
}

}  // namespace threadlens::testing
