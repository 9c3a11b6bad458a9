// DOT writers for wait-for, lock-order and race graphs (their SVG: graphviz_render.cc).
// Node ids are synthetic (t0, l1, v2): program-derived names only ever appear inside
// escaped labels, so no name can change the graph's structure or the SVG around it.
#include "threadlens/reports/graphs.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "render_util.h"

namespace threadlens::reports {
namespace {

constexpr const char* kRed = "#d62728";
constexpr const char* kGrey = "#9a9a9a";

// A small graph in insertion order, so the DOT text is deterministic (golden tests).
class DotGraph {
 public:
  enum class NodeKind { kThread, kLock, kVariable };

  std::string Node(NodeKind kind, const std::string& name) {
    auto key = std::make_pair(kind, name);
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    static const char kPrefix[] = {'t', 'l', 'v'};
    std::string id = kPrefix[static_cast<int>(kind)] + std::to_string(nodes_.size());
    ids_[key] = id;
    nodes_.push_back({id, kind, name});
    return id;
  }

  // Adds an edge unless the same (from, to, label) is there; returns its index.
  size_t Edge(const std::string& from, const std::string& to, const std::string& label,
              bool red = false, bool dashed = false) {
    for (size_t i = 0; i < edges_.size(); ++i) {
      auto& e = edges_[i];
      if (e.from == from && e.to == to && e.label == label) {
        e.red = e.red || red;
        return i;
      }
    }
    edges_.push_back({from, to, label, red, dashed});
    return edges_.size() - 1;
  }

  // Colours red every edge that lies on a directed cycle (u->v with u reachable from v).
  void MarkCycles() {
    std::map<std::string, std::vector<std::string>> adj;
    for (auto& e : edges_) adj[e.from].push_back(e.to);
    for (auto& e : edges_) {
      // Iterative DFS from e.to looking for e.from.
      std::set<std::string> seen{e.to};
      std::vector<std::string> todo{e.to};
      bool found = false;
      while (!todo.empty() && !found) {
        std::string n = todo.back();
        todo.pop_back();
        if (n == e.from) found = true;
        for (auto& m : adj[n]) {
          if (seen.insert(m).second) todo.push_back(m);
        }
      }
      if (found) e.red = true;
    }
  }

  bool empty() const { return nodes_.empty(); }
  size_t edge_count() const { return edges_.size(); }

  std::string Write(const std::string& name, const std::string& note = "") const {
    std::ostringstream o;
    o << "digraph \"" << DotEscape(name) << "\" {\n";
    WriteAttributes(o, note);
    WriteBody(o, "", "  ");
    o << "}\n";
    return o.str();
  }

  // The graph as `subgraph cluster_<prefix>` of a larger one; ids get `prefix` so several
  // clusters can share one graph.
  std::string WriteCluster(const std::string& prefix, const std::string& label) const {
    std::ostringstream o;
    o << "  subgraph cluster_" << prefix << " {\n"
      << "    graph [label=\"" << DotEscape(label) << "\", labeljust=l, color=\"#dfe3ea\"];\n";
    WriteBody(o, prefix + "_", "    ");
    o << "  }\n";
    return o.str();
  }

  static void WriteAttributes(std::ostream& o, const std::string& note) {
    o << "  graph [rankdir=LR, bgcolor=\"transparent\", fontname=\"Helvetica\", fontsize=10"
      << ", nodesep=0.4, ranksep=0.6";
    if (!note.empty()) o << ", labelloc=b, label=\"" << DotEscape(note) << "\"";
    o << "];\n"
      << "  node [fontname=\"Helvetica\", fontsize=10];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  }

 private:
  struct N {
    std::string id;
    NodeKind kind;
    std::string name;
  };
  struct E {
    std::string from, to, label;
    bool red = false, dashed = false;
  };

  // The pid of a thread named "pid 4242 T2 ..." (a recording of several processes), or "".
  static std::string ProcessOf(const N& n) {
    if (n.kind != NodeKind::kThread || n.name.rfind("pid ", 0) != 0) return "";
    size_t end = n.name.find_first_not_of("0123456789", 4);
    if (end == 4 || end == std::string::npos || n.name[end] != ' ') return "";
    return n.name.substr(4, end - 4);
  }

  void WriteBody(std::ostream& o, const std::string& prefix, const char* indent) const {
    // Threads of one process are drawn inside a box of their own.
    std::map<std::string, std::vector<const N*>> processes;
    for (auto& n : nodes_) {
      if (std::string pid = ProcessOf(n); !pid.empty()) {
        processes[pid].push_back(&n);
      } else {
        WriteNode(o, n, prefix, indent);
      }
    }
    const std::string inner = std::string(indent) + "  ";
    for (const auto& [pid, nodes] : processes) {
      o << indent << "subgraph cluster_" << prefix << "p" << pid << " {\n"
        << inner << "graph [label=\"process " << pid
        << "\", labeljust=l, style=dashed, color=\"#b0b8c8\"];\n";
      for (const N* n : nodes) WriteNode(o, *n, prefix, inner.c_str());
      o << indent << "}\n";
    }
    for (auto& e : edges_) {
      o << indent << prefix << e.from << " -> " << prefix << e.to << " [label=\""
        << DotEscape(e.label) << "\"";
      if (e.red)
        o << ", color=\"" << kRed << "\", fontcolor=\"" << kRed << "\", penwidth=2";
      else
        o << ", color=\"" << kGrey << "\", fontcolor=\"#555555\"";
      if (e.dashed) o << ", style=dashed";
      o << "];\n";
    }
  }

  static void WriteNode(std::ostream& o, const N& n, const std::string& prefix,
                        const char* indent) {
    {
      o << indent << prefix << n.id << " [label=\"" << DotEscape(n.name) << "\"";
      switch (n.kind) {
        case NodeKind::kThread:
          o << ", shape=box, style=\"rounded,filled\", fillcolor=\"#e8f0fe\"";
          break;
        case NodeKind::kLock:
          o << ", shape=ellipse, style=filled, fillcolor=\"#fff4e0\"";
          break;
        case NodeKind::kVariable:
          o << ", shape=diamond, style=filled, fillcolor=\"#fde8e8\"";
          break;
      }
      o << "];\n";
    }
  }

  std::map<std::pair<NodeKind, std::string>, std::string> ids_;
  std::vector<N> nodes_;
  std::vector<E> edges_;
};

using NK = DotGraph::NodeKind;

bool IsWaitOp(const std::string& op) {
  return op == "request" || op == "wait" || op == "join" || op == "acquire-blocked" ||
         op == "lock" || op == "sem-wait" || op == "cond-wait" || op == "acquire" ||
         op == "futex-wait" || op == "wait-process" || op == "pipe-read" || op == "pipe-write";
}

std::string OrderLabel(const std::string& thread, const Access& site) {
  std::string s = ShortSite(site);
  return s.empty() ? thread : thread + "@" + s;
}

std::string EdgeThreads(const LockOrderEdge& e) {
  std::string t;
  for (size_t i = 0; i < e.threads.size() && i < 3; ++i) t += (i ? "," : "") + e.threads[i];
  if (e.threads.size() > 3) t += ",+" + std::to_string(e.threads.size() - 3);
  return t;
}

// Adds one finding's wait-for edges to `g`.
void AddWaitFor(DotGraph& g, const Finding& f) {
  for (const Access& a : f.accesses) {
    if (a.thread.empty()) continue;
    std::string t = g.Node(NK::kThread, a.thread);
    for (const auto& h : a.held) g.Edge(g.Node(NK::kLock, h), t, "held by");
    // A wait for a child process of a cycle is drawn as the cycle's edge, to the child's thread.
    const bool process_wait =
        a.op == "wait-process" || a.op == "pipe-read" || a.op == "pipe-write";
    if (!a.object.empty() && IsWaitOp(a.op) && !(process_wait && !f.cycle.empty())) {
      // A join waits for a thread; everything else here waits for a lock-like object.
      bool join = f.subkind == "join" || a.op == "join";
      g.Edge(t, g.Node(join ? NK::kThread : NK::kLock, a.object), join ? "joins" : "waits for");
    }
  }
  for (const CycleEdge& e : f.cycle) {
    // Wait-for cycle edge: thread `from` waits for a lock that thread `to` holds.
    std::string lock = e.to_site.object;
    if (lock.empty()) continue;
    std::string waiter = e.from.empty() ? e.thread : e.from;
    if (e.to_site.op == "wait-process") {  // a child process ends by one of its threads
      g.Edge(g.Node(NK::kThread, waiter), g.Node(NK::kThread, e.to),
             "waits for " + lock + " to end");
      continue;
    }
    if (e.to_site.op == "pipe-read" || e.to_site.op == "pipe-write") {  // the other end's user
      g.Edge(g.Node(NK::kThread, waiter), g.Node(NK::kThread, e.to),
             (e.to_site.op == "pipe-read" ? "waits to read " : "waits to write to ") + lock);
      continue;
    }
    g.Edge(g.Node(NK::kThread, waiter), g.Node(NK::kLock, lock), "waits for");
    if (!e.to.empty()) g.Edge(g.Node(NK::kLock, lock), g.Node(NK::kThread, e.to), "held by");
  }
}

bool IsBlockingKind(const std::string& kind) {
  return kind == "deadlock" || kind == "self-deadlock" || kind == "hang";
}

}  // namespace

std::string WaitForDot(const Finding& f) {
  DotGraph g;
  AddWaitFor(g, f);
  g.MarkCycles();
  return g.Write("wait-for " + f.kind + " " + f.fingerprint);
}

std::string LockOrderDot(const Finding& f, const Report& r) {
  DotGraph g;
  std::set<std::pair<std::string, std::string>> on_cycle;
  for (const CycleEdge& e : f.cycle) {
    g.Edge(g.Node(NK::kLock, e.from), g.Node(NK::kLock, e.to), OrderLabel(e.thread, e.to_site),
           /*red=*/true);
    on_cycle.insert({e.from, e.to});
  }
  std::set<std::string> locks;
  for (const CycleEdge& e : f.cycle) locks.insert({e.from, e.to});
  for (const auto& l : f.locks) {
    if (locks.insert(l).second) g.Node(NK::kLock, l);
  }
  for (const LockOrderEdge& e : r.lock_order) {
    if (on_cycle.count({e.from, e.to}) || !locks.count(e.from) || !locks.count(e.to)) continue;
    g.Edge(g.Node(NK::kLock, e.from), g.Node(NK::kLock, e.to),
           OrderLabel(EdgeThreads(e), e.to_site));
  }
  return g.Write("lock-order " + f.fingerprint);
}

std::string RaceDot(const Finding& f) {
  DotGraph g;
  std::string var = !f.variables.empty()  ? f.variables.front()
                    : !f.accesses.empty() ? f.accesses.front().object
                                          : "?";
  std::string v = g.Node(NK::kVariable, var);
  for (const Access& a : f.accesses) {
    std::string t = g.Node(NK::kThread, a.thread);
    std::string site = ShortSite(a);
    // The writing side in red: a write, a free, an allocation.
    const bool writes = a.op == "write" || a.op == "free" || a.op == "allocate";
    g.Edge(t, v, a.op + (site.empty() ? "" : " @" + site), /*red=*/writes);
    for (const auto& h : a.held) g.Edge(t, g.Node(NK::kLock, h), "holds", false, true);
  }
  return g.Write("race " + f.fingerprint);
}

std::string FindingDot(const Finding& f, const Report& r) {
  if (f.kind == "lock-order") return LockOrderDot(f, r);
  if (f.kind == "race") return RaceDot(f);
  if (IsBlockingKind(f.kind) || f.kind == "misuse") {
    if (f.accesses.empty() && f.cycle.empty()) return "";
    return WaitForDot(f);
  }
  return "";
}

namespace {

// The whole-trace lock-order graph and the note on what a cap left out.
DotGraph TraceLockOrderGraph(const Report& r, size_t max_edges, std::string* note) {
  std::set<std::pair<std::string, std::string>> red;
  for (const Finding& f : r.findings) {
    if (f.kind != "lock-order") continue;
    for (const CycleEdge& e : f.cycle) red.insert({e.from, e.to});
  }
  // Red edges first so a cap never hides a cycle.
  std::vector<const LockOrderEdge*> edges;
  for (auto& e : r.lock_order) edges.push_back(&e);
  std::stable_partition(edges.begin(), edges.end(), [&](const LockOrderEdge* e) {
    return red.count({e->from, e->to}) > 0;
  });
  DotGraph g;
  // Only locks that take part in an edge are drawn; lone locks add noise.
  size_t shown = std::min(edges.size(), max_edges);
  for (size_t i = 0; i < shown; ++i) {
    const LockOrderEdge& e = *edges[i];
    std::string label = OrderLabel(EdgeThreads(e), e.to_site);
    if (e.count > 1) label += " (x" + std::to_string(e.count) + ")";
    g.Edge(g.Node(NK::kLock, e.from), g.Node(NK::kLock, e.to), label,
           red.count({e.from, e.to}) > 0);
  }
  note->clear();
  if (shown < edges.size()) {
    *note = std::to_string(edges.size() - shown) + " of " + std::to_string(edges.size()) +
            " edges not drawn";
  }
  return g;
}

DotGraph TraceWaitForGraph(const Report& r) {
  DotGraph g;
  for (const Finding& f : r.findings) {
    if (IsBlockingKind(f.kind)) AddWaitFor(g, f);
  }
  g.MarkCycles();
  return g;
}

}  // namespace

std::string TraceLockOrderDot(const Report& r, size_t max_edges) {
  std::string note;
  DotGraph g = TraceLockOrderGraph(r, max_edges, &note);
  return g.Write("lock-order (whole trace)", note);
}

std::string TraceWaitForDot(const Report& r) {
  DotGraph g = TraceWaitForGraph(r);
  if (g.empty()) return "";
  return g.Write("wait-for (end of trace)");
}

std::string ReportsDot(const std::vector<NamedReport>& reports) {
  std::ostringstream o;
  o << "digraph \"threadlens\" {\n";
  std::string clusters;
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i].report;
    std::string of = reports.size() > 1 ? " of " + reports[i].name : "";
    std::string note;
    DotGraph lo = TraceLockOrderGraph(r, 400, &note);
    if (!lo.empty()) {
      clusters += lo.WriteCluster("r" + std::to_string(i) + "lo",
                                  "lock order" + of + (note.empty() ? "" : " (" + note + ")"));
    }
    DotGraph wf = TraceWaitForGraph(r);
    if (!wf.empty())
      clusters += wf.WriteCluster("r" + std::to_string(i) + "wf", "wait-for at the end" + of);
  }
  // An empty graph renders as a blank image; say instead that there was nothing to draw.
  DotGraph::WriteAttributes(
      o, clusters.empty() ? "no lock-order edges and no blocked threads in the trace" : "");
  o << clusters << "}\n";
  return o.str();
}

std::string ReportDot(const Report& r) { return ReportsDot({{"", r}}); }

}  // namespace threadlens::reports
