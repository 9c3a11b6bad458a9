// The runner and the tools around a traced run: the watchdog ending deadlocks and hangs,
// `threadlens run`'s usage and exit status, `threadlens dump`, and an analysis of a real
// program's trace.
#include "traced_run.h"

namespace threadlens {
namespace {

using namespace tracer_test;

std::vector<std::string> WatchdogLines(const Traced& r) {
  std::vector<std::string> out;
  for (const auto& se : r.events) {
    if (se.tid == 0) out.push_back(Render(r, se));
  }
  std::sort(out.begin() + (out.empty() ? 0 : 1), out.end());  // order among records is free
  return out;
}

TEST(Watchdog, EndsAnAbBaDeadlock) {
  Traced r = RunTraced("deadlock_abba", 1);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 1 + 2);
  EXPECT_NE(r.err.find("watchdog: deadlock: threads"), std::string::npos) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_TRUE(r.src->Meta().watchdog);
  EXPECT_LINES(WatchdogLines(r), "watchdog_fired lock-cycle", "blocked T1 join T2",
               "blocked T2 lock B", "blocked T3 lock A", "holds T2 A 1", "holds T3 B 1");
}

TEST(Watchdog, EndsAStdMutexSelfRelock) {
  Traced r = RunTraced("self_relock", 1);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 1 + 2);
  EXPECT_NE(r.err.find("self-deadlock"), std::string::npos) << r.err;
  EXPECT_LINES(WatchdogLines(r), "watchdog_fired self-deadlock", "blocked T1 lock M",
               "holds T1 M 1");
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "lock_request M");
}

TEST(Watchdog, EndsALostWakeupHang) {
  Traced r = RunTraced("lost_wakeup", 1);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_GT(r.seconds, 1);
  EXPECT_LT(r.seconds, 1 + 2);
  EXPECT_NE(r.err.find("hang: all 1 threads blocked"), std::string::npos) << r.err;
  EXPECT_LINES(WatchdogLines(r), "watchdog_fired all-blocked", "blocked T1 cond CV");
}

// A real std::condition_variable wait holding a second std::mutex, whose notifier needs that
// mutex: the run ends, the analysis predicts the nested monitor lockout.
TEST(Analysis, WaitHoldingALockTheNotifierNeedsIsAPotentialDeadlock) {
  Traced r = RunTraced("nested_monitor", 5);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  std::vector<const Finding*> holds;
  for (const Finding& f : rep.findings) {
    if (f.subkind == "wait-holding-lock") holds.push_back(&f);
  }
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds[0]->severity, Severity::kError);
  EXPECT_EQ(holds[0]->locks, (std::vector<std::string>{"registry"}));
  ASSERT_EQ(holds[0]->accesses.size(), 4u);
  EXPECT_EQ(holds[0]->accesses[0].object, "ready");
  EXPECT_EQ(holds[0]->accesses[3].op, "signal");
}

// --- threadlens run ------------------------------------------------------------------------

TEST(Run, MissingProgramIsBadUsage) {
  Traced r = RunTraced("/nonexistent/program", 2, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
  Traced p = RunTraced("no-such-program-anywhere", 2, false, "", true);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("program not found"), std::string::npos) << p.err;
}

TEST(Run, NonExecutableProgramIsBadUsage) {
  std::string src = std::string(THREADLENS_SOURCE_DIR) + "/tests/tracer/programs/mutex_ops.c";
  Traced r = RunTraced(src, 2, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not executable"), std::string::npos) << r.err;
}

TEST(Run, PassesStdinStdoutAndExitStatus) {
  Traced r = RunTraced("/bin/cat", 2, true, "hello-through-cat");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello-through-cat\n");
  EXPECT_NE(r.err.find("threadlens: "), std::string::npos);
  fs::create_directories(TL_TMP_DIR);
  std::string cmd = std::string(THREADLENS_CLI) + " run --trace " + TL_TMP_DIR +
                    "/exit7.tltrace -- /bin/sh -c 'exit 7' 2>/dev/null";
  EXPECT_EQ(System(cmd), 7);
}

TEST(Run, PassesTheProgramsArgumentsAsTyped) {
  // Arguments that look like a list ("[64,64]", OpenJPEG's precinct sizes) or like the
  // runner's own options reach the program unchanged.
  fs::create_directories(TL_TMP_DIR);
  const std::string out = std::string(TL_TMP_DIR) + "/args.out";
  std::string cmd = std::string(THREADLENS_CLI) + " run --trace " + TL_TMP_DIR +
                    "/args.tltrace -- /usr/bin/printf '<%s>' -c '[64,64]' '[]' '[a,b],[c,d]' " +
                    "-- --trace x > " + out + " 2>/dev/null";
  ASSERT_EQ(System(cmd), 0);
  std::ifstream in(out);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, "<-c><[64,64]><[]><[a,b],[c,d]><--><--trace><x>");
}

TEST(Run, SummaryLineCountsThreadsLocksEvents) {
  Traced r = RunTraced("mutex_contended");
  ASSERT_EQ(r.exit_code, 0);
  std::string want = "2 threads, 1 locks, " + std::to_string(r.events.size()) +
                     " events; watchdog did not fire; exit status 0";
  EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
}

TEST(Dump, PrintsOneLinePerEventInMergedOrder) {
  Traced r = RunTraced("mutex_contended");
  ASSERT_EQ(r.exit_code, 0);
  std::string out = std::string(TL_TMP_DIR) + "/dump.out";
  ASSERT_EQ(System(std::string(THREADLENS_CLI) + " dump " + r.trace + " >" + out), 0);
  std::istringstream lines(Slurp(out));
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line.rfind("# trace ", 0), 0u) << line;
  size_t n = 0;
  uint64_t last_seq = 0;
  while (std::getline(lines, line)) {
    ++n;
    // Every event of this program but the stack records (bounds, thread-local blocks, call
    // stacks) and sem_init's write of the semaphore and its count is a sync event.
    if (line.find(" thread_stack ") != std::string::npos) continue;
    if (line.find(" thread_tls ") != std::string::npos) continue;
    if (line.find(" func_entry ") != std::string::npos) continue;  // native stack records
    if (line.find(" func_exit ") != std::string::npos) continue;
    if (line.find(" write ") != std::string::npos) continue;
    if (line.find(" sem_init ") != std::string::npos) continue;
    uint64_t seq = std::stoull(line);
    EXPECT_GT(seq, last_seq) << line;
    last_seq = seq;
  }
  EXPECT_EQ(n, r.events.size());
  char m[32];
  std::snprintf(m, sizeof m, "0x%llx", static_cast<unsigned long long>(r.addr.at("M")));
  EXPECT_NE(Slurp(out).find(std::string("lock_request    ") + m), std::string::npos);
}

TEST(Dump, CorruptTraceIsExitCodeTwoWithOffset) {
  std::string path = std::string(TL_TMP_DIR) + "/corrupt.tltrace";
  fs::create_directories(TL_TMP_DIR);
  {
    std::ofstream f(path, std::ios::binary);
    f.write(trace::kMagic, 8);
    f << std::string(300, 'z');
  }
  std::string err = std::string(TL_TMP_DIR) + "/corrupt.err";
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " dump " + path + " >/dev/null 2>" + err), 2);
  EXPECT_NE(Slurp(err).find("offset"), std::string::npos) << Slurp(err);
}

TEST(Run, DefaultTraceIsNamedAfterTheProgramInTheCurrentFolder) {
  std::string dir = std::string(TL_TMP_DIR) + "/default_name";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string cmd = "cd " + dir + " && " + THREADLENS_CLI + " run -- " + TL_PROGRAMS_DIR +
                    "/sem_ops >/dev/null 2>&1";
  ASSERT_EQ(System(cmd), 0);
  EXPECT_TRUE(fs::exists(dir + "/sem_ops.tltrace"));
}

TEST(Watchdog, StaysQuietForTimedWaitsAndWorkingThreads) {
  Traced r = RunTraced("slow_but_alive", 0.5);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.src->Meta().watchdog);
  EXPECT_NE(r.err.find("watchdog did not fire"), std::string::npos) << r.err;
  for (const auto& se : r.events) EXPECT_NE(se.tid, 0u) << Render(r, se);
}

}  // namespace
}  // namespace threadlens
