// Misuse and thread names on real programs: each program in programs/ runs under
// `threadlens run` (with its mode argument) and the analysis of its trace is asserted, the
// bug beside its correct twin.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int System(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Runs programs/<program> <arg> under `threadlens run`; returns the trace path.
std::string RunUnder(const std::string& program, const std::string& arg = "") {
  fs::create_directories(TL_TMP_DIR);
  // Named after the test: ctest runs tests in parallel, several on the same program.
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + "." +
                     program;
  std::string trace = base + ".tltrace";
  int rc = System(std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " +
                  TL_PROGRAMS_DIR + "/" + program + " " + arg + " >" + base + ".out 2>" + base +
                  ".err");
  EXPECT_EQ(rc, 0) << Slurp(base + ".err");
  return trace;
}

// The line of programs/<file> that holds `marker`, 0 if none.
int LineOf(const std::string& file, const std::string& marker) {
  std::ifstream in(fs::path(__FILE__).parent_path() / "programs" / file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(marker) != std::string::npos) return n;
  }
  return 0;
}

std::vector<const Finding*> Misuse(const Report& r, const std::string& subkind) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.kind == "misuse" && f.subkind == subkind) out.push_back(&f);
  }
  return out;
}

TEST(Lifecycle, ThreadNeverJoinedIsALeak) {
  Report r = AnalyzeFile(RunUnder("thread_leak"), AnalyzeOptions{});
  auto f = Misuse(r, "thread-leak");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->threads.at(0), "T2");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[1].op, "create");
  EXPECT_TRUE(f[0]->accesses[0].stack.empty());  // its start routine returned
}

// pthread_exit unwinds the thread's frames before its exit is recorded: the exit is placed at
// the call, in the worker, not in the runtime that started the thread.
TEST(Lifecycle, ALeakedThreadThatCalledPthreadExitExitsAtTheCall) {
  Report r = AnalyzeFile(RunUnder("thread_leak", "pthread_exit"), AnalyzeOptions{});
  auto f = Misuse(r, "thread-leak");
  ASSERT_EQ(f.size(), 1u);
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].op, "exit");
  ASSERT_FALSE(f[0]->accesses[0].stack.empty());
  EXPECT_EQ(f[0]->accesses[0].stack[0].function, "worker");
  EXPECT_EQ(f[0]->accesses[0].stack[0].line, LineOf("thread_leak.c", "PTHREAD_EXIT"));
}

TEST(Lifecycle, JoinedThreadIsNoLeak) {
  Report r = AnalyzeFile(RunUnder("thread_leak", "join"), AnalyzeOptions{});
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

// A worker that ends the process (_exit) while main waits did not end on its own: no leak.
TEST(Lifecycle, AThreadThatEndsTheProcessIsNoLeak) {
  Report r = AnalyzeFile(RunUnder("thread_leak", "exit"), AnalyzeOptions{});
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(Lifecycle, DetachAfterTheThreadEndedIsFine) {
  Report r = AnalyzeFile(RunUnder("thread_leak", "detach"), AnalyzeOptions{});
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
  EXPECT_TRUE(Misuse(r, "double-detach").empty());
}

TEST(Lifecycle, ThreadCreatedDetachedIsNoLeak) {
  Report r = AnalyzeFile(RunUnder("thread_leak", "attr"), AnalyzeOptions{});
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(Lifecycle, DoubleDetachIsMisuse) {
  Report r = AnalyzeFile(RunUnder("double_detach"), AnalyzeOptions{});
  auto f = Misuse(r, "double-detach");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->title, "T1 detaches T2, which was already detached");
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(Lifecycle, SingleDetachIsFine) {
  Report r = AnalyzeFile(RunUnder("double_detach", "once"), AnalyzeOptions{});
  EXPECT_TRUE(Misuse(r, "double-detach").empty());
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(Lifecycle, JoinOfADetachedThreadIsMisuse) {
  Report r = AnalyzeFile(RunUnder("join_detach_misuse", "join-detached"), AnalyzeOptions{});
  auto f = Misuse(r, "join-detached");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->title, "T1 joins T2, which was detached");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].op, "join");
  EXPECT_EQ(f[0]->accesses[1].op, "detach");
  EXPECT_TRUE(Misuse(r, "thread-leak").empty());
}

TEST(Lifecycle, JoinOfAJoinableThreadIsFine) {
  Report r = AnalyzeFile(RunUnder("join_detach_misuse", "join"), AnalyzeOptions{});
  for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << f.title;
}

TEST(Lifecycle, DetachOfAJoinedThreadIsMisuse) {
  Report r = AnalyzeFile(RunUnder("join_detach_misuse", "detach-joined"), AnalyzeOptions{});
  auto f = Misuse(r, "detach-joined");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
  EXPECT_EQ(f[0]->title, "T1 detaches T2, which was already joined");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].op, "detach");
  EXPECT_EQ(f[0]->accesses[1].op, "join");
  EXPECT_TRUE(Misuse(r, "double-detach").empty());
}

// Detaching a thread that ended and was not joined frees it: legal.
TEST(Lifecycle, DetachOfAnEndedUnjoinedThreadIsFine) {
  Report r = AnalyzeFile(RunUnder("join_detach_misuse", "detach-ended"), AnalyzeOptions{});
  for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << f.title;
}

// A thread that ends inside AnnotateIgnoreSync: a warning naming the ignore and its Begin,
// in every report format. Its locks were still its own: no unlock misuse.
TEST(Lifecycle, ThreadEndingWithIgnoresOnIsWarned) {
  const std::string trace = RunUnder("ignores_left_on");
  Report r = AnalyzeFile(trace, AnalyzeOptions{});
  auto f = Misuse(r, "ignores-at-exit");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  const std::string title = "thread T2 finished with ignores enabled: sync";
  EXPECT_EQ(f[0]->title, title);
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[0].op, "exit");
  EXPECT_EQ(f[0]->accesses[1].op, "ignore-begin");
  ASSERT_FALSE(f[0]->accesses[1].stack.empty());
  EXPECT_EQ(f[0]->accesses[1].stack[0].function, "worker");
  EXPECT_EQ(Misuse(r, "unlock-not-held").size() + Misuse(r, "held-at-exit").size(), 0u);
  const std::string cli = THREADLENS_CLI;
  ASSERT_EQ(System(cli + " analyze " + trace + " >" + trace + ".txt"), 0);
  ASSERT_EQ(System(cli + " report " + trace + " --html " + trace + ".html --sarif " + trace +
                   ".sarif --junit " + trace + ".xml"),
            0);
  for (const char* ext : {".txt", ".html", ".sarif", ".xml"}) {
    EXPECT_NE(Slurp(trace + ext).find(title), std::string::npos) << ext;
  }
}

TEST(Lifecycle, ThreadThatEndsItsIgnoresIsNotWarned) {
  Report r = AnalyzeFile(RunUnder("ignores_left_on", "ended"), AnalyzeOptions{});
  for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << f.title;
}

TEST(UnlockByOther, NormalMutexIsMisuseAndTheLockIsFree) {
  Report r = AnalyzeFile(RunUnder("unlock_other", "normal"), AnalyzeOptions{});
  auto f = Misuse(r, "unlock-not-owner");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->threads.at(0), "T2");
  // The unlock went through: main does not end holding it.
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
  EXPECT_TRUE(Misuse(r, "unlock-not-held").empty());
}

TEST(UnlockByOther, ErrorcheckMutexRefusesAndMainStillOwnsIt) {
  Report r = AnalyzeFile(RunUnder("unlock_other", "errorcheck"), AnalyzeOptions{});
  EXPECT_EQ(Misuse(r, "unlock-not-owner").size(), 1u);
  // Main's own unlock afterwards is of a lock it holds.
  EXPECT_TRUE(Misuse(r, "unlock-not-held").empty());
  EXPECT_TRUE(Misuse(r, "held-at-exit").empty());
}

TEST(UnlockByOther, OwnerUnlockingIsFine) {
  Report r = AnalyzeFile(RunUnder("unlock_other", "self"), AnalyzeOptions{});
  for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << f.title;
}

// Cancelled in a condition wait, a thread holds the mutex again when its cleanup handlers
// run: the handler's unlock is of a lock it holds.
TEST(CondCancel, CleanupHandlerUnlocksTheReacquiredMutex) {
  for (const char* mode : {"", "timed"}) {
    Report r = AnalyzeFile(RunUnder("cond_cancel", mode), AnalyzeOptions{});
    for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << mode << ": " << f.title;
  }
}

TEST(CondCancel, CleanupHandlerThatKeepsTheMutexEndsHoldingIt) {
  Report r = AnalyzeFile(RunUnder("cond_cancel", "keep"), AnalyzeOptions{});
  auto f = Misuse(r, "held-at-exit");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->threads.at(0), "T2");
  ASSERT_EQ(f[0]->accesses.size(), 2u);
  EXPECT_EQ(f[0]->accesses[1].op, "acquire");  // the re-acquisition at the end of the wait
  EXPECT_TRUE(Misuse(r, "unlock-not-held").empty());
}

TEST(LockDestroyed, LockOfADestroyedMutexIsMisuse) {
  Report r = AnalyzeFile(RunUnder("lock_destroyed"), AnalyzeOptions{});
  auto f = Misuse(r, "lock-destroyed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kError);
}

TEST(LockDestroyed, LockAfterInitAgainIsFine) {
  Report r = AnalyzeFile(RunUnder("lock_destroyed", "reinit"), AnalyzeOptions{});
  for (const Finding& f : r.findings) EXPECT_NE(f.kind, "misuse") << f.title;
}

TEST(ThreadNames, SetnameAndPrctlNameTheThreadsInTheReport) {
  std::string trace = RunUnder("setname");
  Report r = AnalyzeFile(trace, AnalyzeOptions{});
  auto f = Misuse(r, "held-at-exit");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->threads.at(0), "worker");
  std::vector<std::string> names;
  for (const ThreadInfo& t : r.threads) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"boss", "worker"}));
  // The text report of `threadlens analyze` says it too.
  std::string out = trace + ".txt";
  ASSERT_EQ(System(std::string(THREADLENS_CLI) + " analyze " + trace + " >" + out), 0);
  EXPECT_NE(Slurp(out).find("worker exits holding"), std::string::npos) << Slurp(out);
}

// An unmodified program records no memory access of its own: its trace says so, and the
// analysis checks no race in it (the bytes of its locks would race wherever atomics the
// trace cannot see synchronize). A program that records accesses through the annotation
// API is checked.
TEST(Lifecycle, UnmodifiedProgramsAreNotCheckedForRaces) {
  const std::string plain = RunUnder("mutex_ops");
  auto src = OpenTrace(plain);
  EXPECT_TRUE(src->Meta().uninstrumented);
  Report r = AnalyzeFile(plain, AnalyzeOptions{});
  bool noted = false;
  for (const std::string& n : r.notes) noted |= n.find("races were not checked") != std::string::npos;
  EXPECT_TRUE(noted);

  const std::string annotated = RunUnder("annotated");
  EXPECT_FALSE(OpenTrace(annotated)->Meta().uninstrumented);
  for (const std::string& n : AnalyzeFile(annotated, AnalyzeOptions{}).notes) {
    EXPECT_EQ(n.find("races were not checked"), std::string::npos) << n;
  }
}

}  // namespace
}  // namespace threadlens
