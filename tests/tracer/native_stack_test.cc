// Call stacks of unmodified programs (native/): the tracer unwinds at synchronization
// events, so a deadlock in a debug build names the user's function and line, not the
// library header its lock went through; THREADLENS_NATIVE_STACKS=0 turns that off.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;

// The 1-based line of the source holding `marker`.
int LineOf(const std::string& path, const std::string& marker) {
  std::ifstream in(path);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(marker) != std::string::npos) return n;
  }
  return 0;
}

Report RunBank(bool native_stacks) {
  fs::create_directories(TL_TMP_DIR);
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string trace = base + ".tltrace";
  std::string cmd = std::string("THREADLENS_NATIVE_STACKS=") + (native_stacks ? "1 " : "0 ") +
                    THREADLENS_CLI + " run --watchdog 1 --trace " + trace + " -- " +
                    TL_NATIVE_DIR + "/bank_deadlock >" + base + ".out 2>" + base + ".err";
  int st = std::system(cmd.c_str());
  EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 86);  // the watchdog ended the deadlock
  return AnalyzeFile(trace, AnalyzeOptions{});
}

const Finding* Deadlock(const Report& r) {
  for (const Finding& f : r.findings) {
    if (f.kind == "deadlock") return &f;
  }
  return nullptr;
}

bool HasFrame(const Access& a, const std::string& function, int line) {
  for (const Frame& fr : a.stack) {
    if (fr.function == function && fr.line == line) return true;
  }
  return false;
}

const std::string kSource = std::string(TL_NATIVE_SOURCE_DIR) + "/bank_deadlock.cc";

TEST(NativeStacks, DeadlockInADebugBuildNamesTheUsersFunctionAndLine) {
  Report r = RunBank(true);
  const Finding* f = Deadlock(r);
  ASSERT_NE(f, nullptr);
  const int second = LineOf(kSource, "SECOND LOCK");
  int requests = 0;
  for (const Access& a : f->accesses) {
    if (a.op != "request") continue;
    ++requests;
    EXPECT_TRUE(HasFrame(a, "transfer(Account&, Account&, int)", second)) << a.thread;
  }
  EXPECT_EQ(requests, 2);
}

TEST(NativeStacks, JoinKeepsItsCallersFrames) {
  Report r = RunBank(true);
  const Finding* f = Deadlock(r);
  ASSERT_NE(f, nullptr);
  bool join_seen = false;
  for (const Access& a : f->accesses) {
    if (a.op != "join") continue;
    join_seen = true;
    EXPECT_TRUE(HasFrame(a, "run_transfers()", LineOf(kSource, "JOIN")));
  }
  EXPECT_TRUE(join_seen);
}

TEST(NativeStacks, OffTheReportHasOnlyTheCallSite) {
  Report r = RunBank(false);
  const Finding* f = Deadlock(r);
  ASSERT_NE(f, nullptr);
  for (const Access& a : f->accesses) {
    if (a.op == "request") {
      EXPECT_FALSE(HasFrame(a, "transfer(Account&, Account&, int)",
                            LineOf(kSource, "SECOND LOCK")));
    }
  }
}

}  // namespace
}  // namespace threadlens
