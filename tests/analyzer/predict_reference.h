// Naive references for the prediction tests: random executions of small lock programs (as STD
// text), and a brute force over every correct reordering of such an execution that finds the
// deadlocks it can reach.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace threadlens::testing {

struct ExecEvent {
  int thread = 0;
  std::string op;  // acq rel r w fork join
  int arg = 0;     // lock, variable or thread number
};
using Exec = std::vector<ExecEvent>;

// One run of a random program: a main thread T0 that starts 2 or 3 workers (reading and
// writing between the starts) and may join them; workers that read, write and take one or two
// nested locks out of 2 or 3. A random scheduler that respects the locks runs it; a run that
// deadlocked is tried again with the next seed. Returns the events in the order they ran.
inline Exec RandomExecution(uint32_t seed) {
  for (;; ++seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    const int workers = 2 + pick(2), locks = 2 + pick(2), vars = 2;
    std::vector<std::vector<ExecEvent>> prog(workers + 1);
    auto memory = [&](int t) { prog[t].push_back({t, pick(2) ? "r" : "w", 1 + pick(vars)}); };
    for (int t = 1; t <= workers; ++t) {
      for (int b = 1 + pick(3); b > 0; --b) {
        const int kind = pick(4);
        if (kind == 0) {
          memory(t);
          continue;
        }
        const int a = 1 + pick(locks);
        prog[t].push_back({t, "acq", a});
        if (pick(2)) memory(t);
        if (kind >= 2) {
          int c = 1 + pick(locks);
          if (c == a) c = c % locks + 1;
          prog[t].push_back({t, "acq", c});
          if (pick(2)) memory(t);
          prog[t].push_back({t, "rel", c});
        }
        if (pick(3) == 0) memory(t);
        prog[t].push_back({t, "rel", a});
      }
    }
    for (int t = 1; t <= workers; ++t) {
      if (pick(2)) memory(0);
      prog[0].push_back({0, "fork", t});
    }
    for (int t = 1; t <= workers; ++t) {
      if (pick(2)) prog[0].push_back({0, "join", t});
    }
    // Run it.
    std::vector<size_t> pc(workers + 1, 0);
    std::vector<int> holder(locks + 1, -1);
    std::vector<bool> forked(workers + 1, false);
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
        if (e.op == "join" && pc[e.arg] != prog[e.arg].size()) continue;
        ready.push_back(t);
      }
      if (ready.empty()) {
        if (!left) return out;
        break;  // it deadlocked: another seed
      }
      const int t = ready[pick(static_cast<int>(ready.size()))];
      const ExecEvent& e = prog[t][pc[t]++];
      if (e.op == "acq") holder[e.arg] = t;
      if (e.op == "rel") holder[e.arg] = -1;
      if (e.op == "fork") forked[e.arg] = true;
      out.push_back(e);
    }
  }
}

inline std::string ToStdText(const Exec& ex) {
  std::string s;
  int line = 0;
  for (const ExecEvent& e : ex) {
    const char prefix = e.op == "acq" || e.op == "rel" ? 'L'
                        : e.op == "r" || e.op == "w"   ? 'V'
                                                       : 'T';
    s += "T" + std::to_string(e.thread) + "|" + e.op + "(" + prefix + std::to_string(e.arg) + ")|" +
         std::to_string(++line) + "\n";
  }
  return s;
}

// A lock cycle as the names of its locks, rotated to start at the smallest.
inline std::vector<std::string> Canonical(std::vector<std::string> locks) {
  auto smallest = std::min_element(locks.begin(), locks.end());
  std::rotate(locks.begin(), smallest, locks.end());
  return locks;
}

// Visits every state some correct reordering of `ex` reaches: each thread's events a prefix of
// its own, creation before a thread's events, a join after the joined thread's last, lock
// semantics, and each read reading from the same write as in `ex`. With `sync_preserving`, also
// the acquisitions of each lock in their order in `ex`. `visit` gets each thread's events
// (indices into ex), how many of them ran, the holder of each lock (-1: none), and whether
// each thread's next event may run now as far as its creation is concerned.
struct ReorderState {
  const std::vector<std::vector<int>>& own;
  const std::vector<size_t>& pos;
  const std::vector<int>& holder;
  const std::vector<bool>& started;
};
inline void ExploreReorderings(const Exec& ex, bool sync_preserving,
                               const std::function<void(const ReorderState&)>& visit) {
  int threads = 0, locks = 0, vars = 0;
  for (const ExecEvent& e : ex) {
    threads = std::max(threads, e.thread + 1);
    if (e.op == "acq" || e.op == "rel") locks = std::max(locks, e.arg + 1);
    if (e.op == "r" || e.op == "w") vars = std::max(vars, e.arg + 1);
    if (e.op == "fork" || e.op == "join") threads = std::max(threads, e.arg + 1);
  }
  std::vector<std::vector<int>> own(threads);  // indices into ex
  std::vector<int> writer(ex.size(), -1), fork_of(threads, -1), pos_of(ex.size(), 0);
  std::vector<int> last(vars, -1);
  for (int i = 0; i < static_cast<int>(ex.size()); ++i) {
    const ExecEvent& e = ex[i];
    pos_of[i] = static_cast<int>(own[e.thread].size());
    own[e.thread].push_back(i);
    if (e.op == "r") writer[i] = last[e.arg];
    if (e.op == "w") last[e.arg] = i;
    if (e.op == "fork") fork_of[e.arg] = i;
  }
  std::vector<size_t> pos(threads, 0);
  std::vector<int> last_write(vars, -1), last_acquire(locks, -1), holder(locks, -1);
  std::vector<bool> started(threads, true);
  std::set<std::vector<int>> seen;
  std::function<void()> dfs = [&]() {
    std::vector<int> key(pos.begin(), pos.end());
    key.insert(key.end(), last_write.begin(), last_write.end());
    if (sync_preserving) key.insert(key.end(), last_acquire.begin(), last_acquire.end());
    if (!seen.insert(key).second) return;
    for (int t = 0; t < threads; ++t) {
      const int f = fork_of[t];
      started[t] = f == -1 || static_cast<int>(pos[ex[f].thread]) > pos_of[f];
    }
    visit(ReorderState{own, pos, holder, started});
    for (int t = 0; t < threads; ++t) {
      if (pos[t] == own[t].size() || !started[t]) continue;
      const int i = own[t][pos[t]];
      const ExecEvent& e = ex[i];
      if (e.op == "join" && pos[e.arg] != own[e.arg].size()) continue;
      if (e.op == "acq" && holder[e.arg] != -1) continue;
      if (e.op == "acq" && sync_preserving && last_acquire[e.arg] > i) continue;
      if (e.op == "r" && last_write[e.arg] != writer[i]) continue;
      const auto saved_write = last_write;
      const auto saved_acquire = last_acquire;
      const auto saved_holder = holder;
      if (e.op == "acq") holder[e.arg] = t, last_acquire[e.arg] = std::max(last_acquire[e.arg], i);
      if (e.op == "rel") holder[e.arg] = -1;
      if (e.op == "w") last_write[e.arg] = i;
      ++pos[t];
      dfs();
      --pos[t];
      last_write = saved_write;
      last_acquire = saved_acquire;
      holder = saved_holder;
      for (int u = 0; u < threads; ++u) {
        const int f = fork_of[u];
        started[u] = f == -1 || static_cast<int>(pos[ex[f].thread]) > pos_of[f];
      }
    }
  };
  dfs();
}

// The deadlocks reachable that way, as lock cycles: threads whose next event is an acquisition
// of a lock another of them holds, around a cycle.
inline std::set<std::vector<std::string>> ReachableDeadlocks(const Exec& ex, bool sync_preserving) {
  std::set<std::vector<std::string>> found;
  ExploreReorderings(ex, sync_preserving, [&](const ReorderState& s) {
    const int threads = static_cast<int>(s.own.size());
    std::vector<int> waits(threads, -1);
    for (int t = 0; t < threads; ++t) {
      if (s.pos[t] == s.own[t].size() || !s.started[t]) continue;
      const ExecEvent& e = ex[s.own[t][s.pos[t]]];
      if (e.op == "acq" && s.holder[e.arg] != -1 && s.holder[e.arg] != t)
        waits[t] = s.holder[e.arg];
    }
    for (int t = 0; t < threads; ++t) {
      std::vector<int> path;
      int u = t;
      while (u != -1 && std::find(path.begin(), path.end(), u) == path.end()) {
        path.push_back(u);
        u = waits[u];
      }
      if (u != t) continue;  // t is not on a cycle
      std::vector<std::string> cycle;
      for (int v : path) cycle.push_back("L" + std::to_string(ex[s.own[v][s.pos[v]]].arg));
      found.insert(Canonical(cycle));
    }
  });
  return found;
}

// The races reachable that way: pairs of accesses (indices into ex, earlier first) of one
// variable by two threads, at least one a write, both the next event of their thread.
inline std::set<std::pair<int, int>> ReachableRaces(const Exec& ex, bool sync_preserving) {
  std::set<std::pair<int, int>> found;
  ExploreReorderings(ex, sync_preserving, [&](const ReorderState& s) {
    std::vector<int> next;
    for (size_t t = 0; t < s.own.size(); ++t) {
      if (s.pos[t] < s.own[t].size() && s.started[t]) next.push_back(s.own[t][s.pos[t]]);
    }
    for (int a : next) {
      for (int b : next) {
        if (a >= b || ex[a].thread == ex[b].thread) continue;
        const bool access =
            (ex[a].op == "r" || ex[a].op == "w") && (ex[b].op == "r" || ex[b].op == "w");
        if (access && ex[a].arg == ex[b].arg && (ex[a].op == "w" || ex[b].op == "w")) {
          found.insert({a, b});
        }
      }
    }
  });
  return found;
}

}  // namespace threadlens::testing
