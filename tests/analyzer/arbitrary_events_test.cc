// Arbitrary event sequences: a trace that passes the reader's checks but whose events make no
// sense (an unlock of a lock never taken, a join of a thread never created, a free of a block
// never allocated, sizes of zero and of terabytes, events after a thread's exit, timestamps
// going back) must be analyzed and reported like any other, with every detector and
// prediction on: no crash, no hang, and reports every writer can render.
#include <gtest/gtest.h>

#include <random>

#include "random_events.h"
#include "test_util.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/html_report.h"
#include "threadlens/reports/junit_report.h"
#include "threadlens/reports/sarif_report.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::testing {
namespace {

VectorSource RandomSource(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  VectorSource src;
  for (int i = 0; i < 4; ++i) src.Str("s" + std::to_string(i));
  for (size_t i = 0; i < n; ++i) {
    const RandomEvent r = NextRandomEvent(rng, i);
    const trace::Event& e = r.ev;
    src.Add(r.tid, static_cast<trace::EventKind>(e.kind), e.obj, e.flags, e.aux16, e.site,
            e.aux32);
    src.Seq(e.seq).Ts(e.ts);
  }
  return src;
}

void AnalyzeAndRender(uint64_t seed, size_t n, bool predict) {
  VectorSource src = RandomSource(seed, n);
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  o.predict = predict;
  o.race_workers = static_cast<int>(seed % 2);
  const Report r = Analyze(src, o);
  const std::vector<reports::NamedReport> named{{"random", r}};
  EXPECT_FALSE(reports::RenderText(r).empty()) << "seed " << seed;
  EXPECT_FALSE(ToJson(r, 2, true).empty()) << "seed " << seed;
  EXPECT_FALSE(reports::ToSarif(named).dump().empty()) << "seed " << seed;
  EXPECT_FALSE(reports::JunitXml(named).empty()) << "seed " << seed;
  EXPECT_FALSE(reports::HtmlReport(named).empty()) << "seed " << seed;
}

TEST(ArbitraryEvents, AnalyzedAndReportedWithoutACrash) {
  for (uint64_t seed = 1; seed <= 80; ++seed) AnalyzeAndRender(seed, 400, false);
}

TEST(ArbitraryEvents, PredictionToo) {
  for (uint64_t seed = 1000; seed <= 1040; ++seed) AnalyzeAndRender(seed, 300, true);
}

}  // namespace
}  // namespace threadlens::testing
