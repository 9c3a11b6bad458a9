// A parent that waits for its child (waitpid, wait) while holding a lock the child waits for:
// the watchdogs of both processes see the cycle through the wait and end them as one deadlock,
// well before their delay, and the analysis reports it with both sides. The twins give the
// lock up first, wait for any of two children, or have another thread give the lock up while
// the parent waits, and end on their own.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

class WaitDeadlock : public ::testing::TestWithParam<std::string> {};

TEST_P(WaitDeadlock, EndsBothProcessesAsOneDeadlock) {
  Traced r = RunProcess("proc_wait", GetParam(), 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep);
  ASSERT_TRUE(cycle);
  const Finding& f = *cycle;
  const uint32_t parent = rep.pids[0], child = rep.pids[1];
  const std::string wait = "pid " + std::to_string(child);
  EXPECT_NE(f.title.find("waits for " + wait + " to end"), std::string::npos) << f.title;
  // The parent's side: its wait, at its line in the program, holding the lock; the child's:
  // its request.
  bool waits = false, requests = false;
  for (const Access& a : f.accesses) {
    if (a.op == "wait-process") {
      const std::string file = a.stack.empty() ? "" : a.stack[0].file;
      waits = a.pid == parent && a.object == wait && !a.held.empty() &&
              file.ends_with("proc_wait.c") && a.stack[0].line > 0;
    }
    if (a.op == "request") requests = a.pid == child;
  }
  EXPECT_TRUE(waits) << f.title;
  EXPECT_TRUE(requests) << f.title;
  ASSERT_EQ(f.cycle.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Processes, WaitDeadlock,
                         ::testing::Values("flock", "wait", "waitid", "wait4", "mutex"));

// system() and pclose() wait inside the C library for the shell, which waits for its child:
// the cycle runs through the shell (a third process, unless the shell runs the command in its
// own place by exec).
class ShellDeadlock : public ::testing::TestWithParam<std::string> {};

TEST_P(ShellDeadlock, EndsEveryProcessOfTheCycle) {
  Traced r = RunProcess("proc_wait", GetParam(), 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep, 0);
  ASSERT_TRUE(cycle);
  const Finding& f = *cycle;
  EXPECT_EQ(f.cycle.size(), std::set<uint32_t>(rep.pids.begin(), rep.pids.end()).size())
      << "every process waits on the cycle: " << f.title;
  bool waits = false, requests = false;
  for (const Access& a : f.accesses) {
    if (a.op == "wait-process" && a.pid == rep.pids[0]) {
      waits = !a.held.empty() && !a.stack.empty() && a.stack[0].file.ends_with("proc_wait.c");
    }
    if (a.op == "request") requests = a.pid == rep.pids.back() && a.object.find("file lock") == 0;
  }
  EXPECT_TRUE(waits) << f.title;
  EXPECT_TRUE(requests) << f.title;
}

INSTANTIATE_TEST_SUITE_P(Processes, ShellDeadlock, ::testing::Values("system", "pclose"));

class WaitEnds : public ::testing::TestWithParam<std::string> {};

TEST_P(WaitEnds, NoDeadlock) {
  Traced r = RunProcess("proc_wait", GetParam(), 5, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  EXPECT_GE(rep.pids.size(), 2u);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Processes, WaitEnds,
                         ::testing::Values("released", "two-children", "holder-thread",
                                           "system-released"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// The shell's nested flock (`flock F flock F cmd`: the inner one, a child the outer one waits
// for, waits for the outer one's lock), with util-linux's own flock, not rebuilt: the
// deadlock, both sides at once, where it would hang for ever. Its twin locks two files.
constexpr const char* kFlock = "/usr/bin/flock";

Traced RunNestedFlock(const std::string& outer, const std::string& inner) {
  const std::string dir = std::string(TL_TMP_DIR) + "/";
  return RunTraced(std::string(kFlock) + " " + dir + outer + " " + kFlock + " " + dir + inner +
                       " true",
                   5, false);
}

TEST(Processes, NestedFlockOfOneFileIsADeadlockOfBothProcesses) {
  if (!fs::exists(kFlock)) GTEST_SKIP() << "no " << kFlock;
  Traced r = RunNestedFlock("nested-flock.lock", "nested-flock.lock");
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep, 3);  // the child runs exec
  ASSERT_TRUE(cycle);
  EXPECT_NE(cycle->title.find("waits for file lock " + std::string(TL_TMP_DIR) +
                              "/nested-flock.lock"),
            std::string::npos)
      << cycle->title;
  EXPECT_NE(cycle->title.find("waits for pid " + std::to_string(rep.pids.back()) + " to end"),
            std::string::npos)
      << cycle->title;
}

TEST(Processes, NestedFlockOfTwoFilesEnds) {
  if (!fs::exists(kFlock)) GTEST_SKIP() << "no " << kFlock;
  Traced r = RunNestedFlock("nested-flock-outer.lock", "nested-flock-inner.lock");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Errors(AnalyzeTrace(r.trace)), std::vector<std::string>{});
}

}  // namespace
}  // namespace threadlens::tracer_test
