// `threadlens confirm`: a lock-order cycle that a plain run never turns into a deadlock
// (programs/ab_ba_apart.c) is made to deadlock by holding each thread at the cycle's
// acquisition until its partner arrives; a cycle that join orders is never confirmed. A race
// of an instrumented program (instrumented/race_apart.c) is confirmed when two threads are
// held at its accesses at once; one that a flag orders, unseen by the analyzer, never is.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings.h"
#include "traced_run.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;
using tracer_test::Slurp;
using tracer_test::System;

std::string Base() {
  fs::create_directories(TL_TMP_DIR);
  return std::string(TL_TMP_DIR) + "/" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

const std::string kProgram = std::string(TL_PROGRAMS_DIR) + "/ab_ba_apart";

// Records a plain run of the program; returns the trace.
std::string Record(const std::string& base, const std::string& arg) {
  const std::string trace = base + ".tltrace";
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " + kProgram +
                   " " + arg + " >/dev/null 2>&1"),
            0);  // the plain run never deadlocks
  return trace;
}

TEST(Confirm, ACycleThatCanHappenIsMadeToHappen) {
  const std::string base = Base();
  const std::string trace = Record(base, "");
  Report plain = AnalyzeFile(trace, AnalyzeOptions{});
  ASSERT_EQ(plain.findings.size(), 1u);
  EXPECT_EQ(plain.findings[0].kind, "lock-order");
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm " + trace + " --attempts 3 -- " +
                   kProgram + " >" + base + ".out 2>" + base + ".err"),
            0)
      << Slurp(base + ".err");
  EXPECT_NE(Slurp(base + ".err").find("CONFIRMED on attempt"), std::string::npos);
  Report confirmed = AnalyzeFile(base + ".confirm.tltrace", AnalyzeOptions{});
  bool deadlock = false;
  for (const Finding& f : confirmed.findings) deadlock |= f.kind == "deadlock";
  EXPECT_TRUE(deadlock);
  EXPECT_TRUE(confirmed.watchdog);
}

// The gate on predictions: an unconfirmed cycle passes `check --require-confirmed`; once
// `confirm --json` marked it confirmed, it fails.
TEST(Confirm, RequireConfirmedGatesOnlyConfirmedCycles) {
  const std::string base = Base();
  const std::string trace = Record(base, "");
  const std::string cli = THREADLENS_CLI;
  EXPECT_EQ(System(cli + " check -q --require-confirmed " + trace + " >/dev/null 2>&1"), 0);
  EXPECT_EQ(System(cli + " check -q " + trace + " >/dev/null 2>&1"), 1);
  ASSERT_EQ(System(cli + " confirm --json " + base + ".json " + trace + " -- " + kProgram +
                   " >/dev/null 2>&1"),
            0);
  const std::string json = Slurp(base + ".json");
  EXPECT_NE(json.find("\"confirmed\": true"), std::string::npos) << json;
  EXPECT_EQ(System(cli + " check -q --require-confirmed " + base + ".json >/dev/null 2>&1"), 1);
}

TEST(Confirm, ACycleThatJoinOrdersIsNeverConfirmed) {
  const std::string base = Base();
  const std::string trace = Record(base, "joined");
  Report plain = AnalyzeFile(trace, AnalyzeOptions{});
  ASSERT_EQ(plain.findings.size(), 1u);
  EXPECT_EQ(plain.findings[0].severity, Severity::kWarning);  // fork/join orders it
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm " + trace +
                   " --attempts 2 --hold-ms 200 -- " + kProgram + " joined >" + base +
                   ".out 2>" + base + ".err"),
            1)
      << Slurp(base + ".err");
  EXPECT_NE(Slurp(base + ".err").find("not confirmed in 2 attempts"), std::string::npos);
  // Recorded as not confirmed: the gate on predictions lets it pass.
  ASSERT_EQ(System(std::string(THREADLENS_CLI) + " confirm --json " + base + ".json " + trace +
                   " --attempts 1 --hold-ms 200 -- " + kProgram + " joined >/dev/null 2>&1"),
            1);
  EXPECT_NE(Slurp(base + ".json").find("\"confirmed\": false"), std::string::npos);
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " check -q --fail-on warning " +
                   "--require-confirmed " + base + ".json >/dev/null 2>&1"),
            0);
}

// A cycle through a file's flock and a mutex (programs/flock_mutex_apart.c) is confirmed as
// the mutex's is: the thread holding the file's lock waits at the mutex, the other, holding
// the mutex, at the flock. Its twin, whose threads join orders, never is.
// The program's files in /tmp (it removes its own at its end, which a deadlocked attempt that
// confirm ends never reaches).
std::vector<std::string> FlockFiles() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/tmp", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("threadlens-flock-apart-", 0) == 0) out.push_back(e.path().string());
  }
  return out;
}

TEST(Confirm, ACycleThroughAFileLockIsMadeToHappen) {
  const std::vector<std::string> before = FlockFiles();
  struct Cleanup {
    const std::vector<std::string>& before;
    ~Cleanup() {
      for (const std::string& f : FlockFiles()) {
        if (std::find(before.begin(), before.end(), f) == before.end()) fs::remove(f);
      }
    }
  } cleanup{before};
  const std::string base = Base(), cli = THREADLENS_CLI;
  const std::string program = std::string(TL_PROGRAMS_DIR) + "/flock_mutex_apart";
  for (const std::string arg : {"", "joined"}) {
    SCOPED_TRACE(arg);
    const std::string trace = base + arg + ".tltrace";
    ASSERT_EQ(System(cli + " run --trace " + trace + " -- " + program + " " + arg +
                     " >/dev/null 2>&1"),
              0);
    Report plain = AnalyzeFile(trace, AnalyzeOptions{});
    ASSERT_EQ(plain.findings.size(), 1u);
    EXPECT_EQ(plain.findings[0].kind, "lock-order");
    const int rc = System(cli + " confirm " + trace + " --attempts 2 --hold-ms 500 -- " +
                          program + " " + arg + " >" + base + ".out 2>" + base + ".err");
    const std::string err = Slurp(base + ".err");
    if (arg.empty()) {
      EXPECT_EQ(rc, 0) << err;
      EXPECT_NE(err.find("CONFIRMED on attempt"), std::string::npos) << err;
      EXPECT_NE(err.find("waits for file lock /tmp/threadlens-flock-apart-"), std::string::npos)
          << err;
    } else {
      EXPECT_EQ(rc, 1) << err;
      EXPECT_NE(err.find("not confirmed in 2 attempts"), std::string::npos) << err;
    }
  }
}

const std::string kRaceApart = std::string(TL_INSTRUMENTED_DIR) + "/race_apart";

// Records race_apart; returns the fingerprint of its race on `variable`.
std::string RecordRace(const std::string& base, const std::string& variable) {
  const std::string trace = base + ".tltrace";
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " + kRaceApart +
                   " >/dev/null 2>&1"),
            0);
  for (const Finding& f : AnalyzeFile(trace, AnalyzeOptions{}).findings) {
    if (f.kind == "race" && f.title.find("race on " + variable + ":") != std::string::npos) {
      return f.fingerprint;
    }
  }
  ADD_FAILURE() << "no race on " << variable;
  return "";
}

TEST(Confirm, ARaceThatCanHappenIsMadeToHappen) {
  const std::string base = Base();
  const std::string fp = RecordRace(base, "hits");
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm --finding " + fp + " --json " + base +
                   ".json --attempts 3 " + base + ".tltrace -- " + kRaceApart + " >" + base +
                   ".out 2>" + base + ".err"),
            0)
      << Slurp(base + ".err");
  EXPECT_NE(Slurp(base + ".err").find("CONFIRMED on attempt"), std::string::npos);
  EXPECT_NE(Slurp(base + ".json").find("\"confirmed\": true"), std::string::npos);
  // Held at the two increments together, both read 0: the update is lost.
  EXPECT_EQ(Slurp(base + ".out"), "hits 1 payload 42\n");
  // The confirmation says what the bytes held when both were there: the 0 both read.
  EXPECT_NE(Slurp(base + ".err").find("bytes held 0x0"), std::string::npos) << Slurp(base + ".err");
}

TEST(Confirm, ARaceOrderedByAFlagTheAnalyzerDoesNotSeeIsNeverConfirmed) {
  const std::string base = Base();
  const std::string fp = RecordRace(base, "payload");
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm --finding " + fp +
                   " --attempts 2 --hold-ms 200 " + base + ".tltrace -- " + kRaceApart +
                   " >/dev/null 2>" + base + ".err"),
            1)
      << Slurp(base + ".err");
  EXPECT_NE(Slurp(base + ".err").find("not confirmed in 2 attempts"), std::string::npos);
}

// A race only prediction reports (analyze --predict) is confirmed by its fingerprint too.
TEST(Confirm, APredictedRaceIsMadeToHappen) {
  const std::string base = Base();
  const std::string trace = base + ".tltrace";
  const std::string program = std::string(TL_INSTRUMENTED_DIR) + "/race_predicted";
  ASSERT_EQ(System(std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " + program +
                   " >/dev/null 2>&1"),
            0);
  for (const Finding& f : AnalyzeFile(trace, AnalyzeOptions{}).findings) {
    EXPECT_NE(f.kind, "race") << "happens-before orders the two: " << f.title;
  }
  AnalyzeOptions predict;
  predict.predict = true;
  std::string fp;
  for (const Finding& f : AnalyzeFile(trace, predict).findings) {
    if (f.kind == "race" && f.title.find("race on config:") != std::string::npos) {
      fp = f.fingerprint;
    }
  }
  ASSERT_FALSE(fp.empty()) << "no predicted race on config";
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm --finding " + fp + " --json " + base +
                   ".json --attempts 3 " + trace + " -- " + program + " >/dev/null 2>" + base +
                   ".err"),
            0)
      << Slurp(base + ".err");
  EXPECT_NE(Slurp(base + ".err").find("CONFIRMED on attempt"), std::string::npos);
  EXPECT_NE(Slurp(base + ".json").find("\"confirmed\": true"), std::string::npos);
}

TEST(Confirm, ATraceWithoutACycleIsBadInput) {
  const std::string base = Base();
  const std::string trace = base + ".tltrace";
  ASSERT_EQ(System(std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " +
                   TL_PROGRAMS_DIR + "/mutex_contended >/dev/null 2>&1"),
            0);
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " confirm " + trace + " -- " + kProgram +
                   " >/dev/null 2>" + base + ".err"),
            2);
  EXPECT_NE(Slurp(base + ".err").find("has no lock-order cycle"), std::string::npos);
}

}  // namespace
}  // namespace threadlens
