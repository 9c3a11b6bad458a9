// The HTML report's content: counts, table rows, sections, snippets, escaping, index pages.
// (tests/browser/ opens the page in a real browser.)
#include "threadlens/reports/html_report.h"

#include <gtest/gtest.h>

#include <regex>

#include "sample_reports.h"
#include "test_util.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;
using reports::HtmlReport;
using reports::NamedReport;

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlReport, HostileNamesStayText) {
  std::string html = HtmlReport({{"<i>prog</i>", HostileReport()}});
  // Exactly one script element: ours.
  EXPECT_EQ(Count(html, "<script"), 1u);
  EXPECT_EQ(Count(html, "<img"), 0u);
  EXPECT_EQ(Count(html, "<i>prog"), 0u);
  EXPECT_EQ(Count(html, "<b>bold"), 0u);
  EXPECT_GT(Count(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), 3u);
  EXPECT_GT(Count(html, "evil&lt;script&gt;alert(3)"), 0u);
}

TEST(HtmlReport, SelfContained) {
  std::string html = HtmlReport({{"bank", DeadlockReport()}, {"race", RaceReport()}});
  EXPECT_EQ(Count(html, "src=\"http"), 0u);
  EXPECT_EQ(Count(html, "href=\"http"), 0u);
  EXPECT_EQ(Count(html, "<link"), 0u);
  EXPECT_EQ(Count(html, "@import"), 0u);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST(HtmlReport, OneRowAndOneSectionPerFinding) {
  Report r = DeadlockReport();
  Report lo = LockOrderReport();
  r.findings.push_back(lo.findings[0]);
  r.findings.push_back(RaceReport().findings[0]);
  std::string html = HtmlReport({{"bank", r}});
  EXPECT_EQ(Count(html, "<section class=\"finding"), 3u);
  EXPECT_EQ(Count(html, "<tr data-kind="), 3u);
  EXPECT_NE(html.find("<div class=\"count\" data-kind=\"race\"><b>1</b>race"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"count\" data-kind=\"hang\"><b>0</b>hang"), std::string::npos);
  // Every finding has a graph and a timeline.
  EXPECT_GE(Count(html, "<div class=\"graph\"><svg"), 3u);
  EXPECT_GE(Count(html, "class=\"timeline-svg\""), 3u);
}

TEST(HtmlReport, SnippetHighlightsTheLine) {
  std::string html = HtmlReport({{"bank", RaceReport()}});
  EXPECT_NE(
      html.find(
          "<span class=\"hl\">   20    balance += amount;  // line 20: unprotected write</span>"),
      std::string::npos);
  EXPECT_NE(html.find("<span class=\"hl\">   24    return balance;"), std::string::npos);
}

TEST(HtmlReport, MissingSourceMeansNoSnippet) {
  Report r = RaceReport();
  for (auto& a : r.findings[0].accesses) a.stack[0].file = "/nonexistent/bank.cc";
  std::string html = HtmlReport({{"bank", r}});
  EXPECT_EQ(Count(html, "class=\"snippet\""), 0u);
  EXPECT_NE(html.find("/nonexistent/bank.cc:20"), std::string::npos);
}

TEST(HtmlReport, SourceRootsFindRelativeFiles) {
  Report r = RaceReport();
  for (auto& a : r.findings[0].accesses) a.stack[0].file = "testdata/bank.cc";
  reports::HtmlOptions o;
  o.source_roots = {std::string(THREADLENS_SOURCE_DIR) + "/tests/reports"};
  EXPECT_EQ(Count(HtmlReport({{"bank", r}}, o), "class=\"snippet\""), 2u);
}

TEST(HtmlReport, DeadlockScenarioHasTwoColumns) {
  std::string html = HtmlReport({{"bank", DeadlockReport()}});
  EXPECT_NE(html.find("grid-template-columns:repeat(2,1fr)"), std::string::npos);
  EXPECT_EQ(Count(html, "*** blocked ***"), 2u);
}

TEST(HtmlReport, ContentionTable) {
  std::string html = HtmlReport({{"bank", ContentionReport()}});
  EXPECT_NE(html.find("<table class=\"sortable contention\">"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">40.0</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">5.0</td>"), std::string::npos);
}

TEST(HtmlReport, SeveralTracesGetAnIndex) {
  std::string html =
      HtmlReport({{"deadlock", DeadlockReport()}, {"race", RaceReport()}, {"hang", HangReport()}});
  EXPECT_NE(html.find("<table class=\"sortable index\">"), std::string::npos);
  EXPECT_NE(html.find("href=\"#r2\""), std::string::npos);
  EXPECT_EQ(Count(html, "<section class=\"trace\""), 3u);
}

TEST(HtmlReport, CleanTraceSaysSo) {
  Report r;
  r.trace = "clean.tltrace";
  std::string html = HtmlReport({{"clean", r}});
  EXPECT_NE(html.find("No concurrency bugs found."), std::string::npos);
}

TEST(HtmlReport, DirectoryHasIndexAndOnePagePerTrace) {
  TempDir dir;
  auto written = reports::WriteHtmlReportDir(
      dir / "out", {{"dead lock/1", DeadlockReport()}, {"race", RaceReport()}});
  ASSERT_EQ(written.size(), 3u);
  std::string index = ReadFile(written[0]);
  EXPECT_NE(index.find("href=\"1-dead_lock_1.html\""), std::string::npos) << index;
  EXPECT_NE(index.find("href=\"2-race.html\""), std::string::npos);
  std::string page = ReadFile(dir / "out/2-race.html");
  EXPECT_NE(page.find("data race on balance"), std::string::npos);
  EXPECT_NE(page.find("href=\"index.html\""), std::string::npos);
}

TEST(HtmlReport, TimelineMarksTheFindingsAccesses) {
  Report r = RaceReport();
  std::string svg = reports::TimelineSvg(r, &r.findings[0]);
  EXPECT_EQ(Count(svg, "class=\"mark\""), 2u);
  EXPECT_EQ(Count(svg, "class=\"hold\""), 1u);
  // The accesses at 200 and 260 of 500 ticks: the view zooms to [175, 285] (a margin of
  // 5% of the trace each side) over the 760px plot after the 140px label column.
  EXPECT_NE(svg.find("M312.727 "), std::string::npos) << svg;
  EXPECT_NE(svg.find("M727.273 "), std::string::npos) << svg;
  // The whole-trace timeline does not zoom: the hold [250, 300] starts at 140 + 760/2.
  EXPECT_NE(reports::TimelineSvg(r).find("x=\"520\""), std::string::npos);
}

}  // namespace
}  // namespace threadlens
