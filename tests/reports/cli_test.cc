// `threadlens check` and `threadlens report` end to end: exit codes for clean, failing,
// baselined and suppressed inputs, bad input, and the files `report` writes. Inputs are
// JSON findings reports of the hand-built samples, plus a small STD text trace analyzed
// for real.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sample_reports.h"
#include "test_util.h"
#include "threadlens/analyzer/findings_json.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;

std::string Cli() { return THREADLENS_CLI; }

class CheckTest : public ::testing::Test {
 protected:
  // Writes `r` as a JSON findings report and returns its path.
  std::string Json(const std::string& name, const Report& r) {
    std::string path = dir_ / (name + ".json");
    WriteFile(path, ToJson(r));
    return path;
  }
  CommandResult Check(const std::string& args) { return RunCommand(Cli() + " check " + args); }
  TempDir dir_;
};

Report CleanReport() {
  Report r = ContentionReport();
  r.findings.erase(r.findings.begin());  // keep the two contention notes only
  return r;
}

TEST_F(CheckTest, CleanExitsZero) {
  auto r = Check(Quote(Json("clean", CleanReport())));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("threadlens check: passed"), std::string::npos) << r.output;
}

TEST_F(CheckTest, FailingExitsOneAndPrintsWhatFailed) {
  auto r =
      Check(Quote(Json("clean", CleanReport())) + " " + Quote(Json("deadlock", DeadlockReport())));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("Transfer and Audit wait for each other"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("SUMMARY:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAILED: 1 failing"), std::string::npos) << r.output;
}

TEST_F(CheckTest, ExitZeroStillReports) {
  auto r = Check("--exit-zero " + Quote(Json("deadlock", DeadlockReport())));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("FAILED: 1 failing"), std::string::npos) << r.output;
}

TEST_F(CheckTest, FailOnSelectsKinds) {
  std::string dl = Quote(Json("deadlock", DeadlockReport()));
  EXPECT_EQ(Check("--fail-on race " + dl).exit_code, 0);
  EXPECT_EQ(Check("--fail-on race,deadlock " + dl).exit_code, 1);
  EXPECT_EQ(Check("--fail-on note " + Quote(Json("clean", CleanReport()))).exit_code, 1);
}

TEST_F(CheckTest, BaselinedFindingsPassNewOnesFail) {
  std::string base = Json("base", RaceReport());
  auto r = Check("--baseline " + Quote(base) + " " + Quote(Json("race", RaceReport())));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 finding is already in the baseline"), std::string::npos) << r.output;

  Report grown = RaceReport();
  grown.findings.push_back(DeadlockReport().findings[0]);
  r = Check("--baseline " + Quote(base) + " " + Quote(Json("grown", grown)));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED: 1 failing, 0 passing, 1 baselined"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("data race on balance"), std::string::npos)
      << "baselined race printed: " << r.output;
}

TEST_F(CheckTest, CheckWritesABaselineForTheNextRun) {
  std::string first = dir_ / "first.json";
  std::string race = Quote(Json("race", RaceReport()));
  EXPECT_EQ(Check("--exit-zero --json " + Quote(first) + " " + race).exit_code, 0);
  EXPECT_EQ(Check("--baseline " + Quote(first) + " " + race).exit_code, 0);
}

TEST_F(CheckTest, SuppressionsRemoveAndCount) {
  WriteFile(dir_ / "supp.txt", "# known\nrace:Deposit\ndeadlock:^Transfer$\n");
  Report both = RaceReport();
  both.findings.push_back(DeadlockReport().findings[0]);
  auto r = Check("--suppressions " + Quote(dir_ / "supp.txt") + " " + Quote(Json("both", both)));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("suppressions removed 2 findings: race:Deposit (1) deadlock:^Transfer$ (1)"),
      std::string::npos)
      << r.output;
  WriteFile(dir_ / "partial.txt", "race:Deposit\n");
  r = Check("--suppressions " + Quote(dir_ / "partial.txt") + " " + Quote(Json("both", both)));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("suppressions removed 1 finding:"), std::string::npos) << r.output;
}

TEST_F(CheckTest, BadInputExitsTwo) {
  std::string ok = Quote(Json("race", RaceReport()));
  EXPECT_EQ(Check(Quote(dir_ / "missing.tltrace")).exit_code, 2);
  WriteFile(dir_ / "junk.tltrace", "this is not a trace\x01\x02");
  EXPECT_EQ(Check(Quote(dir_ / "junk.tltrace")).exit_code, 2);
  EXPECT_EQ(Check("--fail-on racy " + ok).exit_code, 2);
  WriteFile(dir_ / "bad-supp.txt", "race\n");
  auto r = Check("--suppressions " + Quote(dir_ / "bad-supp.txt") + " " + ok);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad-supp.txt:1"), std::string::npos) << r.output;
  EXPECT_EQ(Check("--baseline " + Quote(dir_ / "none.json") + " " + ok).exit_code, 2);
  EXPECT_EQ(Check("").exit_code, 2);
}

TEST_F(CheckTest, RealAnalysisOfAnStdTrace) {
  // AB-BA from two threads that never overlapped: a lock-order cycle, not a deadlock.
  WriteFile(dir_ / "abba.std",
            "T1|acq(A)|1\nT1|acq(B)|2\nT1|rel(B)|3\nT1|rel(A)|4\n"
            "T2|acq(B)|5\nT2|acq(A)|6\nT2|rel(A)|7\nT2|rel(B)|8\n");
  auto r = Check(Quote(dir_ / "abba.std"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("lock-order"), std::string::npos) << r.output;
  WriteFile(dir_ / "ordered.std",
            "T1|acq(A)|1\nT1|acq(B)|2\nT1|rel(B)|3\nT1|rel(A)|4\n"
            "T2|acq(A)|5\nT2|acq(B)|6\nT2|rel(B)|7\nT2|rel(A)|8\n");
  r = Check(Quote(dir_ / "ordered.std"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(CheckTest, ColorFollowsTheFlagAndNoColor) {
  std::string dl = Quote(Json("deadlock", DeadlockReport()));
  EXPECT_NE(Check("--color always " + dl).output.find("\033["), std::string::npos);
  EXPECT_EQ(Check("--color never " + dl).output.find("\033["), std::string::npos);
  EXPECT_EQ(RunCommand("NO_COLOR=1 " + Cli() + " check --color auto " + dl).output.find("\033["),
            std::string::npos);
}

TEST_F(CheckTest, ReportWritesEveryFormat) {
  std::string in =
      Quote(Json("deadlock", DeadlockReport())) + " " + Quote(Json("race", RaceReport()));
  auto r =
      RunCommand(Cli() + " report " + in + " --html " + Quote(dir_ / "r.html") + " --html-dir " +
                 Quote(dir_ / "pages") + " --sarif " + Quote(dir_ / "r.sarif") + " --junit " +
                 Quote(dir_ / "r.xml") + " --chrome " + Quote(dir_ / "r.trace.json") + " --dot " +
                 Quote(dir_ / "r.dot") + " --json " + Quote(dir_ / "r.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(ReadFile(dir_ / "r.html").find("data race on balance"), std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "pages/index.html").find("href=\"2-bank"), std::string::npos);
  auto sarif = nlohmann::json::parse(ReadFile(dir_ / "r.sarif"));
  EXPECT_EQ(sarif["runs"][0]["results"].size(), 2u);
  EXPECT_NE(ReadFile(dir_ / "r.xml").find("<failure type=\"race\""), std::string::npos);
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(dir_ / "r.trace.json")).contains("traceEvents"));
  EXPECT_NE(ReadFile(dir_ / "r.dot").find("digraph"), std::string::npos);
  // Several reports in one JSON file read back as several reports.
  auto again = RunCommand(Cli() + " check " + Quote(dir_ / "r.json"));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("in 2 traces"), std::string::npos) << again.output;
  // No output file: the text report on stdout.
  auto text = RunCommand(Cli() + " report " + Quote(Json("race2", RaceReport())));
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.output.find("SUMMARY:"), std::string::npos) << text.output;
}

// Width and height from a PNG's IHDR chunk (0 x 0 when it is not a PNG).
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  if (png.size() < 24 || png.substr(1, 3) != "PNG") return {0, 0};
  auto be = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  return {be(16), be(20)};
}

TEST_F(CheckTest, DotFileIsOneGraphThatDotDraws) {
  if (RunCommand("command -v dot").exit_code != 0) GTEST_SKIP() << "graphviz dot not installed";
  Report dl = DeadlockReport(), lo = LockOrderReport();
  dl.program = "deadlock";  // the names the per-finding files start with
  lo.program = "lo";
  std::string in = Quote(Json("deadlock", dl)) + " " + Quote(Json("lo", lo));
  auto r = RunCommand(Cli() + " report " + in + " --dot " + Quote(dir_ / "r.dot") + " --dot-dir " +
                      Quote(dir_ / "graphs"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string dot = ReadFile(dir_ / "r.dot");
  size_t graphs = 0;
  for (size_t p = dot.find("digraph"); p != std::string::npos; p = dot.find("digraph", p + 1))
    ++graphs;
  EXPECT_EQ(graphs, 1u) << dot;
  // `dot -Tplain` lists what the picture holds: both traces' lock-order locks and the
  // threads of the deadlock's wait-for graph.
  auto plain = RunCommand("dot -Tplain " + Quote(dir_ / "r.dot"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  for (const char* node : {"accounts_mu", "audit_mu", "log_mu", "Transfer", "Audit"})
    EXPECT_NE(plain.output.find(std::string(" ") + node + " "), std::string::npos)
        << node << "\n" << plain.output;
  auto png = RunCommand("dot -Tpng " + Quote(dir_ / "r.dot") + " -o " + Quote(dir_ / "r.png"));
  ASSERT_EQ(png.exit_code, 0) << png.output;
  auto [w, h] = PngSize(ReadFile(dir_ / "r.png"));
  EXPECT_GT(w, 200u);  // an empty graph draws as an 8 x 8 blank
  EXPECT_GT(h, 100u);
  // One file per finding, each a graph of its own.
  for (const char* f : {"deadlock-1-deadlock.dot", "lo-1-lock-order.dot"}) {
    std::string one = ReadFile(dir_ / ("graphs/" + std::string(f)));
    ASSERT_FALSE(one.empty()) << f;
    auto g = RunCommand("dot -Tplain " + Quote(dir_ / ("graphs/" + std::string(f))));
    EXPECT_EQ(g.exit_code, 0) << g.output;
    EXPECT_NE(g.output.find(" audit_mu "), std::string::npos) << g.output;
  }
}

TEST_F(CheckTest, DotOfACleanTraceSaysSo) {
  if (RunCommand("command -v dot").exit_code != 0) GTEST_SKIP() << "graphviz dot not installed";
  Report clean;
  clean.trace = "clean.tltrace";
  auto r = RunCommand(Cli() + " report " + Quote(Json("clean", clean)) + " --dot " +
                      Quote(dir_ / "c.dot"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto png = RunCommand("dot -Tpng " + Quote(dir_ / "c.dot") + " -o " + Quote(dir_ / "c.png"));
  ASSERT_EQ(png.exit_code, 0) << png.output;
  EXPECT_GT(PngSize(ReadFile(dir_ / "c.png")).first, 100u);
  EXPECT_NE(ReadFile(dir_ / "c.dot").find("no lock-order edges"), std::string::npos);
}

// The JSON is the findings; the timeline's spans (most of a long trace's report) only on
// request, and a report read back from JSON with them still draws its timelines.
TEST_F(CheckTest, JsonHasTheSpansOnlyWithTimeline) {
  WriteFile(dir_ / "abba.std",
            "T1|acq(A)|1\nT1|acq(B)|2\nT1|rel(B)|3\nT1|rel(A)|4\n"
            "T2|acq(B)|5\nT2|acq(A)|6\nT2|rel(A)|7\nT2|rel(B)|8\n");
  std::string trace = Quote(dir_ / "abba.std");
  auto plain = RunCommand(Cli() + " analyze --format json " + trace + " 2>/dev/null");
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  auto j = nlohmann::json::parse(plain.output);
  EXPECT_EQ(j["findings"].size(), 1u);
  EXPECT_FALSE(j.contains("spans")) << "spans without --timeline";
  auto with = RunCommand(Cli() + " analyze --format json --timeline " + trace + " 2>/dev/null");
  ASSERT_EQ(with.exit_code, 0) << with.output;
  EXPECT_EQ(nlohmann::json::parse(with.output)["spans"].size(), 4u);

  auto r = RunCommand(Cli() + " report " + trace + " --json " + Quote(dir_ / "a.json") +
                      " && " + Cli() + " report " + trace + " --timeline --json " +
                      Quote(dir_ / "t.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(nlohmann::json::parse(ReadFile(dir_ / "a.json")).contains("spans"));
  EXPECT_EQ(nlohmann::json::parse(ReadFile(dir_ / "t.json"))["spans"].size(), 4u);
  r = RunCommand(Cli() + " report " + Quote(dir_ / "t.json") + " --html " + Quote(dir_ / "t.html"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string html = ReadFile(dir_ / "t.html");
  EXPECT_NE(html.find("class=\"timeline-data\""), std::string::npos);
  EXPECT_NE(html.find("\"kinds\":[\"hold\"]"), std::string::npos) << "the spans reached the page";
}

}  // namespace
}  // namespace threadlens
