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

// `events` of a trace read before, as a trace of their own (strings and modules from `base`).
class Replayed : public EventSource {
 public:
  Replayed(const EventSource& base, std::vector<StreamEvent> events)
      : base_(base), events_(std::move(events)) {}
  bool Next(StreamEvent& out) override {
    if (pos_ >= events_.size()) return false;
    out = events_[pos_++];
    return true;
  }
  const TraceMeta& Meta() const override { return base_.Meta(); }
  std::string_view String(uint32_t id) const override { return base_.String(id); }
  const std::vector<ModuleInfo>& Modules() const override { return base_.Modules(); }
  const std::vector<std::string>& Warnings() const override { return base_.Warnings(); }

 private:
  const EventSource& base_;
  std::vector<StreamEvent> events_;
  size_t pos_ = 0;
};

// A scenario recorded and analyzed with prediction (every witness step kept), and the events
// of its trace for the witness checker. `ok` is false when the scenario is not built.
struct PredictedRun {
  bool ok = false;
  std::string trace;
  AnalyzeOptions options;
  Report report;
  std::unique_ptr<EventSource> source;
  std::vector<StreamEvent> stream;
};
PredictedRun RunPredicted(const std::string& name, bool symbolize) {
  PredictedRun run;
  run.trace = Record(name);
  if (run.trace.empty()) return run;
  run.ok = true;
  run.options = TestOptions();
  run.options.symbolize = symbolize;
  run.options.predict = true;
  run.options.max_witness_steps = 1'000'000;
  run.report = AnalyzeFile(run.trace, run.options);
  run.source = OpenTrace(run.trace);
  run.stream = ReadAll(*run.source);
  return run;
}

// How many findings analyzing `events` predicts.
size_t PredictedWithout(const EventSource& base, std::vector<StreamEvent> events,
                        const AnalyzeOptions& o) {
  Replayed source(base, std::move(events));
  size_t n = 0;
  for (const Finding& f : Analyze(source, o).findings) n += f.predicted && *f.predicted;
  return n;
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
    // The condition variable's name comes from the debug information.
    const PredictedRun run = RunPredicted(c.name, true);
    if (!run.ok) GTEST_SKIP() << "scenario_" << c.name << " not built";
    EXPECT_TRUE(AnalyzeFile(run.trace, TestOptions()).findings.empty());
    const auto& stream = run.stream;
    std::vector<std::string> predicted;
    for (const Finding& f : run.report.findings) {
      if (!f.predicted || !*f.predicted) continue;
      predicted.push_back(f.kind + " " + f.title);
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      EXPECT_EQ(f.witness.back().op, "wait");
      EXPECT_EQ(f.witness.back().thread, "Consumer");
    }
    EXPECT_EQ(predicted, c.predicted);
    fs::remove(run.trace);
  }
}

// One semaphore for a request and its acknowledgement: in the run the Server took the request
// before the Client waited, but the Client can take its own post, leaving the Server waiting.
// The recorded initial count makes it predictable; the twin with a semaphore per direction, and
// the same trace without its initial counts, predict nothing.
TEST(PredictTraced, StolenSemaphorePostAndItsFix) {
  const struct {
    const char* name;
    std::vector<std::string> predicted;
  } cases[] = {
      {"ack_one_semaphore",
       {"hang predicted hang: Server waits forever on semaphore channel, whose posts go to "
        "other waits first or never come"}},
      {"ack_two_semaphores", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    // The semaphore's name comes from the debug information.
    const PredictedRun run = RunPredicted(c.name, true);
    if (!run.ok) GTEST_SKIP() << "scenario_" << c.name << " not built";
    EXPECT_TRUE(AnalyzeFile(run.trace, TestOptions()).findings.empty());
    const auto& stream = run.stream;
    std::vector<std::string> predicted;
    for (const Finding& f : run.report.findings) {
      if (!f.predicted || !*f.predicted) continue;
      predicted.push_back(f.kind + " " + f.title);
      EXPECT_EQ(f.relation, "sem-count");
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      EXPECT_EQ(f.witness.back().op, "sem-wait");
      EXPECT_EQ(f.witness.back().thread, "Server");
    }
    EXPECT_EQ(predicted, c.predicted);
    // An older writer recorded no initial counts: nothing on the semaphore is predicted.
    std::vector<StreamEvent> old_format;
    for (const StreamEvent& e : stream) {
      if (e.kind() != trace::EventKind::kSemInit) old_format.push_back(e);
    }
    EXPECT_EQ(PredictedWithout(*run.source, old_format, run.options), 0u);
    fs::remove(run.trace);
  }
}

// A sem_wait under the lock its poster needs: in the run the item was posted before the Worker
// took the lock; the Worker first deadlocks. Its twin waits before taking the lock.
TEST(PredictTraced, SemWaitHoldingThePostersLockAndItsFix) {
  const struct {
    const char* name;
    std::vector<std::string> predicted;
  } cases[] = {
      {"sem_wait_holding_lock",
       {"deadlock predicted deadlock: Worker waits for Producer to post items; Producer waits "
        "for queue_lock held by Worker"}},
      {"sem_wait_then_lock", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const PredictedRun run = RunPredicted(c.name, true);
    if (!run.ok) GTEST_SKIP() << "scenario_" << c.name << " not built";
    EXPECT_TRUE(AnalyzeFile(run.trace, TestOptions()).findings.empty());
    const auto& stream = run.stream;
    std::vector<std::string> predicted;
    for (const Finding& f : run.report.findings) {
      if (!f.predicted || !*f.predicted) continue;
      predicted.push_back(f.kind + " " + f.title);
      EXPECT_EQ(f.relation, "sem-count");
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
    }
    EXPECT_EQ(predicted, c.predicted);
    fs::remove(run.trace);
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
    const PredictedRun run = RunPredicted(c.name, false);
    if (!run.ok) GTEST_SKIP() << "scenario_" << c.name << " not built";
    EXPECT_TRUE(AnalyzeFile(run.trace, TestOptions()).findings.empty());
    const auto& stream = run.stream;
    std::vector<std::string> predicted;
    for (const Finding& f : run.report.findings) {
      ASSERT_TRUE(f.predicted && *f.predicted) << f.title;
      EXPECT_EQ(f.kind, "race");
      EXPECT_EQ(f.severity, Severity::kError);
      EXPECT_EQ(f.relation, "sync-preserving");
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      predicted.push_back(f.title);
    }
    EXPECT_EQ(predicted, c.predicted);
    fs::remove(run.trace);
  }
}

}  // namespace
}  // namespace threadlens::testing
