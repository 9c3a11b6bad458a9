// Golden files for every text-like output of one fixed trace, analyzed for real: the
// text report, the JSON findings and the DOT graphs. A change in any of them shows up as
// a diff to review (THREADLENS_UPDATE_GOLDEN=1 rewrites the files).
#include <gtest/gtest.h>

#include <cstdlib>

#include "test_util.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/graphs.h"
#include "threadlens/reports/text_report.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/golden/" + name;
  if (std::getenv("THREADLENS_UPDATE_GOLDEN")) WriteFile(path, actual);
  EXPECT_EQ(ReadFile(path), actual)
      << "golden " << name << " differs; rerun with THREADLENS_UPDATE_GOLDEN=1 "
      << "after checking the new output";
}

Report AnalyzeFixed(const std::string& name) {
  AnalyzeOptions o;
  o.symbolize = false;  // goldens must not depend on the machine's toolchain
  Report r = AnalyzeFile(std::string(THREADLENS_SOURCE_DIR) + "/tests/reports/testdata/" + name, o);
  r.trace = r.program = name;  // no absolute paths in goldens
  return r;
}

TEST(GoldenTrace, AbbaRaceText) {
  Report r = AnalyzeFixed("abba_race.std");
  ASSERT_GE(r.findings.size(), 2u);
  ExpectGolden("abba_race.txt", reports::RenderText(r));
}

TEST(GoldenTrace, AbbaRaceJson) {
  ExpectGolden("abba_race.json", ToJson(AnalyzeFixed("abba_race.std")));
}

TEST(GoldenTrace, AbbaRaceDot) {
  ExpectGolden("abba_race.dot", reports::ReportDot(AnalyzeFixed("abba_race.std")));
}

}  // namespace
}  // namespace threadlens
