// Naive references for communication deadlock prediction: random executions of small programs
// with a monitor (lock L1, also its condition variable), waits and notifications, and a brute
// force over every correct reordering of such an execution that finds the states where the
// whole program is stuck with a thread waiting.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "predict_reference.h"

namespace threadlens::testing {

// Ops: acq rel r w fork join, waitrel (release L and begin waiting on it), reacq (the wake and
// the re-acquisition of L), notify (wakes every thread waiting on L).
inline Exec RandomCondExecution(uint32_t seed) {
  for (;; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    const int workers = 2 + pick(2);
    std::vector<std::vector<ExecEvent>> prog(workers + 1);
    for (int t = 1; t <= workers; ++t) {
      for (int b = 1 + pick(2); b > 0; --b) {
        const int kind = pick(3);
        const bool nest = pick(3) == 0;
        if (nest) prog[t].push_back({t, "acq", 2});
        if (kind == 0) {
          prog[t].push_back({t, "acq", 1});
          if (pick(2)) prog[t].push_back({t, "r", 1});
          prog[t].push_back({t, "waitrel", 1});
          prog[t].push_back({t, "reacq", 1});
          if (pick(2)) prog[t].push_back({t, "r", 1});
          prog[t].push_back({t, "rel", 1});
        } else if (kind == 1) {
          prog[t].push_back({t, "acq", 1});
          if (pick(2)) prog[t].push_back({t, "w", 1});
          prog[t].push_back({t, "notify", 1});
          prog[t].push_back({t, "rel", 1});
        } else {
          const int l = 2 + pick(2);
          if (!(nest && l == 2)) prog[t].push_back({t, "acq", l});
          prog[t].push_back({t, pick(2) ? "r" : "w", 2});
          if (!(nest && l == 2)) prog[t].push_back({t, "rel", l});
        }
        if (nest) prog[t].push_back({t, "rel", 2});
      }
    }
    if (pick(2)) prog[0].push_back({0, "w", 1});
    for (int t = 1; t <= workers; ++t) prog[0].push_back({0, "fork", t});
    for (int t = 1; t <= workers; ++t) {
      if (pick(2)) prog[0].push_back({0, "join", t});
    }
    std::vector<size_t> pc(workers + 1, 0);
    std::vector<int> holder(4, -1);
    std::vector<bool> forked(workers + 1, false), waiting(workers + 1, false),
        woken(workers + 1, false);
    forked[0] = true;
    Exec out;
    for (;;) {
      std::vector<int> ready;
      bool left = false;
      for (int t = 0; t <= workers; ++t) {
        if (!forked[t] || pc[t] == prog[t].size()) continue;
        left = true;
        const ExecEvent& e = prog[t][pc[t]];
        if (e.op == "acq" && holder[e.arg] != -1) continue;
        if (e.op == "reacq" && (!woken[t] || holder[1] != -1)) continue;
        if (e.op == "join" && pc[e.arg] != prog[e.arg].size()) continue;
        ready.push_back(t);
      }
      if (ready.empty()) {
        if (!left) return out;
        break;  // stuck: another seed
      }
      const int t = ready[pick(static_cast<int>(ready.size()))];
      const ExecEvent& e = prog[t][pc[t]++];
      if (e.op == "acq" || e.op == "reacq") holder[e.arg] = t;
      if (e.op == "rel" || e.op == "waitrel") holder[e.arg] = -1;
      if (e.op == "waitrel") waiting[t] = true, woken[t] = false;
      if (e.op == "reacq") waiting[t] = false;
      if (e.op == "notify") {
        for (int u = 0; u <= workers; ++u) woken[u] = woken[u] || waiting[u];
      }
      if (e.op == "fork") forked[e.arg] = true;
      out.push_back(e);
    }
  }
}

inline std::string CondToStdText(const Exec& ex) {
  std::string s;
  int line = 0;
  for (const ExecEvent& e : ex) {
    const std::string t = "T" + std::to_string(e.thread) + "|";
    const std::string site = "|" + std::to_string(++line) + "\n";
    const std::string arg = std::to_string(e.arg);
    if (e.op == "waitrel") {
      s += t + "rel(L1)" + site + t + "wait(L1)" + site;
    } else if (e.op == "reacq") {
      s += t + "acq(L1)" + site;
    } else if (e.op == "notify") {
      s += t + "notify(L1)" + site;
    } else {
      const char prefix = e.op == "acq" || e.op == "rel" ? 'L'
                          : e.op == "r" || e.op == "w"   ? 'V'
                                                         : 'T';
      s += t + e.op + "(" + prefix + arg + ")" + site;
    }
  }
  return s;
}

// The threads ("T<n>") left waiting in some stuck state a correct reordering of `ex` reaches:
// each thread's events a prefix of its own, creation before a thread's events, a join after
// the joined thread's last, lock semantics, each read reading the same write as in `ex`, a
// reacq only after a notify since its waitrel; stuck: every thread finished, never created, or
// at an acq of a held lock, a reacq not notified, or a join of an unfinished thread.
inline std::set<std::string> StuckWaiters(const Exec& ex) {
  int threads = 0;
  for (const ExecEvent& e : ex) {
    threads = std::max(threads, e.thread + 1);
    if (e.op == "fork" || e.op == "join") threads = std::max(threads, e.arg + 1);
  }
  std::vector<std::vector<int>> own(threads);
  std::vector<int> writer(ex.size(), -1), last(3, -1), fork_of(threads, -1);
  for (int i = 0; i < static_cast<int>(ex.size()); ++i) {
    const ExecEvent& e = ex[i];
    own[e.thread].push_back(i);
    if (e.op == "r") writer[i] = last[e.arg];
    if (e.op == "w") last[e.arg] = i;
    if (e.op == "fork") fork_of[e.arg] = i;
  }
  std::vector<size_t> pos(threads, 0);
  std::vector<int> holder(4, -1), last_write(3, -1);
  std::vector<int> woken(threads, 0);
  std::set<std::vector<int>> seen;
  std::set<std::string> out;
  std::vector<size_t> fork_pos(threads, 0);
  for (int t = 0; t < threads; ++t) {
    if (fork_of[t] < 0) continue;
    const auto& o = own[ex[fork_of[t]].thread];
    fork_pos[t] = std::find(o.begin(), o.end(), fork_of[t]) - o.begin();
  }
  auto created = [&](int t) { return fork_of[t] < 0 || pos[ex[fork_of[t]].thread] > fork_pos[t]; };
  std::function<void()> dfs = [&]() {
    std::vector<int> key(pos.begin(), pos.end());
    key.insert(key.end(), holder.begin(), holder.end());
    key.insert(key.end(), last_write.begin(), last_write.end());
    key.insert(key.end(), woken.begin(), woken.end());
    if (!seen.insert(key).second) return;
    bool moved = false, stuck = true, waits = false;
    std::vector<std::string> waiters;
    for (int t = 0; t < threads; ++t) {
      if (pos[t] == own[t].size() || !created(t)) continue;
      const int i = own[t][pos[t]];
      const ExecEvent& e = ex[i];
      bool enabled = true;
      if (e.op == "acq") enabled = holder[e.arg] == -1;
      if (e.op == "reacq") {
        enabled = woken[t] && holder[1] == -1;
        if (!woken[t]) waiters.push_back("T" + std::to_string(t)), waits = true;
      }
      if (e.op == "join") enabled = pos[e.arg] == own[e.arg].size();
      if (e.op == "r") enabled = last_write[e.arg] == writer[i];
      const bool blocked = (e.op == "acq" && holder[e.arg] != -1 && holder[e.arg] != t) ||
                           (e.op == "reacq" && !woken[t]) ||
                           (e.op == "join" && pos[e.arg] != own[e.arg].size());
      if (!blocked) stuck = false;
      if (!enabled) continue;
      // Run it.
      const auto saved_holder = holder;
      const auto saved_write = last_write;
      const auto saved_woken = woken;
      if (e.op == "acq" || e.op == "reacq") holder[e.arg] = t;
      if (e.op == "rel" || e.op == "waitrel") holder[e.arg] = -1;
      if (e.op == "waitrel") woken[t] = 0;
      if (e.op == "notify") {
        for (int u = 0; u < threads; ++u) {
          if (pos[u] < own[u].size() && ex[own[u][pos[u]]].op == "reacq") woken[u] = 1;
        }
      }
      if (e.op == "w") last_write[e.arg] = i;
      ++pos[t];
      moved = true;
      dfs();
      --pos[t];
      holder = saved_holder;
      last_write = saved_write;
      woken = saved_woken;
    }
    if (!moved && stuck && waits) out.insert(waiters.begin(), waiters.end());
  };
  dfs();
  return out;
}

}  // namespace threadlens::testing
