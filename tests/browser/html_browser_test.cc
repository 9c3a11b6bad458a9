// Opens the HTML report from disk in headless Chromium with networking disabled. A probe
// script appended to the page measures every SVG, sorts and filters the findings table,
// looks for injected elements, and writes its results into the DOM, which --dump-dom
// prints. A screenshot is kept beside the test binary.
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "sample_reports.h"
#include "test_util.h"
#include "threadlens/reports/html_report.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;

// Runs in the page after the report's own script.
constexpr const char* kProbe = R"JS(
<script>
(function(){
  var out = {svgs: [], resources: performance.getEntriesByType('resource').length};
  document.querySelectorAll('.graph svg, .timeline svg').forEach(function(s){
    var r = s.getBoundingClientRect(); var b = s.getBBox();
    out.svgs.push({kind: s.closest('.graph') ? 'graph' : 'timeline', w: r.width, h: r.height, bw: b.width, bh: b.height});
  });
  out.scripts = document.querySelectorAll('script:not([type="application/json"])').length;
  // A finding's timeline: drawn from the shared spans, with its bars and access marks.
  var ft = document.querySelector('section.finding[data-kind="race"] .timeline svg');
  out.findingTimeline = ft ? {marks: ft.querySelectorAll('path.mark').length,
      bars: ft.querySelectorAll('rect.hold, rect.wait').length,
      lanes: Array.prototype.map.call(ft.querySelectorAll('text'), function(t){ return t.textContent; })} : null;
  // A hang's timeline draws the condition wait that never ended.
  var ht = document.querySelector('section.finding[data-kind="hang"] .timeline svg');
  out.hangCondWaits = ht ? ht.querySelectorAll('rect.cond-wait').length : -1;
  // A predicted finding's schedule: its own timeline, one lane per thread, moved and final
  // steps marked.
  var wt = document.querySelector('section.finding[data-kind="lock-order"] .witness-timeline svg');
  out.witness = wt ? {steps: wt.querySelectorAll('rect.step').length,
      moved: wt.querySelectorAll('rect.step.moved').length,
      final: wt.querySelectorAll('rect.step.final').length,
      w: wt.getBoundingClientRect().width, h: wt.getBoundingClientRect().height,
      lanes: Array.prototype.map.call(wt.querySelectorAll('text.lane'), function(t){ return t.textContent; }),
      hostile: Array.prototype.some.call(wt.querySelectorAll('title'), function(t){
        return t.textContent.indexOf('\x3cscript>alert(1)') >= 0; })} : null;
  // The contention trace's whole timeline: a hundred connection threads on one lane.
  var whole = null;
  document.getElementById('r2').querySelectorAll('.timeline svg').forEach(function(s){
    if (!whole && !s.closest('section.finding')) whole = s; });
  out.grouped = whole ? {h: whole.getBoundingClientRect().height,
      holds: whole.querySelectorAll('rect.hold').length,
      labels: Array.prototype.map.call(whole.querySelectorAll('text'), function(t){ return t.textContent; })} : null;
  out.imgs = document.querySelectorAll('img').length;
  out.bolds = document.querySelectorAll('b').length;
  // '\x3c' keeps the HTML parser from ending this script at the closing tag.
  var hostile = '\x3cscript>alert(1)\x3c/script>';
  out.hostileText = document.body.textContent.indexOf(hostile) >= 0;
  out.hostileInSvg = Array.prototype.some.call(document.querySelectorAll('.graph svg text'),
      function(t){ return t.textContent.indexOf(hostile) >= 0; });
  out.title = document.title;
  // Sort the first findings table by title, both ways.
  var t = document.querySelector('table.findings');
  function titles(){ return Array.prototype.map.call(t.tBodies[0].rows, function(r){ return r.cells[3].textContent.trim(); }); }
  out.before = titles();
  var th = t.querySelectorAll('thead th')[3];
  th.click(); out.asc = titles();
  th.click(); out.desc = titles();
  var num = t.querySelectorAll('thead th')[0];
  num.click(); num.click(); out.numDesc = Array.prototype.map.call(t.tBodies[0].rows, function(r){ return r.cells[0].textContent.trim(); });
  // Filter by kind, then by text.
  var f = t.previousElementSibling; var sel = f.querySelector('select'); var q = f.querySelector('input');
  sel.value = 'race'; sel.dispatchEvent(new Event('change'));
  function visible(){ return Array.prototype.filter.call(t.tBodies[0].rows, function(r){ return r.style.display !== 'none'; }).length; }
  out.raceRows = visible();
  sel.value = ''; sel.dispatchEvent(new Event('change'));
  q.value = 'Consumer'; q.dispatchEvent(new Event('input'));
  out.consumerRows = visible();
  q.value = ''; q.dispatchEvent(new Event('input'));
  out.allRows = visible();
  var pre = document.createElement('pre'); pre.id = 'probe-results';
  // Markers split in two so the script's own text in the dump never matches them.
  pre.textContent = 'RES' + 'ULTS:' + JSON.stringify(out) + ':END' + 'RES';
  document.body.appendChild(pre);
})();
</script>
)JS";

// --dump-dom prints the text with &, < and > as entities.
std::string Unescape(std::string s) {
  for (auto [from, to] :
       {std::pair{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}}) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + 1))
      s.replace(p, strlen(from), to);
  }
  return s;
}

std::string Chromium(const TempDir& dir, const std::string& args) {
  // Fresh profile, no network of any kind: the page must carry everything it shows.
  return "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync "
         "--disable-extensions --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' "
         "--user-data-dir=" +
         Quote(dir / "profile") + " " + args + " 2>/dev/null";
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand("command -v chromium").exit_code != 0)
      GTEST_SKIP() << "chromium is not installed";
    Report bugs = DeadlockReport();
    Report lo = LockOrderReport();
    // Predicted, with a schedule in which Audit's section runs before an earlier event of
    // Transfer's (a moved step), and a hostile name in one step.
    Finding& p = lo.findings[0];
    p.predicted = true;
    p.relation = "sync-preserving";
    p.witness = {{"main", 1, "create", "Transfer", "main.cc:3", 1},
                 {"main", 1, "create", "Audit", "main.cc:4", 2},
                 {"Audit", 3, "acquire", "audit_mu", "audit.cc:15", 9},
                 {"Transfer", 2, "write", "<script>alert(1)</script>", "bank.cc:8", 5},
                 {"Transfer", 2, "acquire", "accounts_mu", "bank.cc:9", 7},
                 {"Transfer", 2, "request", "audit_mu", "bank.cc:10", 11},
                 {"Audit", 3, "request", "accounts_mu", "audit.cc:16", 12}};
    bugs.findings.push_back(lo.findings[0]);
    bugs.lock_order.push_back(lo.lock_order[2]);
    bugs.findings.push_back(RaceReport().findings[0]);
    Report hang = HangReport();
    bugs.findings.push_back(hang.findings[0]);
    bugs.spans.push_back(hang.spans[0]);
    Report contention = ContentionReport();
    for (uint32_t i = 0; i < 100; ++i) {  // a thread per connection, each holding a lock once
      contention.threads.push_back({100 + i, "conn-" + std::to_string(i), 1, 0, 0});
      contention.spans.push_back({100 + i, "accounts_mu", "hold", 10 * i + 1, 10 * i + 6});
    }
    html_ = reports::HtmlReport({{"bank", bugs},
                                 {"hostile <i>name</i>", HostileReport()},
                                 {"contention", contention}});
  }
  std::string html_;
  TempDir dir_;
};

TEST_F(Browser, GraphsTimelinesSortingAndEscaping) {
  std::string page = html_;
  page.insert(page.rfind("</body>"), kProbe);
  WriteFile(dir_ / "report.html", page);
  auto r = RunCommand(Chromium(dir_, "--dump-dom file://" + dir_ / "report.html"));
  auto a = r.output.find("RESULTS:"), b = r.output.find(":ENDRES");
  ASSERT_TRUE(a != std::string::npos && b != std::string::npos && b > a)
      << r.output.substr(0, 2000);
  auto out = nlohmann::json::parse(Unescape(r.output.substr(a + 8, b - a - 8)));

  // 4 findings + whole trace: graphs and timelines for every trace section.
  int graphs = 0, timelines = 0;
  for (auto& s : out["svgs"]) {
    (s["kind"] == "graph" ? graphs : timelines)++;
    EXPECT_GT(s["w"].get<double>(), 10) << s;
    EXPECT_GT(s["h"].get<double>(), 10) << s;
    EXPECT_GT(s["bw"].get<double>(), 10) << s;
    EXPECT_GT(s["bh"].get<double>(), 10) << s;
  }
  EXPECT_GE(graphs, 8);
  EXPECT_GE(timelines, 8);
  EXPECT_EQ(out["resources"], 0) << "the page fetched something";
  ASSERT_TRUE(out["findingTimeline"].is_object()) << "no timeline drawn for the race";
  EXPECT_EQ(out["findingTimeline"]["marks"], 2) << out["findingTimeline"];
  EXPECT_GE(out["findingTimeline"]["bars"], 1) << out["findingTimeline"];
  // The race's two threads (tids 2 and 3 here) get the lanes.
  EXPECT_NE(out["findingTimeline"]["lanes"].dump().find("Transfer"), std::string::npos)
      << out["findingTimeline"];

  EXPECT_GE(out["hangCondWaits"], 1) << "the hang's timeline shows no condition wait";

  // The witness timeline: 7 steps, Audit's acquisition moved ahead of Transfer's earlier
  // write and acquisition, the two requests final; the hostile name is tooltip text only.
  ASSERT_TRUE(out["witness"].is_object()) << "no witness timeline drawn";
  EXPECT_EQ(out["witness"]["steps"], 7) << out["witness"];
  EXPECT_EQ(out["witness"]["moved"], 1) << out["witness"];
  EXPECT_EQ(out["witness"]["final"], 2) << out["witness"];
  EXPECT_EQ(out["witness"]["lanes"], nlohmann::json({"main", "Audit", "Transfer"}));
  EXPECT_GT(out["witness"]["w"].get<double>(), 100);
  EXPECT_GT(out["witness"]["h"].get<double>(), 40);
  EXPECT_TRUE(out["witness"]["hostile"].get<bool>());

  // Hostile names: shown as text, never turned into elements.
  EXPECT_EQ(out["scripts"], 2);  // the report's and the probe's
  EXPECT_EQ(out["imgs"], 0);
  EXPECT_TRUE(out["hostileText"].get<bool>());
  EXPECT_TRUE(out["hostileInSvg"].get<bool>());
  EXPECT_EQ(out["title"], "threadlens report");

  // Sorting: ascending, then descending, by the clicked column.
  auto before = out["before"].get<std::vector<std::string>>();
  auto asc = out["asc"].get<std::vector<std::string>>();
  auto desc = out["desc"].get<std::vector<std::string>>();
  ASSERT_EQ(before.size(), 4u);
  auto lower = [](std::vector<std::string> v) {
    for (auto& s : v) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return v;
  };
  auto asc_lower = lower(asc);
  EXPECT_TRUE(std::is_sorted(asc_lower.begin(), asc_lower.end())) << out["asc"];
  EXPECT_NE(before, asc);
  std::reverse(desc.begin(), desc.end());
  EXPECT_EQ(desc, asc);
  EXPECT_EQ(out["numDesc"], nlohmann::json({"4", "3", "2", "1"}));
  EXPECT_EQ(out["raceRows"], 1);
  EXPECT_EQ(out["consumerRows"], 1);
  EXPECT_EQ(out["allRows"], 4);

  // Past 64 threads, those of one name share a lane, and every one's span is drawn on it.
  ASSERT_TRUE(out["grouped"].is_object()) << "no whole-trace timeline for the contention trace";
  EXPECT_NE(out["grouped"]["labels"].dump().find("conn (100)"), std::string::npos)
      << out["grouped"]["labels"];
  EXPECT_GE(out["grouped"]["holds"], 100) << out["grouped"];
  EXPECT_LT(out["grouped"]["h"].get<double>(), 400) << out["grouped"];
}

TEST_F(Browser, Screenshot) {
  WriteFile(dir_ / "report.html", html_);
  std::string png = std::string(THREADLENS_BINARY_DIR) + "/tests/browser/html_report.png";
  std::filesystem::remove(png);
  RunCommand(Chromium(dir_, "--window-size=1280,3000 --screenshot=" + Quote(png) + " file://" +
                                dir_ / "report.html"));
  std::string bytes = ReadFile(png);
  ASSERT_GT(bytes.size(), 20000u) << "no screenshot at " << png;
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
}

}  // namespace
}  // namespace threadlens
