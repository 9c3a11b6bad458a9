// DOT writers against golden files, and SVG rendering through libgvc.
#include "threadlens/reports/graphs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "sample_reports.h"
#include "test_util.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;
using reports::FindingDot;
using reports::RenderSvg;

// Compares with tests/reports/golden/<name>; THREADLENS_UPDATE_GOLDEN=1 rewrites the file.
void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/golden/" + name;
  if (std::getenv("THREADLENS_UPDATE_GOLDEN")) WriteFile(path, actual);
  EXPECT_EQ(ReadFile(path), actual)
      << "golden " << name << " differs; rerun with THREADLENS_UPDATE_GOLDEN=1 "
      << "after checking the new output";
}

TEST(Graphs, DeadlockWaitForMatchesGolden) {
  Report r = DeadlockReport();
  ExpectGolden("deadlock_wait_for.dot", FindingDot(r.findings[0], r));
}

TEST(Graphs, LockOrderMatchesGolden) {
  Report r = LockOrderReport();
  ExpectGolden("lock_order_finding.dot", FindingDot(r.findings[0], r));
  ExpectGolden("lock_order_trace.dot", reports::TraceLockOrderDot(r));
}

TEST(Graphs, RaceMatchesGolden) {
  Report r = RaceReport();
  ExpectGolden("race.dot", FindingDot(r.findings[0], r));
}

TEST(Graphs, DeadlockCycleIsRedBothWays) {
  Report r = DeadlockReport();
  std::string dot = reports::WaitForDot(r.findings[0]);
  // Two threads, two locks, four edges, all on the cycle.
  std::regex red("->[^\\n]*#d62728");
  auto n = std::distance(std::sregex_iterator(dot.begin(), dot.end(), red), std::sregex_iterator());
  EXPECT_EQ(n, 4) << dot;
  EXPECT_NE(dot.find("waits for"), std::string::npos);
  EXPECT_NE(dot.find("held by"), std::string::npos);
}

TEST(Graphs, LockOrderEdgesOffTheCycleAreGrey) {
  Report r = LockOrderReport();
  std::string dot = reports::TraceLockOrderDot(r);
  std::regex edge("(\\w+) -> (\\w+) \\[label=\"([^\"]*)\", color=\"([^\"]+)\"");
  int red = 0, grey = 0;
  for (auto it = std::sregex_iterator(dot.begin(), dot.end(), edge); it != std::sregex_iterator();
       ++it) {
    ((*it)[4] == "#d62728" ? red : grey)++;
    if ((*it)[3].str().find("log_mu") == std::string::npos && (*it)[4] != "#d62728") {
      // only the accounts_mu -> log_mu edge is off the cycle
      EXPECT_NE((*it)[3].str().find("x3"), std::string::npos) << (*it)[0];
    }
  }
  EXPECT_EQ(red, 2);
  EXPECT_EQ(grey, 1);
  EXPECT_NE(dot.find("Transfer@bank.cc:10"), std::string::npos);
}

TEST(Graphs, TraceGraphCapKeepsCycleEdges) {
  Report r = LockOrderReport();
  for (int i = 0; i < 50; ++i)
    r.lock_order.push_back({"x" + std::to_string(i), "y", {"T"}, {}, {}, 1});
  std::rotate(r.lock_order.begin(), r.lock_order.begin() + 3,
              r.lock_order.end());  // cycle edges last
  std::string dot = reports::TraceLockOrderDot(r, 5);
  EXPECT_NE(dot.find("48 of 53 edges not drawn"), std::string::npos) << dot;
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '>'), 5 + 0) << dot;  // 5 "->"
  EXPECT_NE(dot.find("Audit@bank.cc:16"), std::string::npos);
}

TEST(Graphs, HostileNamesCannotBreakOutOfLabels) {
  Report r = HostileReport();
  std::string dot = FindingDot(r.findings[0], r);
  EXPECT_NE(dot.find("T\\\"<b>bold</b>&amp;amp;"), std::string::npos) << dot;
  std::string svg = RenderSvg(dot);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << svg;
}

TEST(Graphs, SvgIsRenderedInProcess) {
  Report r = DeadlockReport();
  std::string svg = RenderSvg(FindingDot(r.findings[0], r));
  ASSERT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 200);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(svg, m, std::regex("viewBox=\"[-0-9.]+ [-0-9.]+ ([0-9.]+) ([0-9.]+)\"")));
  EXPECT_GT(std::stod(m[1]), 50.0);
  EXPECT_GT(std::stod(m[2]), 20.0);
  EXPECT_NE(svg.find("accounts_mu"), std::string::npos);
}

TEST(Graphs, JoinWaitsForAThread) {
  Report r = HangReport();
  Finding& f = r.findings[0];
  f.subkind = "join";
  f.accesses[0].op = "join";
  f.accesses[0].object = "Worker";
  std::string dot = reports::WaitForDot(f);
  EXPECT_NE(dot.find("[label=\"Worker\", shape=box"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[label=\"joins\""), std::string::npos) << dot;
}

// Threads of a recording of several processes are named "pid N T..": each process's threads
// are drawn in a box of their own; the locks between them stay outside.
TEST(Graphs, ThreadsOfEachProcessAreAClusterOfTheirOwn) {
  Report r = DeadlockReport();
  Finding& f = r.findings[0];
  auto rename = [](std::string& n) {
    if (n == "Transfer") n = "pid 41 T2 (Transfer)";
    if (n == "Audit") n = "pid 42 T1 (Audit)";
  };
  for (Access& a : f.accesses) rename(a.thread);
  for (CycleEdge& e : f.cycle) {
    rename(e.from);
    rename(e.to);
    rename(e.thread);
  }
  std::string dot = reports::WaitForDot(f);
  EXPECT_NE(dot.find("subgraph cluster_p41 {"), std::string::npos) << dot;
  EXPECT_NE(dot.find("subgraph cluster_p42 {"), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"process 41\""), std::string::npos) << dot;
  EXPECT_EQ(reports::WaitForDot(DeadlockReport().findings[0]).find("subgraph"), std::string::npos)
      << "one process: no cluster";
}

TEST(Graphs, MalformedDotIsAnError) { EXPECT_THROW(RenderSvg("digraph { a -> "), Error); }

TEST(Graphs, ReportDotIsOneGraphWithAClusterPerView) {
  Report r = DeadlockReport();
  std::string dot = reports::ReportDot(r);
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t p = dot.find(needle); p != std::string::npos; p = dot.find(needle, p + 1)) ++n;
    return n;
  };
  // A .dot file holds one graph: `dot` draws only the first.
  EXPECT_EQ(count("digraph"), 1u) << dot;
  EXPECT_EQ(count("subgraph cluster_"), 2u) << dot;  // whole-trace lock order and wait-for
  EXPECT_NO_THROW(RenderSvg(dot));
  Report empty;
  EXPECT_NE(reports::ReportDot(empty).find("label=\"no lock-order edges"), std::string::npos);
}

}  // namespace
}  // namespace threadlens
