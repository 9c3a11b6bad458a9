// The HTML report's content: counts, table rows, sections, snippets, escaping, index pages.
// (tests/browser/ opens the page in a real browser.)
#include "threadlens/reports/html_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
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
  // Exactly one script element that runs: ours; and the span data block.
  EXPECT_EQ(Count(html, "<script>"), 1u);
  EXPECT_EQ(Count(html, "<script"), 2u);
  EXPECT_EQ(Count(html, "<script type=\"application/json\""), 1u);
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
  EXPECT_GE(Count(html, "<div class=\"timeline\" data-timeline="), 3u);
}

// A finding `threadlens confirm` confirmed carries a badge with the confirming trace; one it
// could not confirm says so; the others have neither.
TEST(HtmlReport, ConfirmedFindingsAreMarked) {
  Report r = LockOrderReport();
  r.findings[0].confirmed = true;
  r.findings[0].confirmed_trace = "bank.confirm.tltrace";
  std::string html = HtmlReport({{"bank", r}});
  EXPECT_EQ(Count(html, "class=\"badge confirmed\""), 1u);
  EXPECT_NE(html.find("title=\"bank.confirm.tltrace\">confirmed</span>"), std::string::npos);
  r.findings[0].confirmed = false;
  html = HtmlReport({{"bank", r}});
  EXPECT_EQ(Count(html, "class=\"badge confirmed\""), 0u);
  EXPECT_EQ(Count(html, "class=\"badge unconfirmed\""), 1u);
  EXPECT_EQ(Count(HtmlReport({{"bank", LockOrderReport()}}), "confirmed\""), 0u);
}

// The confirming run's trace is analyzed and shown in a section of its own (its graph and
// timeline), and the badge links there; a confirming trace that is gone leaves the badge alone.
TEST(HtmlReport, AConfirmedFindingLinksToItsConfirmingRun) {
  TempDir dir;
  const std::string run = dir.path() + "/bank.confirm.std";
  {
    std::ofstream out(run);
    out << "T1|fork(T2)|1\nT1|acq(a)|2\nT2|acq(b)|3\nT1|req(b)|4\nT2|req(a)|5\n";
  }
  Report r = LockOrderReport();
  r.findings[0].confirmed = true;
  r.findings[0].confirmed_trace = run;
  reports::HtmlOptions o;
  const auto shown = reports::WithConfirmingRuns({{"bank", r}}, o);
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1].report.trace, run);
  EXPECT_NE(shown[1].name.find("confirming run of"), std::string::npos);
  const std::string html = HtmlReport(shown, o);
  EXPECT_NE(html.find("<a class=\"confirming\" href=\"#r1\">"), std::string::npos);
  EXPECT_NE(html.find("<section class=\"trace\" id=\"r1\">"), std::string::npos);
  EXPECT_GE(Count(html, "<div class=\"timeline\" data-timeline="), 2u);

  r.findings[0].confirmed_trace = dir.path() + "/gone.tltrace";
  reports::HtmlOptions none;
  EXPECT_EQ(reports::WithConfirmingRuns({{"bank", r}}, none).size(), 1u);
  EXPECT_EQ(Count(HtmlReport({{"bank", r}}, none), "class=\"confirming\""), 0u);
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
  // A note for several locks first taken at one place says how many more.
  Report grouped = ContentionReport();
  for (Finding& f : grouped.findings) {
    if (f.kind == "contention" && f.locks == std::vector<std::string>{"audit_mu"}) {
      f.contention->locks = 3;
    }
  }
  html = HtmlReport({{"bank", grouped}});
  EXPECT_NE(html.find("<code>audit_mu and 2 more</code>"), std::string::npos);
  EXPECT_EQ(html.find("accounts_mu and"), std::string::npos);
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

// The data-view attributes of the page's timelines, parsed, in page order.
std::vector<nlohmann::json> TimelineViews(const std::string& html) {
  std::vector<nlohmann::json> out;
  const std::string key = "data-view=\"";
  for (size_t p = html.find(key); p != std::string::npos; p = html.find(key, p + 1)) {
    size_t end = html.find('"', p + key.size());
    std::string v = html.substr(p + key.size(), end - p - key.size());
    for (auto [from, to] : {std::pair<std::string, std::string>{"&quot;", "\""},
                            {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&amp;", "&"}}) {
      for (size_t q = v.find(from); q != std::string::npos; q = v.find(from, q + 1))
        v.replace(q, from.size(), to);
    }
    out.push_back(nlohmann::json::parse(v));
  }
  return out;
}

// A recording of several processes: the lanes go process by process (pid order, whatever
// the order the threads started in), each lane with its pid for the line between processes.
TEST(HtmlReport, TimelineLanesGoProcessByProcess) {
  Report r = RaceReport();
  r.pids = {41, 42};
  for (ThreadInfo& t : r.threads) t.pid = t.tid == 2 ? 42 : 41;
  auto views = TimelineViews(HtmlReport({{"race", r}}));
  ASSERT_FALSE(views.empty());
  const auto& lanes = views[0]["lanes"];
  ASSERT_EQ(lanes.size(), r.threads.size());
  std::vector<int> pids;
  for (const auto& l : lanes) {
    ASSERT_EQ(l.size(), 3u) << l.dump();
    pids.push_back(l[2]);
  }
  EXPECT_TRUE(std::is_sorted(pids.begin(), pids.end())) << lanes.dump();
  EXPECT_EQ(pids.back(), 42);
  const auto one = TimelineViews(HtmlReport({{"race", RaceReport()}}));
  EXPECT_EQ(one[0]["lanes"][0].size(), 2u) << "one process: lanes as before";
}

// A server with a thread per connection: past 64 threads, the whole trace's timeline puts
// the threads of one name (less a trailing number or tid) on one lane, listing their tids, and the
// unnamed ones on another; a finding's threads and a thread blocked at the end keep theirs.
// A finding's own timeline still has a lane per thread.
TEST(HtmlReport, ManyThreadsOfOneNameShareALane) {
  Report r = RaceReport();  // main, Depositor, Reader: tids 1-3
  for (uint32_t i = 0; i < 100; ++i) {
    r.threads.push_back({100 + i, "conn-" + std::to_string(i), 1, 0, 0});
    r.threads.push_back({300 + i, "", 1, 0, 0});
    r.spans.push_back({100 + i, "accounts_mu", "hold", 10 + i, 11 + i});
  }
  for (uint32_t i = 0; i < 70; ++i) {  // one name, told apart by tid
    r.threads.push_back({600 + i, "pool (T" + std::to_string(600 + i) + ")", 1, 0, 0});
  }
  r.threads.push_back({500, "conn-100", 1, 0, 0, true});  // blocked at the end
  r.findings[0].accesses[1].tid = 142;  // the reader is now one of the connections
  auto views = TimelineViews(HtmlReport({{"race", r}}));
  ASSERT_EQ(views.size(), 2u);
  const auto& lanes = views[0]["lanes"];
  std::vector<std::string> labels;
  for (const auto& l : lanes) labels.push_back(l[1]);
  EXPECT_EQ(labels, (std::vector<std::string>{"main", "Depositor", "Reader", "conn (99)",
                                              "threads (100)", "conn-42", "pool (70)",
                                              "conn-100 (blocked)"}))
      << lanes.dump().substr(0, 400);
  ASSERT_TRUE(lanes[3][0].is_array());
  EXPECT_EQ(lanes[3][0].size(), 99u);
  EXPECT_EQ(lanes[3][0][0], 100);
  EXPECT_EQ(lanes[4][0].size(), 100u);
  EXPECT_EQ(lanes[5][0], 142);
  EXPECT_EQ(views[1]["lanes"].size(), 3u);  // the finding's: Depositor, Reader (named), conn-42
  // At 64 threads, a lane each.
  Report few = RaceReport();
  for (uint32_t i = 0; i < 61; ++i) few.threads.push_back({100 + i, "conn-" + std::to_string(i), 1, 0, 0});
  EXPECT_EQ(TimelineViews(HtmlReport({{"race", few}}))[0]["lanes"].size(), 64u);
}

TEST(HtmlReport, TimelineMarksTheFindingsAccesses) {
  Report r = RaceReport();
  std::string html = HtmlReport({{"race", r}});
  // The spans once; the whole trace's timeline and the finding's draw from them.
  EXPECT_EQ(Count(html, "class=\"timeline-data\""), 1u);
  auto views = TimelineViews(html);
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0]["focus"], false);
  EXPECT_EQ(views[0]["window"], nlohmann::json({0, 500}));  // the whole trace does not zoom
  EXPECT_EQ(views[0]["lanes"].size(), 3u);
  auto& v = views[1];
  EXPECT_EQ(v["focus"], true);
  // The accesses at 200 and 260 of 500 ticks: the view zooms to [175, 285], a margin of 5%
  // of the trace each side.
  EXPECT_EQ(v["window"], nlohmann::json({175, 285}));
  ASSERT_EQ(v["lanes"].size(), 2u);
  EXPECT_EQ(v["lanes"][0][1], "Depositor");
  EXPECT_EQ(v["lanes"][1][1], "Reader");
  ASSERT_EQ(v["marks"].size(), 2u);
  EXPECT_EQ(v["marks"][0][0], 0);
  EXPECT_EQ(v["marks"][0][1], 200);
  EXPECT_EQ(v["marks"][1][0], 1);
  EXPECT_EQ(v["marks"][1][1], 260);
  EXPECT_EQ(v["hot"], nlohmann::json({"accounts_mu"}));
}

TEST(HtmlReport, TimelineDataCannotEndItsScriptElement) {
  Report r = RaceReport();
  r.spans[0].object = "</script><script>alert(1)</script>";
  std::string html = HtmlReport({{"race", r}});
  EXPECT_EQ(Count(html, "</script><script>alert"), 0u);
  EXPECT_EQ(Count(html, "\\u003c/script>\\u003cscript>alert(1)"), 1u);
}

// Fifty races on a long trace: each finding's timeline used to carry its own copy of the
// spans in view (30 MB for a real program's 53 races).
TEST(HtmlReport, ManyFindingsOnALongTraceStaySmall) {
  Report r;
  r.trace = "long.tltrace";
  r.end_ticks = 100'000'000;
  for (uint32_t t = 1; t <= 8; ++t) r.threads.push_back({t, "T" + std::to_string(t), 0, 0, 0});
  for (uint64_t i = 0; i < 100'000; ++i) {
    uint64_t begin = i * 1000;
    r.spans.push_back({static_cast<uint32_t>(i % 8 + 1), "mu" + std::to_string(i % 16),
                       i % 5 ? "hold" : "wait", begin, begin + 700});
  }
  Report race = RaceReport();
  for (int i = 0; i < 50; ++i) {
    Finding f = race.findings[0];
    f.threads = {"T1", "T2"};
    f.accesses[0].thread = "T1", f.accesses[0].tid = 1;
    f.accesses[1].thread = "T2", f.accesses[1].tid = 2;
    f.accesses[0].ts = 1'000'000 + i * 1'900'000;
    f.accesses[1].ts = f.accesses[0].ts + 5000;
    f.fingerprint = std::to_string(1000000000000000 + i);
    r.findings.push_back(f);
  }
  reports::HtmlOptions o;
  o.source_snippets = false;
  std::string html = HtmlReport({{"long", r}}, o);
  EXPECT_EQ(Count(html, "<section class=\"finding"), 50u);
  EXPECT_EQ(TimelineViews(html).size(), 51u);
  EXPECT_LT(html.size(), 3u << 20) << "bytes: " << html.size();
}

}  // namespace
}  // namespace threadlens
