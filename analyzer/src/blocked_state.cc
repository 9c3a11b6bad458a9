// Deadlocks and hangs from the blocked state at the end of the trace (see blocked_state.h).
#include "blocked_state.h"

#include <algorithm>
#include <map>

#include "lock_order.h"

namespace threadlens::analysis {

std::vector<RawFinding> FindBlocked(const std::vector<BlockedThread>& blocked,
                                    const std::vector<HeldBy>& holds,
                                    const std::function<bool(uint64_t)>& recursive,
                                    bool nobody_running) {
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
  };
  std::vector<std::vector<WaitEdge>> edges(blocked.size());
  for (const BlockedThread& b : blocked) {
    uint32_t n = node_of[b.tid];
    if (b.on == Pending::kLock) {
      auto [lo, hi] = holders.equal_range(b.obj);
      for (auto it = lo; it != hi; ++it) {
        const HeldBy& h = *it->second;
        if (h.tid == b.tid) {
          if (recursive(b.obj)) continue;
          RawFinding f;
          f.kind = "self-deadlock";
          f.severity = Severity::kError;
          if (b.has_where) f.sides.push_back(b.where);
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
    }
  }
  std::vector<std::vector<uint32_t>> adj(blocked.size());
  for (size_t n = 0; n < edges.size(); ++n) {
    for (const WaitEdge& e : edges[n]) adj[n].push_back(e.to_node);
    std::sort(adj[n].begin(), adj[n].end());
    adj[n].erase(std::unique(adj[n].begin(), adj[n].end()), adj[n].end());
  }
  std::vector<bool> in_cycle(blocked.size(), false);
  for (const auto& cyc : ElementaryCycles(adj, 64, 1000, nullptr)) {
    RawFinding f;
    f.kind = "deadlock";
    f.severity = Severity::kError;
    f.wait_for = true;
    for (size_t i = 0; i < cyc.size(); ++i) {
      uint32_t a = cyc[i], b = cyc[(i + 1) % cyc.size()];
      in_cycle[a] = true;
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
      re.to_site.obj = waiter.obj;
      re.to_site.tid = waiter.tid;
      re.to_site.op = waiter.on == Pending::kJoin ? Op::kJoin : Op::kRequest;
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
    }
    out.push_back(std::move(f));
  }

  if (!nobody_running) return out;
  // Hangs: blocked on something no lock cycle explains.
  std::map<uint32_t, size_t> hang_of;  // node -> finding index
  for (size_t n = 0; n < blocked.size(); ++n) {
    const BlockedThread& b = *by_node[n];
    if (in_cycle[n] || b.on == Pending::kLock || b.on == Pending::kNone) continue;
    RawFinding f;
    f.kind = "hang";
    f.severity = Severity::kError;
    f.subkind = b.on == Pending::kCond ? "cond" : b.on == Pending::kJoin ? "join" : "sem";
    SideRef s = b.has_where ? b.where : SideRef{};
    s.obj = b.obj;
    s.tid = b.tid;
    s.op = b.on == Pending::kJoin ? Op::kJoin : b.on == Pending::kSem ? Op::kSemWait : Op::kWait;
    f.sides.push_back(s);
    f.tids.push_back(b.tid);
    f.sort_key = s.index;
    hang_of[static_cast<uint32_t>(n)] = out.size();
    out.push_back(std::move(f));
  }
  // Lock waiters stuck behind a hung thread belong to that hang.
  for (size_t n = 0; n < blocked.size(); ++n) {
    const BlockedThread& b = *by_node[n];
    if (in_cycle[n] || b.on != Pending::kLock) continue;
    uint32_t cur = static_cast<uint32_t>(n);
    for (size_t steps = 0; steps < blocked.size(); ++steps) {
      if (edges[cur].empty()) break;
      cur = edges[cur].front().to_node;
      if (by_node[cur]->on != Pending::kLock) break;
    }
    auto h = hang_of.find(cur);
    if (h == hang_of.end()) {
      // Waiting for a lock no blocked thread holds while nobody runs: its holder exited
      // with it (the misuse detector reports that), so nothing will ever release it.
      if (!edges[n].empty()) continue;
      RawFinding f;
      f.kind = "hang";
      f.severity = Severity::kError;
      f.subkind = "lock";
      SideRef s = b.has_where ? b.where : SideRef{};
      s.obj = b.obj;
      s.tid = b.tid;
      s.op = Op::kRequest;
      f.sides.push_back(s);
      f.tids.push_back(b.tid);
      f.locks.push_back(b.obj);
      f.sort_key = s.index;
      out.push_back(std::move(f));
      continue;
    }
    RawFinding& f = out[h->second];
    SideRef s = b.has_where ? b.where : SideRef{};
    s.obj = b.obj;
    s.tid = b.tid;
    s.op = Op::kRequest;
    f.sides.push_back(s);
    f.tids.push_back(b.tid);
    f.locks.push_back(b.obj);
  }
  return out;
}

}  // namespace threadlens::analysis
