// Prediction on binary traces of catalogue programs recorded here with the tracer: every
// witness goes through the witness checker (byte-level reads-from, lock semantics, program
// order). Skipped when the scenarios are not built.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_util.h"
#include "witness_checker.h"

namespace threadlens::testing {
namespace {

namespace fs = std::filesystem;

// Runs scenario_NAME under the tracer and returns its trace ("" when it is not built).
std::string Record(const std::string& name) {
  const fs::path program = fs::path(THREADLENS_BINARY_DIR) / "scenarios" / ("scenario_" + name);
  if (!fs::exists(program)) return "";
  const fs::path trace = fs::temp_directory_path() / ("predict_traced_" + name + ".tltrace");
  const std::string cmd = std::string("\"") + THREADLENS_CLI + "\" run --trace \"" +
                          trace.string() + "\" -- \"" + program.string() + "\" >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return "";
  return trace.string();
}

struct Case {
  const char* name;
  const char* cycle;  // the title's lock cycle
  bool predicted;
};

TEST(PredictTraced, CatalogueProgramsWitnessesPassTheChecker) {
  const Case cases[] = {
      {"ab_ba_potential", "a_lock -> b_lock -> a_lock", true},
      {"dining_philosophers", "fork_0 -> fork_1 -> fork_2 -> fork_3 -> fork_4 -> fork_0", true},
      {"ab_ba_handoff", "a_lock -> b_lock -> a_lock", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string trace = Record(c.name);
    if (trace.empty()) GTEST_SKIP() << "scenario_" << c.name << " not built";
    AnalyzeOptions o = TestOptions();
    o.predict = true;
    o.max_witness_steps = 1'000'000;
    const Report r = AnalyzeFile(trace, o);
    auto cycles = OfKind(r, "lock-order");
    ASSERT_EQ(cycles.size(), 1u);
    const Finding& f = *cycles[0];
    ASSERT_TRUE(f.predicted.has_value());
    EXPECT_EQ(*f.predicted, c.predicted);
    EXPECT_NE(f.title.find(c.cycle), std::string::npos) << f.title;
    if (c.predicted) {
      auto source = OpenTrace(trace);
      EXPECT_EQ(CheckWitness(ReadAll(*source), f), "");
      EXPECT_GT(f.witness.size(), f.cycle.size());
    }
    fs::remove(trace);
  }
}

// A wait without a predicate whose notification came late enough in the run: predicted lost,
// with a witness the checker replays; its twin waits for a condition and gets nothing.
TEST(PredictTraced, LatentLostWakeupAndItsFix) {
  const struct {
    const char* name;
    std::vector<std::string> predicted;
  } cases[] = {
      {"lost_wakeup_latent",
       {"hang predicted lost notification: Loader notifies (anonymous namespace)::data_ready "
        "before Consumer waits for it; Consumer then waits forever"}},
      {"wakeup_latent_with_predicate", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string trace = Record(c.name);
    if (trace.empty()) GTEST_SKIP() << "scenario_" << c.name << " not built";
    AnalyzeOptions o = TestOptions();
    o.symbolize = true;  // the condition variable's name comes from the debug information
    o.predict = true;
    o.max_witness_steps = 1'000'000;
    const Report r = AnalyzeFile(trace, o);
    const Report plain = AnalyzeFile(trace, TestOptions());
    EXPECT_TRUE(plain.findings.empty());
    auto source = OpenTrace(trace);
    const auto stream = ReadAll(*source);
    std::vector<std::string> predicted;
    for (const Finding& f : r.findings) {
      if (!f.predicted || !*f.predicted) continue;
      predicted.push_back(f.kind + " " + f.title);
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      EXPECT_EQ(f.witness.back().op, "wait");
      EXPECT_EQ(f.witness.back().thread, "Consumer");
    }
    EXPECT_EQ(predicted, c.predicted);
    fs::remove(trace);
  }
}

// A race hidden behind an unrelated lock: happens-before orders the write and the read through
// log_lock's handoff, a sync-preserving reordering (the Checker's section first) does not. Its
// twin holds log_lock around both accesses: nothing is predicted.
TEST(PredictTraced, RaceBehindAnUnrelatedLockAndItsFix) {
  const struct {
    const char* name;
    std::vector<std::string> predicted;
  } cases[] = {
      {"race_behind_log_lock",
       {"predicted data race on limit: read by Checker vs earlier write by Updater"}},
      {"limit_under_lock", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string trace = Record(c.name);
    if (trace.empty()) GTEST_SKIP() << "scenario_" << c.name << " not built";
    AnalyzeOptions o = TestOptions();
    o.predict = true;
    o.max_witness_steps = 1'000'000;
    const Report r = AnalyzeFile(trace, o);
    EXPECT_TRUE(AnalyzeFile(trace, TestOptions()).findings.empty());
    auto source = OpenTrace(trace);
    const auto stream = ReadAll(*source);
    std::vector<std::string> predicted;
    for (const Finding& f : r.findings) {
      ASSERT_TRUE(f.predicted && *f.predicted) << f.title;
      EXPECT_EQ(f.kind, "race");
      EXPECT_EQ(f.severity, Severity::kError);
      EXPECT_EQ(f.relation, "sync-preserving");
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      predicted.push_back(f.title);
    }
    EXPECT_EQ(predicted, c.predicted);
    fs::remove(trace);
  }
}

}  // namespace
}  // namespace threadlens::testing
