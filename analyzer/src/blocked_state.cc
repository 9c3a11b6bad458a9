// Deadlocks and hangs from the blocked state at the end of the trace (see blocked_state.h).
#include "blocked_state.h"

#include <algorithm>
#include <map>
#include <set>

#include "lock_order.h"
#include "namer.h"
#include "process_tree.h"

namespace threadlens::analysis {

// A blocked pipe read waits for a holder of the write end, a write for one of the read end.
Op PipeOp(uint64_t key) { return trace::PipeWriteEnd(key) ? Op::kPipeRead : Op::kPipeWrite; }

// What a readiness wait on several ends watches, for a finding's detail; `holders`: who holds
// their other ends.
std::string ReadinessDetail(const BlockedThread& b, const char* holders) {
  std::vector<std::string> ends{PipeEndName(b.obj)};
  for (uint64_t k : b.also) ends.push_back(PipeEndName(k));
  return "A readiness wait (poll, select or epoll_wait) watches " + JoinNames(ends, ", ") +
         ": any of them would wake it, and " + holders + " their other ends.";
}

namespace {

// A hang's subkind for a wait on a pipe end's key.
const char* PipeSubkind(uint64_t key) {
  return trace::SocketEnd(key) ? "socket" : trace::EventfdEnd(key) ? "eventfd" : "pipe";
}

}  // namespace

SideRef BlockedSide(const BlockedThread& b) {
  SideRef s = b.has_where ? b.where : SideRef{};
  s.obj = b.obj;
  s.tid = b.tid;
  s.op = b.on == Pending::kPipe   ? PipeOp(b.obj)
         : b.on == Pending::kJoin ? Op::kJoin
         : b.on == Pending::kSem  ? Op::kSemWait
         : b.on == Pending::kFutex ? Op::kFutexWait
         : b.on == Pending::kProcess ? Op::kWaitProcess
         : b.on == Pending::kSignal ? Op::kSigWait
         : b.on == Pending::kLock || b.on == Pending::kFileLock ? Op::kRequest
         : b.destroying           ? Op::kDestroy
                                  : Op::kWait;
  return s;
}

std::vector<RawFinding> FindBlocked(const std::vector<BlockedThread>& blocked,
                                    const std::vector<HeldBy>& holds,
                                    const std::function<bool(uint64_t)>& recursive,
                                    bool nobody_running, std::set<uint32_t>* accounted) {
  std::vector<RawFinding> out;
  std::map<uint32_t, uint32_t> node_of;  // tid -> node
  for (const BlockedThread& b : blocked) {
    node_of.emplace(b.tid, static_cast<uint32_t>(node_of.size()));
  }
  std::vector<const BlockedThread*> by_node(blocked.size());
  for (const BlockedThread& b : blocked) by_node[node_of[b.tid]] = &b;
  std::multimap<uint64_t, const HeldBy*> holders;
  for (const HeldBy& h : holds) holders.emplace(h.lock, &h);

  // Wait-for edges: lock waiter -> each holder; joiner -> joined thread.
  struct WaitEdge {
    uint32_t to_node;
    const HeldBy* via;  // null for a join
    uint64_t end = 0;   // a pipe wait's: the end whose holders the edge leads to
    bool own = false;   // a pipe wait's, to a thread of the waiter's own process
  };
  std::vector<std::vector<WaitEdge>> edges(blocked.size());
  for (const BlockedThread& b : blocked) {
    uint32_t n = node_of[b.tid];
    if (b.on == Pending::kLock || b.on == Pending::kFileLock) {
      auto [lo, hi] = holders.equal_range(b.obj);
      for (auto it = lo; it != hi; ++it) {
        const HeldBy& h = *it->second;
        // A file lock's shared holder keeps out only an exclusive request.
        if (b.on == Pending::kFileLock && h.shared && !b.exclusive) continue;
        if (h.process && ProcessIndexOfTid(h.tid) == ProcessIndexOfTid(b.tid)) continue;
        if (h.range) continue;
        if (h.tid == b.tid) {
          if (recursive(b.obj) || b.timed) continue;  // a timed relock times out
          RawFinding f;
          f.kind = "self-deadlock";
          f.severity = Severity::kError;
          // A file lock's wait is known by the watchdog's record alone: its side says so.
          if (b.on == Pending::kFileLock) {
            f.sides.push_back(BlockedSide(b));
          } else if (b.has_where) {
            f.sides.push_back(b.where);
          }
          if (h.has_acquired) f.sides.push_back(h.acquired);
          f.locks = {b.obj};
          f.tids = {b.tid};
          out.push_back(std::move(f));
          continue;
        }
        auto to = node_of.find(h.tid);
        if (to != node_of.end()) edges[n].push_back({to->second, &h});
      }
    } else if (b.on == Pending::kJoin) {
      auto to = node_of.find(static_cast<uint32_t>(b.obj));
      if (to != node_of.end()) edges[n].push_back({to->second, nullptr});
    } else if (b.on == Pending::kProcess && b.process) {
      // The child ends only when one of its threads ends it: it waits for each of them.
      for (const auto& [tid, to] : node_of) {
        if (ProcessIndexOfTid(tid) == b.process - 1 && tid != b.tid) {
          edges[n].push_back({to, nullptr});
        }
      }
    } else if (b.on == Pending::kPipe) {
      // Any thread of a process holding the other end could use it (the watchdog saw each
      // such process blocked): it waits for each of them; a readiness wait, for those of each
      // of its ends.
      for (size_t k = 0; k <= b.also.size(); ++k) {
        const uint64_t end = k == 0 ? b.obj : b.also[k - 1];
        auto [lo, hi] = holders.equal_range(end);
        for (auto it = lo; it != hi; ++it) {
          const uint32_t process = ProcessIndexOfTid(it->second->tid);
          const bool own = process == ProcessIndexOfTid(b.tid);
          for (const auto& [tid, to] : node_of) {
            if (ProcessIndexOfTid(tid) == process && tid != b.tid) {
              edges[n].push_back({to, nullptr, end, own});
            }
          }
        }
      }
    }
  }
  std::vector<std::vector<uint32_t>> adj(blocked.size());
  for (size_t n = 0; n < edges.size(); ++n) {
    for (const WaitEdge& e : edges[n]) adj[n].push_back(e.to_node);
    std::sort(adj[n].begin(), adj[n].end());
    adj[n].erase(std::unique(adj[n].begin(), adj[n].end()), adj[n].end());
  }
  // root[n]: the finding that explains why node n never wakes up (-1: none yet).
  std::vector<long> root(blocked.size(), -1);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].kind == "self-deadlock") {
      uint32_t n = node_of[out[i].tids[0]];
      if (root[n] < 0) root[n] = static_cast<long>(i);
    }
  }
  // A pipe wait all of whose edges lead to threads of its own process: any of them could
  // write, and none is named by what it does.
  auto own_only = [&](size_t n) {
    return by_node[n]->on == Pending::kPipe && !edges[n].empty() &&
           std::all_of(edges[n].begin(), edges[n].end(), [](const WaitEdge& e) { return e.own; });
  };
  std::vector<bool> in_cycle(blocked.size(), false);
  for (const auto& cyc : ElementaryCycles(adj, 64, 1000, nullptr)) {
    // Threads of one process that each wait on a pipe (an eventfd, a socket) only it holds are
    // no cycle of who waits for whom: one hang below.
    if (std::all_of(cyc.begin(), cyc.end(), own_only)) continue;
    RawFinding f;
    f.kind = "deadlock";
    f.severity = Severity::kError;
    f.wait_for = true;
    for (size_t i = 0; i < cyc.size(); ++i) {
      uint32_t a = cyc[i], b = cyc[(i + 1) % cyc.size()];
      in_cycle[a] = true;
      if (root[a] < 0) root[a] = static_cast<long>(out.size());
      const BlockedThread& waiter = *by_node[a];
      const WaitEdge* via = nullptr;
      for (const WaitEdge& e : edges[a]) {
        if (e.to_node == b) {
          via = &e;
          break;
        }
      }
      RawEdge re;
      re.from = waiter.tid;
      re.to = by_node[b]->tid;
      re.tid = waiter.tid;
      if (waiter.has_where) re.to_site = waiter.where;
      re.to_site.obj = via && via->end ? via->end : waiter.obj;
      re.to_site.tid = waiter.tid;
      re.to_site.op = waiter.on == Pending::kJoin      ? Op::kJoin
                      : waiter.on == Pending::kProcess ? Op::kWaitProcess
                      : waiter.on == Pending::kPipe    ? PipeOp(re.to_site.obj)
                                                       : Op::kRequest;
      if (via && via->via) {
        if (via->via->has_acquired) re.from_site = via->via->acquired;
        re.from_site.obj = via->via->lock;
        re.from_site.tid = via->via->tid;
        re.from_site.op = Op::kAcquire;
        f.locks.push_back(via->via->lock);
      }
      f.cycle.push_back(re);
      f.tids.push_back(waiter.tid);
      f.sides.push_back(re.to_site);
      if (!waiter.also.empty()) {
        f.detail += std::string(f.detail.empty() ? "" : " ") +
                    ReadinessDetail(waiter, "only the processes of the cycle hold");
      }
    }
    out.push_back(std::move(f));
  }

  // Hangs (only when nobody runs): blocked on something no lock cycle explains.
  if (nobody_running) {
    // A condition variable being destroyed: its waiters, which its destroy waits for, belong
    // to the destroyer's finding.
    std::map<uint64_t, uint32_t> destroyer_of;  // cv -> node
    for (size_t n = 0; n < blocked.size(); ++n) {
      const BlockedThread& b = *by_node[n];
      if (b.on == Pending::kCond && b.destroying) {
        destroyer_of.emplace(b.obj, static_cast<uint32_t>(n));
      }
    }
    auto waits_on_destroyed = [&](const BlockedThread& b) {
      return b.on == Pending::kCond && !b.destroying && destroyer_of.count(b.obj);
    };
    // Own-process pipe waits that wait only on one another: one hang per process, at its
    // first thread of them (main, in a program whose library threads idle in their event
    // loops); the others are stuck behind it.
    std::map<uint32_t, size_t> first_own;  // process -> node
    for (size_t n = 0; n < blocked.size(); ++n) {
      if (root[n] >= 0 || !own_only(n) ||
          !std::all_of(edges[n].begin(), edges[n].end(),
                       [&](const WaitEdge& e) { return own_only(e.to_node); })) {
        continue;
      }
      const uint32_t process = ProcessIndexOfTid(by_node[n]->tid);
      auto [it, fresh] = first_own.emplace(process, n);
      if (!fresh && by_node[n]->tid < by_node[it->second]->tid) it->second = n;
    }
    for (size_t n = 0; n < blocked.size(); ++n) {
      const BlockedThread& b = *by_node[n];
      if (root[n] >= 0 || b.on == Pending::kLock || b.on == Pending::kNone) continue;
      if (waits_on_destroyed(b)) continue;
      // A joiner of another blocked thread waits on whatever that thread waits on; a wait
      // for a child that may yet end (or that the recording does not hold) is no hang.
      const auto own = first_own.find(ProcessIndexOfTid(b.tid));
      const bool own_root = own != first_own.end() && own->second == n;
      if ((b.on == Pending::kJoin || b.on == Pending::kPipe) && !edges[n].empty() && !own_root) {
        continue;
      }
      if (b.on == Pending::kProcess) continue;
      RawFinding f;
      f.kind = "hang";
      f.severity = Severity::kError;
      f.subkind = b.on == Pending::kCond    ? (b.destroying ? "cond-destroy" : "cond")
                  : b.on == Pending::kJoin  ? "join"
                  : b.on == Pending::kFutex ? "futex"
                  : b.on == Pending::kFileLock ? "file-lock"
                  : b.on == Pending::kPipe  ? PipeSubkind(b.obj)
                  : b.on == Pending::kSignal ? "signal"
                                            : "sem";
      if (!b.also.empty()) f.detail = ReadinessDetail(b, "only this process holds");
      SideRef s = BlockedSide(b);
      f.sides.push_back(s);
      f.tids.push_back(b.tid);
      f.sort_key = s.index;
      root[n] = static_cast<long>(out.size());
      out.push_back(std::move(f));
    }
    for (size_t n = 0; n < blocked.size(); ++n) {
      const BlockedThread& b = *by_node[n];
      if (root[n] >= 0 || !waits_on_destroyed(b)) continue;
      const long r = root[destroyer_of[b.obj]];
      if (r < 0) continue;
      out[static_cast<size_t>(r)].sides.push_back(BlockedSide(b));
      out[static_cast<size_t>(r)].tids.push_back(b.tid);
      root[n] = r;
    }
  }
  // Threads waiting (by join or for a lock) on a thread that never wakes up belong to that
  // thread's finding: follow the wait-for edges to a root. Memoized; a wait-for loop with
  // no root (cannot happen after the cycle search, but cheap to guard) stays unrooted.
  std::vector<uint8_t> state(blocked.size(), 0);  // 0 new, 1 on the path, 2 done
  std::function<long(uint32_t)> resolve = [&](uint32_t n) -> long {
    if (root[n] >= 0 || state[n] != 0) return root[n];
    state[n] = 1;
    for (const WaitEdge& e : edges[n]) {
      long r = resolve(e.to_node);
      if (r >= 0) {
        root[n] = r;
        break;
      }
    }
    state[n] = 2;
    if (root[n] >= 0) {
      RawFinding& f = out[static_cast<size_t>(root[n])];
      const BlockedThread& b = *by_node[n];
      SideRef s = BlockedSide(b);
      if (f.kind == "hang") f.sides.push_back(s);
      else f.waiters.push_back(s);
      f.tids.push_back(b.tid);
      if (b.on == Pending::kLock) f.locks.push_back(b.obj);
    }
    return root[n];
  };
  for (size_t n = 0; n < blocked.size(); ++n) {
    const BlockedThread& b = *by_node[n];
    if (b.on != Pending::kLock && b.on != Pending::kJoin && b.on != Pending::kProcess &&
        b.on != Pending::kPipe) {
      continue;
    }
    if (resolve(static_cast<uint32_t>(n)) >= 0 || !nobody_running) continue;
    if (b.on != Pending::kLock || !edges[n].empty()) continue;
    // Waiting for a lock no blocked thread holds while nobody runs: its holder exited
    // with it (the misuse detector reports that), so nothing will ever release it. Nobody
    // holding it at all: an annotated lock's conditional acquisition (absl::Mutex's
    // LockWhen, Await) whose condition never became true.
    RawFinding f;
    f.kind = "hang";
    f.severity = Severity::kError;
    f.subkind = holders.count(b.obj) ? "lock" : "condition";
    SideRef s = BlockedSide(b);
    f.sides.push_back(s);
    f.tids.push_back(b.tid);
    f.locks.push_back(b.obj);
    f.sort_key = s.index;
    root[n] = static_cast<long>(out.size());
    out.push_back(std::move(f));
  }
  // Waiters of that lock hang reach it now that it exists.
  for (size_t n = 0; n < blocked.size(); ++n) {
    const BlockedThread& b = *by_node[n];
    if ((b.on == Pending::kLock || b.on == Pending::kJoin || b.on == Pending::kProcess ||
         b.on == Pending::kPipe) &&
        root[n] < 0) {
      std::fill(state.begin(), state.end(), 0);
      resolve(static_cast<uint32_t>(n));
    }
    // A joiner whose thread is blocked on nothing this analysis explains still hangs.
    if (b.on == Pending::kJoin && root[n] < 0 && nobody_running) {
      RawFinding f;
      f.kind = "hang";
      f.severity = Severity::kError;
      f.subkind = "join";
      SideRef s = BlockedSide(b);
      f.sides.push_back(s);
      f.tids.push_back(b.tid);
      f.sort_key = s.index;
      root[n] = static_cast<long>(out.size());
      out.push_back(std::move(f));
    }
  }
  if (accounted) {
    for (size_t n = 0; n < blocked.size(); ++n) {
      if (root[n] >= 0) accounted->insert(by_node[n]->tid);
    }
  }
  return out;
}

}  // namespace threadlens::analysis
