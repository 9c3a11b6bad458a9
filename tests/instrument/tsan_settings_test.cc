// A program's ThreadSanitizer settings, recorded at start and applied by the analysis:
// TSAN_OPTIONS with a suppressions file, __tsan_default_suppressions(), and the CLI's view.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "instrument_run.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"

using instrument_test::Describe;
using instrument_test::ReadFile;
using instrument_test::RunTo;

namespace {

class TsanSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/threadlens-tsan-settings-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    trace_ = dir_ + "/t.tltrace";
  }
  void TearDown() override {
    unsetenv("TSAN_OPTIONS");
    std::system(("rm -rf " + dir_).c_str());
  }
  // Runs programs/NAME under `threadlens run` with TSAN_OPTIONS set to `options` ("": unset).
  void Record(const std::string& name, const std::string& options) {
    if (options.empty()) {
      unsetenv("TSAN_OPTIONS");
    } else {
      setenv("TSAN_OPTIONS", options.c_str(), 1);
    }
    const int status = RunTo({THREADLENS_CLI, "run", "--trace", trace_, "--",
                              std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_" + name},
                             dir_ + "/run.log");
    unsetenv("TSAN_OPTIONS");
    ASSERT_EQ(status, 0) << ReadFile(dir_ + "/run.log");
  }
  static size_t Races(const threadlens::Report& r) {
    size_t n = 0;
    for (const auto& f : r.findings) n += f.kind == "race";
    return n;
  }
  static std::string Notes(const threadlens::Report& r) {
    std::string all;
    for (const auto& n : r.notes) all += n + "\n";
    return all;
  }
  std::string dir_, trace_;
};

TEST_F(TsanSettings, ASuppressionsFileNamedByTsanOptionsIsReadAtStart) {
  const std::string supp = dir_ + "/tsan.supp";
  std::ofstream(supp) << "# known\nrace_top:CountHits\n";
  Record("race_global_counter", "halt_on_error=1:suppressions='" + supp + "'");
  std::remove(supp.c_str());  // the trace holds the file's text
  const threadlens::Report kept = threadlens::AnalyzeFile(trace_);
  EXPECT_EQ(Races(kept), 0u) << Describe(kept);
  EXPECT_EQ(kept.tsan_settings_removed, 1u);
  EXPECT_NE(Notes(kept).find("race_top:CountHits (1)"), std::string::npos) << Notes(kept);
  threadlens::AnalyzeOptions all;
  all.tsan_settings = false;
  EXPECT_EQ(Races(threadlens::AnalyzeFile(trace_, all)), 1u);
}

TEST_F(TsanSettings, ARuleForAnotherFunctionLeavesTheRace) {
  const std::string supp = dir_ + "/tsan.supp";
  // No side's innermost frame is main; a thread rule covers thread leaks, not races.
  std::ofstream(supp) << "race_top:^main$\nthread:CountHits\n";
  Record("race_global_counter", "suppressions=" + supp);
  const threadlens::Report r = threadlens::AnalyzeFile(trace_);
  EXPECT_EQ(Races(r), 1u) << Describe(r);
  EXPECT_EQ(r.tsan_settings_removed, 0u);
}

TEST_F(TsanSettings, TheProgramsDefaultSuppressionsAreApplied) {
  Record("clean_tsan_default_suppressions", "");
  const threadlens::Report kept = threadlens::AnalyzeFile(trace_);
  EXPECT_EQ(Races(kept), 0u) << Describe(kept);
  EXPECT_NE(Notes(kept).find("race:approx_requests"), std::string::npos) << Notes(kept);
  threadlens::AnalyzeOptions all;
  all.tsan_settings = false;
  const threadlens::Report shown = threadlens::AnalyzeFile(trace_, all);
  ASSERT_EQ(Races(shown), 1u) << Describe(shown);
  EXPECT_EQ(shown.findings[0].variables.at(0), "approx_requests");
}

TEST_F(TsanSettings, AnUnreadableSuppressionsFileIsBadInput) {
  Record("race_global_counter", "suppressions=" + dir_ + "/missing.supp");
  EXPECT_THROW(threadlens::AnalyzeFile(trace_), threadlens::Error);
  // The CLI: exit 2 with the file named; --no-tsan-settings analyzes as without them.
  const std::string out = dir_ + "/out.txt";
  EXPECT_EQ(RunTo({THREADLENS_CLI, "check", trace_}, out), 2);
  EXPECT_NE(ReadFile(out).find("missing.supp"), std::string::npos) << ReadFile(out);
  EXPECT_EQ(RunTo({THREADLENS_CLI, "check", "--no-tsan-settings", trace_}, out), 1);
}

TEST_F(TsanSettings, CheckPassesWhatTheSettingsLeaveOutAndSaysSo) {
  const std::string supp = dir_ + "/tsan.supp";
  std::ofstream(supp) << "race:counter\n";
  Record("race_global_counter", "suppressions=" + supp);
  const std::string out = dir_ + "/out.txt";
  EXPECT_EQ(RunTo({THREADLENS_CLI, "check", trace_}, out), 0);
  EXPECT_NE(ReadFile(out).find("ThreadSanitizer settings left out 1 finding"), std::string::npos)
      << ReadFile(out);
  EXPECT_EQ(RunTo({THREADLENS_CLI, "dump", "--limit", "1", trace_}, out), 0);
  EXPECT_NE(ReadFile(out).find("# tsan setting suppressions: race:counter"), std::string::npos)
      << ReadFile(out);
}

}  // namespace
