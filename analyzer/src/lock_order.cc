// Lock-order graph and its cycles (see lock_order.h).
#include "lock_order.h"

#include <algorithm>
#include <map>
#include <set>

#include "lock_sets.h"

namespace threadlens::analysis {
namespace {

// Strongly connected components (Tarjan), iterative: a deep lock graph must not overflow
// the stack. Returns the component id of every node.
std::vector<uint32_t> Components(const std::vector<std::vector<uint32_t>>& adj) {
  const uint32_t n = static_cast<uint32_t>(adj.size());
  constexpr uint32_t kUnset = ~0u;
  std::vector<uint32_t> index(n, kUnset), low(n, 0), comp(n, kUnset);
  std::vector<bool> on_stack(n, false);
  std::vector<uint32_t> stack;
  std::vector<std::pair<uint32_t, uint32_t>> dfs;  // node, next neighbour
  uint32_t next_index = 0, next_comp = 0;
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnset) continue;
    dfs.push_back({root, 0});
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!dfs.empty()) {
      auto& [v, i] = dfs.back();
      if (i < adj[v].size()) {
        uint32_t w = adj[v][i++];
        if (index[w] == kUnset) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          dfs.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      uint32_t done = v;
      dfs.pop_back();
      if (!dfs.empty()) low[dfs.back().first] = std::min(low[dfs.back().first], low[done]);
      if (low[done] == index[done]) {
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          comp[w] = next_comp;
        } while (w != done);
        ++next_comp;
      }
    }
  }
  return comp;
}

}  // namespace

std::vector<std::vector<uint32_t>> ElementaryCycles(
    const std::vector<std::vector<uint32_t>>& adj, size_t max_length, size_t max_cycles,
    bool* cut, std::vector<uint32_t>* components) {
  std::vector<std::vector<uint32_t>> cycles;
  std::vector<uint32_t> comp = Components(adj);
  if (components) *components = comp;
  const uint32_t n = static_cast<uint32_t>(adj.size());
  std::vector<bool> on_path(n, false);
  std::vector<uint32_t> path;
  std::vector<std::pair<uint32_t, uint32_t>> dfs;
  // Bounds the work even when few cycles exist but many long paths do.
  uint64_t steps = 0;
  const uint64_t max_steps = 20'000'000;
  // Shortest cycles first (iterative deepening): when a dense graph exhausts the budget, what
  // was cut are the longer cycles, and the short ones — the likely deadlocks — are all there.
  for (size_t length = 2; length <= max_length; ++length) {
    for (uint32_t s = 0; s < n; ++s) {
      // A cycle is found once, from its smallest node; the rest lies in s's component.
      dfs.assign(1, {s, 0});
      path.assign(1, s);
      on_path[s] = true;
      while (!dfs.empty()) {
        auto& [v, i] = dfs.back();
        if (i < adj[v].size() && steps < max_steps) {
          ++steps;
          uint32_t w = adj[v][i++];
          if (w == s) {
            if (path.size() == length) {
              if (cycles.size() >= max_cycles) {
                if (cut) *cut = true;
                for (uint32_t p : path) on_path[p] = false;
                return cycles;
              }
              cycles.push_back(path);
            }
          } else if (w > s && comp[w] == comp[s] && !on_path[w] && path.size() < length) {
            on_path[w] = true;
            path.push_back(w);
            dfs.push_back({w, 0});
          }
          continue;
        }
        if (steps >= max_steps && cut) *cut = true;
        on_path[v] = false;
        path.pop_back();
        dfs.pop_back();
      }
    }
    if (steps >= max_steps) break;
  }
  return cycles;
}

bool LockOrderDetector::OnAcquire(const ThreadCtx& t, const std::vector<Held>& held, uint64_t to,
                                  const SideRef& to_side, const std::vector<uint64_t>& held_set) {
  bool kept = false;
  std::shared_ptr<std::vector<uint64_t>> shared_held;
  // Held locks [outer_end, inner_begin) get no edge.
  size_t outer_end = held.size(), inner_begin = held.size();
  if (held.size() > opts_.max_held_edges) {
    outer_end = opts_.max_held_edges / 2;
    inner_begin = held.size() - (opts_.max_held_edges - outer_end);
    ++held_cut_;
  }
  for (size_t hi = 0; hi < held.size(); ++hi) {
    if (hi == outer_end) hi = inner_begin;
    const Held& h = held[hi];
    if (h.lock == to) continue;
    const uint32_t from_gen = Generation(h.lock), to_gen = Generation(to);
    auto [it, inserted] = edge_index_.try_emplace(EdgeKey{h.lock, to, from_gen, to_gen},
                                                  static_cast<uint32_t>(edges_.size()));
    if (inserted) {
      edges_.emplace_back();
      edges_.back().from = h.lock;
      edges_.back().to = to;
      edges_.back().from_gen = from_gen;
      edges_.back().to_gen = to_gen;
      Graphed(h.lock);
      Graphed(to);
    }
    Edge& e = edges_[it->second];
    ++e.count;
    bool known = false;
    for (const Variant& v : e.variants) {
      if (v.dense == t.dense && *v.held == held_set) {
        known = true;
        break;
      }
    }
    if (known) continue;
    if (e.variants.size() >= opts_.max_variants) {
      variants_cut_ = true;
      continue;
    }
    if (!shared_held) shared_held = std::make_shared<std::vector<uint64_t>>(held_set);
    Variant v;
    v.tid = t.tid;
    v.dense = t.dense;
    v.held = shared_held;
    v.fork_join = t.fork_join;
    v.fj_slot = t.fj_slot;
    kept = true;
    v.from_site = h.acquired;
    v.to_site = to_side;
    e.variants.push_back(std::move(v));
  }
  return kept;
}

void LockOrderDetector::Graphed(uint64_t lock) {
  auto it = std::lower_bound(graphed_.begin(), graphed_.end(), lock);
  if (it == graphed_.end() || *it != lock) graphed_.insert(it, lock);
}

void LockOrderDetector::RetireSlow(uint64_t base, uint64_t size) {
  const uint64_t end = base + size < base ? ~0ull : base + size;
  auto first = std::lower_bound(graphed_.begin(), graphed_.end(), base);
  auto last = first;
  for (; last != graphed_.end() && *last < end; ++last) ++generation_[*last];
  graphed_.erase(first, last);
}

std::vector<LockOrderDetector::GraphEdge> LockOrderDetector::Graph() const {
  // Drawn by address: the edges of the locks one address held in turn are one edge there.
  std::vector<GraphEdge> out;
  out.reserve(edges_.size());
  std::unordered_map<EdgeKey, size_t, EdgeKeyHash> at;
  for (const Edge& e : edges_) {
    auto [it, fresh] = at.try_emplace(EdgeKey{e.from, e.to, 0, 0}, out.size());
    if (fresh) {
      out.emplace_back();
      out.back().from = e.from;
      out.back().to = e.to;
    }
    GraphEdge& g = out[it->second];
    g.count += e.count;
    for (const Variant& v : e.variants) {
      if (std::find(g.tids.begin(), g.tids.end(), v.tid) == g.tids.end()) g.tids.push_back(v.tid);
    }
    if (fresh && !e.variants.empty()) {
      g.from_site = e.variants.front().from_site;
      g.to_site = e.variants.front().to_site;
    }
  }
  return out;
}

bool LockOrderDetector::Choose(const std::vector<uint32_t>& cycle,
                               std::vector<const Variant*>& chosen, bool& concurrent,
                               uint64_t& budget, bool one_thread_ok) const {
  auto ordered = [](const Variant& a, const Variant& b) {
    // a happens before b by fork/join alone.
    return a.fork_join && b.fork_join &&
           a.fork_join->Get(a.fj_slot) <= b.fork_join->Get(a.fj_slot);
  };
  std::vector<const Variant*> pick(cycle.size(), nullptr);
  std::vector<const Variant*> fallback;
  bool found_concurrent = false;
  // Depth-first over the edges, one variant each.
  auto search = [&](auto&& self, size_t i) -> void {
    if (found_concurrent || budget == 0) return;
    --budget;
    if (i == cycle.size()) {
      bool all = true;
      for (size_t a = 0; a < pick.size() && all; ++a) {
        for (size_t b = a + 1; b < pick.size() && all; ++b) {
          if (ordered(*pick[a], *pick[b]) || ordered(*pick[b], *pick[a])) all = false;
        }
      }
      if (all) {
        found_concurrent = true;
        chosen = pick;
      } else if (fallback.empty()) {
        fallback = pick;
      }
      return;
    }
    for (const Variant& v : edges_[cycle[i]].variants) {
      bool ok = true;
      for (size_t j = 0; j < i && ok; ++j) {
        ok = (one_thread_ok || pick[j]->dense != v.dense) && SortedDisjoint(*pick[j]->held, *v.held);
      }
      if (!ok) continue;
      pick[i] = &v;
      self(self, i + 1);
      if (found_concurrent) return;
    }
  };
  search(search, 0);
  if (found_concurrent) {
    concurrent = true;
    return true;
  }
  if (!fallback.empty()) {
    chosen = fallback;
    concurrent = false;
    return true;
  }
  return false;
}

std::vector<RawFinding> LockOrderDetector::Find(std::vector<std::string>& notes) {
  std::vector<RawFinding> out;
  // Nodes are locks, numbered by first appearance in the graph.
  // (A lock is its address and generation: see Retire.)
  std::map<std::pair<uint64_t, uint32_t>, uint32_t> node_of;
  uint32_t nodes = 0;
  auto node = [&](uint64_t lock, uint32_t gen) {
    return node_of.try_emplace({lock, gen}, nodes).second ? nodes++ : node_of[{lock, gen}];
  };
  std::vector<std::pair<uint32_t, uint32_t>> ends(edges_.size());
  for (uint32_t i = 0; i < edges_.size(); ++i) {
    ends[i].first = node(edges_[i].from, edges_[i].from_gen);
    ends[i].second = node(edges_[i].to, edges_[i].to_gen);
  }
  std::vector<std::vector<uint32_t>> adj(nodes);
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> edge_of;
  for (uint32_t i = 0; i < edges_.size(); ++i) {
    const auto [a, b] = ends[i];
    adj[a].push_back(b);
    edge_of[{a, b}] = i;
  }
  for (auto& a : adj) std::sort(a.begin(), a.end());
  bool cut = false;
  std::vector<uint32_t> comp;
  auto cycles = ElementaryCycles(adj, opts_.max_length, opts_.max_cycles, &cut, &comp);
  if (cut) {
    notes.push_back("lock-order: cycle enumeration stopped after " +
                    std::to_string(cycles.size()) + " cycles (of at most " +
                    std::to_string(opts_.max_length) + " locks); more may exist");
  } else {
    // A component of several locks holds a cycle; one without any found has only longer ones.
    std::map<uint32_t, uint32_t> size, found;
    for (uint32_t c : comp) ++size[c];
    for (const auto& cyc : cycles) ++found[comp[cyc[0]]];
    for (const auto& [c, n] : size) {
      if (n < 2 || found.count(c)) continue;
      notes.push_back("lock-order: " + std::to_string(n) + " locks take each other in a cycle " +
                      "longer than " + std::to_string(opts_.max_length) +
                      " locks, not searched (--max-cycle-length)");
    }
  }
  if (held_cut_ > 0) {
    notes.push_back("lock-order: " + std::to_string(held_cut_) + " acquisition(s) held more than " +
                    std::to_string(opts_.max_held_edges) +
                    " locks; only the outermost and innermost " +
                    std::to_string(opts_.max_held_edges / 2) + " got lock-order edges");
  }
  if (variants_cut_) {
    notes.push_back("lock-order: kept at most " + std::to_string(opts_.max_variants) +
                    " thread/lock-set variants per lock-order edge");
  }
  uint64_t budget = 5'000'000;
  bool reports_cut = false;
  for (const auto& nodes : cycles) {
    std::vector<uint32_t> cyc;
    for (size_t i = 0; i < nodes.size(); ++i) {
      cyc.push_back(edge_of[{nodes[i], nodes[(i + 1) % nodes.size()]}]);
    }
    std::vector<const Variant*> chosen;
    bool concurrent = false;
    // Failing distinct threads, a thread that takes the locks in both orders (held sets
    // still disjoint: no gate lock) deadlocks once these paths run in two threads.
    bool one_thread = false;
    if (!Choose(cyc, chosen, concurrent, budget, false)) {
      if (!Choose(cyc, chosen, concurrent, budget, true)) continue;
      one_thread = true;
      concurrent = false;
    }
    if (out.size() >= opts_.max_reports) {
      reports_cut = true;
      break;
    }
    RawFinding f;
    f.kind = "lock-order";
    f.severity = concurrent ? Severity::kError : Severity::kWarning;
    if (one_thread) {
      f.subkind = "one-thread";
      f.detail =
          "One thread takes these locks in both orders. It deadlocks only if these paths run "
          "in two threads at once; the lock order is still inconsistent.";
    } else if (!concurrent) {
      f.detail =
          "The threads of this cycle are ordered by thread start/join or a condition-variable "
          "signal in this run, so it could not deadlock here; the lock order is still "
          "inconsistent.";
    }
    for (size_t i = 0; i < cyc.size(); ++i) {
      const Edge& e = edges_[cyc[i]];
      const Variant& v = *chosen[i];
      RawEdge re;
      re.from = e.from;
      re.to = e.to;
      re.tid = v.tid;
      re.from_site = v.from_site;
      re.to_site = v.to_site;
      f.cycle.push_back(re);
      f.locks.push_back(e.from);
      f.tids.push_back(v.tid);
      f.sides.push_back(v.to_site);
    }
    f.sort_key = chosen.empty() ? 0 : chosen.front()->to_site.index;
    out.push_back(std::move(f));
  }
  if (budget == 0) {
    notes.push_back("lock-order: stopped checking thread assignments of cycles (budget spent)");
  }
  if (reports_cut) {
    notes.push_back("lock-order: reported the first " + std::to_string(opts_.max_reports) +
                    " cycles only");
  }
  return out;
}

}  // namespace threadlens::analysis
