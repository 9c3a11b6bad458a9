// File locks across processes in the lock-order graph, with util-linux's own flock, not
// rebuilt: a shell script that nests `flock A flock B` in one job and `flock B flock A` in
// another has a lock-order cycle, though this run, where the second job starts once the first
// holds both, cannot deadlock. Each inner flock holds the outer one's lock through the
// descriptor it inherited across exec. Its twin nests them in one order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

constexpr const char* kFlock = "/usr/bin/flock";

// The first job takes `first` then `second` and says so with a file; the second job waits
// for that file, then takes `third`, then `fourth`.
Report RunJobs(const std::string& tag, const std::string& first, const std::string& second,
               const std::string& third, const std::string& fourth, Traced* run) {
  const std::string dir = std::string(TL_TMP_DIR) + "/", ready = dir + tag + ".ready";
  auto lock = [&](const std::string& name) { return dir + tag + "." + name + ".lock"; };
  const std::string script =
      "rm -f " + ready + "; " + kFlock + " " + lock(first) + " " + kFlock + " " +
      lock(second) + " sh -c 'touch " + ready + "; sleep 0.3' & " +
      "while [ ! -e " + ready + " ]; do sleep 0.05; done; " + kFlock + " " + lock(third) + " " +
      kFlock + " " + lock(fourth) + " true; wait";
  fs::create_directories(TL_TMP_DIR);
  *run = RunTraced("/bin/sh -c \"" + script + "\"", 5, false);
  return AnalyzeTrace(run->trace);
}

TEST(Processes, NestedFlocksInOppositeOrdersAreALockOrderCycle) {
  if (!fs::exists(kFlock)) GTEST_SKIP() << "no " << kFlock;
  Traced run;
  Report rep = RunJobs("flock-order", "a", "b", "b", "a", &run);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::string a = "file lock " + std::string(TL_TMP_DIR) + "/flock-order.a.lock";
  const std::string b = "file lock " + std::string(TL_TMP_DIR) + "/flock-order.b.lock";
  EXPECT_EQ(Errors(rep), std::vector<std::string>{"lock-order(" + a + "," + b + ")"});
  // Each inner flock holds the outer one's lock through a descriptor it inherited.
  bool inherited = false;
  for (const Finding& f : rep.findings) {
    for (const CycleEdge& e : f.cycle) {
      inherited |= !e.from_site.stack.empty() &&
                   e.from_site.stack[0].function == "inherited across exec";
    }
  }
  EXPECT_TRUE(inherited);
}

TEST(Processes, NestedFlocksInOneOrderAreNoCycle) {
  if (!fs::exists(kFlock)) GTEST_SKIP() << "no " << kFlock;
  Traced run;
  Report rep = RunJobs("flock-same-order", "a", "b", "a", "b", &run);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Errors(rep), std::vector<std::string>{});
}

}  // namespace
}  // namespace threadlens::tracer_test
