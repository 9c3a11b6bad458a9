// `threadlens confirm` on cycles of more than two locks: the catalogue's five philosophers and a
// ring of three (programs/ring_of_three.c) are made to deadlock, each thread held at its
// second acquisition until all k are there; the same ring inside a gate, or ordered by a
// join, never is.
#include <gtest/gtest.h>

#include <filesystem>
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

const std::string kCli = THREADLENS_CLI;
const std::string kRing = std::string(TL_PROGRAMS_DIR) + "/ring_of_three";

std::string Base() {
  fs::create_directories(TL_TMP_DIR);
  return std::string(TL_TMP_DIR) + "/" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// Records a plain run of `command` (which never deadlocks) into BASE.tltrace.
Report Record(const std::string& base, const std::string& command) {
  EXPECT_EQ(System(kCli + " run --trace " + base + ".tltrace -- " + command + " >/dev/null 2>&1"),
            0);
  return AnalyzeFile(base + ".tltrace", AnalyzeOptions{});
}

std::vector<const Finding*> OfKind(const Report& r, const std::string& kind) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

// Runs confirm on BASE.tltrace; returns its exit status, its stderr in *err.
int Confirm(const std::string& base, const std::string& options, const std::string& command,
            std::string* err) {
  const int status = System(kCli + " confirm " + base + ".tltrace " + options + " -- " + command +
                            " >/dev/null 2>" + base + ".err");
  *err = Slurp(base + ".err");
  return status;
}

// The deadlock of the confirmed run: its cycle's length, 0 when there is none.
size_t DeadlockLength(const std::string& base) {
  const Report r = AnalyzeFile(base + ".confirm.tltrace", AnalyzeOptions{});
  const auto deadlocks = OfKind(r, "deadlock");
  return deadlocks.empty() ? 0 : deadlocks[0]->cycle.size();
}

TEST(ConfirmRing, FivePhilosophersDeadlockWithinTenAttempts) {
  const fs::path program =
      fs::path(THREADLENS_BINARY_DIR) / "scenarios" / "scenario_dining_philosophers";
  if (!fs::exists(program)) GTEST_SKIP() << program << " not built";
  const std::string base = Base();
  const auto cycles = OfKind(Record(base, program.string()), "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_EQ(cycles[0]->cycle.size(), 5u);
  std::string err;
  EXPECT_EQ(Confirm(base, "--attempts 10", program.string(), &err), 0) << err;
  EXPECT_NE(err.find("CONFIRMED on attempt"), std::string::npos) << err;
  EXPECT_EQ(DeadlockLength(base), 5u);  // all five, each holding its left fork
}

TEST(ConfirmRing, ARingOfThreeThatCanHappenIsMadeToHappen) {
  const std::string base = Base();
  const auto cycles = OfKind(Record(base, kRing), "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_EQ(cycles[0]->cycle.size(), 3u);
  EXPECT_EQ(cycles[0]->severity, Severity::kError);
  std::string err;
  EXPECT_EQ(Confirm(base, "--attempts 3", kRing, &err), 0) << err;
  EXPECT_EQ(DeadlockLength(base), 3u);
}

// A gate mutex around every thread's two acquisitions: the analyzer reports no cycle, so
// there is nothing to confirm.
TEST(ConfirmRing, ARingInsideAGateMutexIsNotReported) {
  const std::string base = Base();
  EXPECT_TRUE(OfKind(Record(base, kRing + " gated"), "lock-order").empty());
  std::string err;
  EXPECT_EQ(Confirm(base, "--attempts 1", kRing + " gated", &err), 2) << err;
  EXPECT_NE(err.find("has no lock-order cycle"), std::string::npos) << err;
}

// A binary semaphore as the gate: the lock-order graph does not see it, so the cycle is
// reported, but only one thread at a time is ever inside.
TEST(ConfirmRing, ARingInsideASemaphoreGateIsNeverConfirmed) {
  const std::string base = Base();
  const auto cycles = OfKind(Record(base, kRing + " semgate"), "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_EQ(cycles[0]->cycle.size(), 3u);
  EXPECT_EQ(cycles[0]->severity, Severity::kError);
  std::string err;
  EXPECT_EQ(Confirm(base, "--attempts 2 --hold-ms 200", kRing + " semgate", &err), 1) << err;
  EXPECT_NE(err.find("not confirmed in 2 attempts"), std::string::npos) << err;
}

// The first thread is joined before the others start: a warning, and never a deadlock.
TEST(ConfirmRing, ARingThatAJoinOrdersIsNeverConfirmed) {
  const std::string base = Base();
  const auto cycles = OfKind(Record(base, kRing + " joined"), "lock-order");
  ASSERT_EQ(cycles.size(), 1u);
  ASSERT_EQ(cycles[0]->cycle.size(), 3u);
  EXPECT_EQ(cycles[0]->severity, Severity::kWarning);
  std::string err;
  EXPECT_EQ(Confirm(base, "--attempts 2 --hold-ms 200", kRing + " joined", &err), 1) << err;
  EXPECT_NE(err.find("not confirmed in 2 attempts"), std::string::npos) << err;
}

// Another cycle's deadlock is no confirmation: in programs/two_cycles.c every run deadlocks
// on c and d, while the gated cycle of a and b never can.
TEST(ConfirmRing, AnotherCyclesDeadlockDoesNotConfirmThisOne) {
  const std::string base = Base();
  const std::string prog = std::string(TL_PROGRAMS_DIR) + "/two_cycles";
  EXPECT_EQ(System(kCli + " run --watchdog 0.5 --trace " + base + ".tltrace -- " + prog +
                   " >/dev/null 2>&1"),
            86);
  const Report r = AnalyzeFile(base + ".tltrace", AnalyzeOptions{});
  ASSERT_EQ(OfKind(r, "deadlock").size(), 1u);
  ASSERT_EQ(OfKind(r, "lock-order").size(), 1u);  // a -> b -> a
  const Finding* gated = OfKind(r, "lock-order")[0];
  EXPECT_NE(gated->title.find("a -> b"), std::string::npos) << gated->title;
  std::string err;
  EXPECT_EQ(Confirm(base,
                    "--finding " + gated->fingerprint + " --attempts 2 --hold-ms 200 --watchdog 0.5",
                    prog, &err),
            1)
      << err;
  EXPECT_NE(err.find("deadlocked elsewhere, not on this cycle"), std::string::npos) << err;
  // The cycle that does deadlock is confirmed.
  EXPECT_EQ(Confirm(base,
                    "--finding " + OfKind(r, "deadlock")[0]->fingerprint +
                        " --attempts 2 --hold-ms 200 --watchdog 0.5",
                    prog, &err),
            0)
      << err;
}

}  // namespace
}  // namespace threadlens
