// Graphviz views of the findings: the wait-for graph (threads and locks; "waits for" and
// "held by" edges) and the lock-order graph (locks; edges labelled thread@site), per finding
// and for the whole trace, plus in-process SVG rendering with libgvc.
#pragma once

#include <string>

#include <vector>

#include "threadlens/analyzer/findings.h"
#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

// Wait-for graph of one finding (deadlock, self-deadlock, hang, misuse): thread -> lock
// "waits for", lock -> thread "held by". Edges on a cycle are red.
std::string WaitForDot(const Finding& f);
// Lock-order graph of one cycle finding: its edges red, other edges of the trace's
// lock-order graph between the same locks grey.
std::string LockOrderDot(const Finding& f, const Report& r);
// A race drawn as the two threads, the variable, and the locks each side held.
std::string RaceDot(const Finding& f);
// The graph that best shows a finding, or "" when none helps (contention).
std::string FindingDot(const Finding& f, const Report& r);

// Whole trace: every lock-order edge, those on a reported cycle red, others grey. Graphs
// beyond `max_edges` keep the red edges first and say how many were left out.
std::string TraceLockOrderDot(const Report& r, size_t max_edges = 400);
// Whole trace: the union of the wait-for graphs of every blocking finding; "" if none.
std::string TraceWaitForDot(const Report& r);

// One graph (a .dot file holds one; `dot -Tpng` draws only the first): the whole-trace
// lock-order and wait-for graphs of every report, each a labelled cluster. With nothing to
// draw, a graph that says so. Per-finding graphs: FindingDot, one file each.
std::string ReportsDot(const std::vector<NamedReport>& reports);
std::string ReportDot(const Report& r);

// Lays out `dot` (one graph) with Graphviz's "dot" engine and returns the <svg> element,
// without the XML prolog, ready to inline in HTML. Throws Error on a malformed graph.
std::string RenderSvg(const std::string& dot);

}  // namespace threadlens::reports
