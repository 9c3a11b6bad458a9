// Call stacks and names in unmodified programs (native/): the tracer unwinds at
// synchronization events, so a deadlock in a debug build names the user's function and line,
// not the library header its lock went through (THREADLENS_NATIVE_STACKS=0 turns that off);
// locks behind a wrapper class and condition variables get names of their own; a hang on a
// condition variable says whether, when and by whom it was notified.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

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

Report RunWrapped(const std::string& arg, int want_exit) {
  fs::create_directories(TL_TMP_DIR);
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string trace = base + ".tltrace";
  int st = std::system((std::string(THREADLENS_CLI) + " run --watchdog 1 --trace " + trace +
                        " -- " + TL_NATIVE_DIR + "/wrapped_locks " + arg + " >" + base +
                        ".out 2>" + base + ".err")
                           .c_str());
  EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, want_exit);
  return AnalyzeFile(trace, AnalyzeOptions{});
}

// Four heap locks, all taken through Mutex::Lock: each is named after the first frame
// outside the wrapper, with an ordinal where two share it, and the two cycles have distinct
// fingerprints (a suppression of one does not hide the other).
TEST(LockNames, LocksBehindAWrapperAreToldApart) {
  Report r = RunWrapped("", 0);
  std::vector<const Finding*> cycles;
  for (const Finding& f : r.findings) {
    if (f.kind == "lock-order") cycles.push_back(&f);
  }
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_NE(cycles[0]->fingerprint, cycles[1]->fingerprint);
  std::set<std::string> names;
  for (const Finding* f : cycles) names.insert(f->locks.begin(), f->locks.end());
  EXPECT_EQ(names, (std::set<std::string>{"lock first taken in Nested(Mutex*, Mutex*)",
                                           "lock first taken in Nested(Mutex*, Mutex*) #2",
                                           "lock first taken in Nested(Mutex*, Mutex*) #3",
                                           "lock first taken in Nested(Mutex*, Mutex*) #4"}));
}

TEST(LockNames, AConditionVariableIsNamedAsOne) {
  Report r = RunWrapped("hang", 86);
  const Finding* hang = nullptr;
  for (const Finding& f : r.findings) {
    if (f.kind == "hang") hang = &f;
  }
  ASSERT_NE(hang, nullptr);
  EXPECT_EQ(hang->subkind, "cond");
  EXPECT_EQ(hang->accesses.at(0).object.rfind("cond@0x", 0), 0u) << hang->accesses[0].object;
  EXPECT_NE(hang->title.find("condition variable cond@0x"), std::string::npos) << hang->title;
  EXPECT_NE(hang->detail.find("with mutex lock first taken in Consumer(void*)"), std::string::npos)
      << hang->detail;
  EXPECT_NE(hang->detail.find("Nobody notified it in this trace."), std::string::npos)
      << hang->detail;
}

// A lost wake-up: the report says the only notification came before the wait, from a
// thread that has exited, so nobody can wake the waiter.
TEST(HangReports, ALostWakeupSaysWhoNotifiedAndWhen) {
  fs::create_directories(TL_TMP_DIR);
  std::string base = std::string(TL_TMP_DIR) + "/lost_wakeup_explained";
  std::string trace = base + ".tltrace";
  std::system((std::string(THREADLENS_CLI) + " run --watchdog 1 --trace " + trace + " -- " +
               TL_PROGRAMS_DIR + "/lost_wakeup >" + base + ".out 2>" + base + ".err")
                  .c_str());
  Report r = AnalyzeFile(trace, AnalyzeOptions{});
  const Finding* hang = nullptr;
  for (const Finding& f : r.findings) {
    if (f.kind == "hang") hang = &f;
  }
  ASSERT_NE(hang, nullptr);
  const int notify = LineOf(std::string(TL_PROGRAMS_SOURCE_DIR) + "/lost_wakeup.cc",
                            "cv.notify_one()");
  EXPECT_NE(hang->detail.find("T1 waits on condition variable cv with mutex m"),
            std::string::npos)
      << hang->detail;
  EXPECT_NE(hang->detail.find("It was notified once, last by T2 at lost_wakeup.cc:" +
                              std::to_string(notify) + ", before T1 began this wait"),
            std::string::npos)
      << hang->detail;
  EXPECT_NE(hang->detail.find("T2 (exited); none of them can wake T1 now."), std::string::npos)
      << hang->detail;
}

}  // namespace
}  // namespace threadlens
