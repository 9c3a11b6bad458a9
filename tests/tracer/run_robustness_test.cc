// `threadlens run` where programs and machines get in the way: realloc, programs that
// close or redirect every fd, two runs on one trace path, signals to the runner, deep lock
// recursion, hangs and the time limit (the size limits: trace_size_test.cc). Each checks
// that the trace is readable and what it holds, and that the program's exit status and
// output are its own.
#include <sys/sem.h>

#include "robustness_util.h"

namespace threadlens {
namespace {

using namespace robustness_test;

// --- realloc ------------------------------------------------------------------------------

// realloc frees the old block with the size it had: taken before the real call, since a
// large block is moved with mremap and its old pages unmapped (read after the call, the size
// killed the program with SIGSEGV).
TEST(Realloc, AMovedBlockIsFreedWithTheSizeItHad) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/realloc_sizes");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  for (const std::string block : {"SMALL", "BIG"}) {
    const uint64_t addr = Hex(r.out, block);
    const uint64_t* freed = nullptr;
    for (const auto& se : c.events) {
      if (se.kind() == EventKind::kFree && se.ev.obj == addr) {
        freed = &se.ev.seq;
        break;
      }
    }
    ASSERT_NE(freed, nullptr) << block;
    EXPECT_EQ(*freed, Hex(r.out, block + "_SIZE")) << block;
  }
}

// --- closed and redirected fds -----------------------------------------------------------

TEST(ClosedFds, TraceSurvivesAndWatchdogSpeaksToTheOriginalStderr) {
  std::string redirected = TestFile("redirected");
  Outcome r = RunTraced(Program("closes_fds") + " " + redirected, "--watchdog 0.5");
  EXPECT_EQ(r.exit_code, 86) << r.err;
  EXPECT_NE(r.err.find("threadlens: watchdog: "), std::string::npos) << r.err;
  std::string program_err = Slurp(redirected);
  EXPECT_EQ(program_err, "redirected\n");  // the program's own output, nothing of ours
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  EXPECT_TRUE(c.meta.watchdog);
  const uint64_t m = Hex(r.out, "M");
  uint64_t acquired = 0;  // rounds that repeat the one before are counted on it (aux32)
  for (const auto& se : c.events) {
    if (se.kind() == EventKind::kLockAcquired && se.ev.obj == m) acquired += 1 + se.ev.aux32;
  }
  EXPECT_EQ(acquired, 1001u);  // every round after the close, and the first of the relock
  EXPECT_EQ(Count(c, EventKind::kWatchdogFired), 1u);
}

// --- one trace path, two runs ------------------------------------------------------------

TEST(SamePath, SecondRunRefusesAndTheFirstTraceStaysWhole) {
  std::string trace = TestFile("tltrace");
  fs::remove(trace);  // a trace of an earlier run would look like the first run's
  std::string cmd = std::string(THREADLENS_CLI) + " run --trace " + trace + " -- " +
                    Program("waits_for_signal") + " 10 >/dev/null 2>";
  pid_t first = ::fork();
  if (first == 0) {
    ::execl("/bin/sh", "sh", "-c", (cmd + TestFile("err1")).c_str(), (char*)nullptr);
    ::_exit(127);
  }
  // Until the first run holds the path (its program has written a header).
  for (int i = 0; i < 500 && (!fs::exists(trace) || fs::file_size(trace) == 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int second = Status(std::system((cmd + TestFile("err2")).c_str()));
  int st = 0;
  ::waitpid(first, &st, 0);
  EXPECT_EQ(Status(st), 0) << Slurp(TestFile("err1"));
  EXPECT_EQ(second, 2);
  EXPECT_NE(Slurp(TestFile("err2")).find("another threadlens run"), std::string::npos);
  Contents c = Read(trace);
  EXPECT_TRUE(c.meta.complete);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(Count(c, EventKind::kLockAcquired), 1u);
}

// --- forks ---------------------------------------------------------------------------------

// A fork while another thread is inside a sequentially consistent atomic: the child's own
// atomic on that variable goes through (it waited for ever on the stripe lock the other
// thread held in the parent).
TEST(Forks, AChildForkedDuringAnotherThreadsAtomicIsNotStuck) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/fork_beside_atomics 20",
                        "--compress --timeout 60");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("children 20"), std::string::npos) << r.out;
}

// --- signals to the runner ---------------------------------------------------------------

// Starts waits_for_signal under `threadlens run`; returns the runner's pid and the
// program's, once it printed it.
std::pair<pid_t, pid_t> StartWaiting(const std::string& trace, const std::string& out,
                                     const std::string& err) {
  fs::remove(out);
  pid_t runner = ::fork();
  if (runner == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execl(THREADLENS_CLI, THREADLENS_CLI, "run", "--trace", trace.c_str(), "--",
            Program("waits_for_signal").c_str(), (char*)nullptr);
    ::_exit(127);
  }
  pid_t program = 0;
  for (int i = 0; i < 500 && program == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::sscanf(Slurp(out).c_str(), "PID %d", &program);
  }
  return {runner, program};
}

TEST(RunnerSignals, SigtermReachesTheProgramAndItsTraceIsFlushed) {
  std::string trace = TestFile("tltrace"), out = TestFile("out"), err = TestFile("err");
  const auto [runner, program] = StartWaiting(trace, out, err);
  ASSERT_GT(program, 0);
  ::kill(runner, SIGTERM);
  int st = 0;
  ::waitpid(runner, &st, 0);
  EXPECT_EQ(Status(st), 128 + SIGTERM) << Slurp(err);
  for (int i = 0; i < 100 && Alive(program); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(Alive(program));
  Contents c = Read(trace);
  EXPECT_FALSE(c.meta.complete);  // a fatal signal: flushed, not cleanly closed
  EXPECT_EQ(Count(c, EventKind::kLockAcquired), 1u);
}

// SIGUSR1 sent to the runner reaches the program, whose handler stops it cleanly (a server's
// graceful stop): the runner neither dies of it nor turns it into SIGTERM.
TEST(RunnerSignals, Sigusr1ReachesTheProgramsHandler) {
  std::string trace = TestFile("tltrace"), out = TestFile("out"), err = TestFile("err");
  const auto [runner, program] = StartWaiting(trace, out, err);
  ASSERT_GT(program, 0);
  ::kill(runner, SIGUSR1);
  int st = 0;
  ::waitpid(runner, &st, 0);
  EXPECT_EQ(Status(st), 0) << Slurp(err);
  EXPECT_NE(Slurp(out).find("stopped by SIGUSR1"), std::string::npos) << Slurp(out);
  Contents c = Read(trace);
  EXPECT_TRUE(c.meta.complete);
}

// --- deep recursion ----------------------------------------------------------------------

TEST(DeepRecursion, LockDepthPast65535SaturatesInsteadOfWrapping) {
  Outcome r = RunTraced(Program("deep_recursion"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("done"), std::string::npos);
  Contents c = Read(r.trace);
  const uint64_t m = Hex(r.out, "M");
  uint32_t prev = 0, acquired = 0, released = 0;
  for (const auto& se : c.events) {
    if (se.ev.obj != m) continue;
    if (se.kind() == EventKind::kLockAcquired) {
      ++acquired;
      EXPECT_GE(se.ev.aux16, prev) << "depth wrapped at acquisition " << acquired;
      prev = se.ev.aux16;
    } else if (se.kind() == EventKind::kLockRelease) {
      ++released;
      EXPECT_LE(se.ev.aux16, prev) << "depth wrapped at release " << released;
      prev = se.ev.aux16;
    }
    if (HasFailure()) break;
  }
  EXPECT_EQ(acquired, 70000u);
  EXPECT_EQ(released, 70000u);
  EXPECT_EQ(prev, 0u);  // the last release frees the lock
}

// --- hangs, sleepers and the time limit ----------------------------------------------------

constexpr int kWatchdogExit = 86;
constexpr int kTimeoutExit = 87;

std::vector<const Finding*> Findings(const Report& r, const std::string& kind) {
  std::vector<const Finding*> out;
  for (const Finding& f : r.findings) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST(Hang, IdleWorkerWhenMainReturnsIsNoHang) {
  Outcome r = RunTraced(Program("idle_worker"), "--watchdog 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  EXPECT_FALSE(c.meta.watchdog);
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  EXPECT_TRUE(Findings(rep, "hang").empty());
  bool noted = false;
  for (const auto& n : rep.notes) noted |= n.find("when the program exited") != std::string::npos;
  EXPECT_TRUE(noted) << ::testing::PrintToString(rep.notes);
}

TEST(Hang, LostWakeupEndedByTheWatchdogIsAHang) {
  Outcome r = RunTraced(Program("lost_wakeup"), "--watchdog 1");
  ASSERT_EQ(r.exit_code, kWatchdogExit) << r.err;
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  auto h = Findings(rep, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "cond");
}

TEST(Hang, CondHangBesideALongSleepIsEndedByTheWatchdog) {
  auto start = std::chrono::steady_clock::now();
  Outcome r = RunTraced(Program("sleep_beside_hang"), "--watchdog 1");
  EXPECT_LT(Seconds(start), 30);  // the sleeper sleeps ten minutes: room for a loaded machine
  ASSERT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_NE(r.err.find("hang: all 2 threads blocked (or asleep)"), std::string::npos) << r.err;
  Contents c = Read(r.trace);
  EXPECT_EQ(Count(c, EventKind::kRunning), 1u);
  for (const auto& se : c.events) {
    if (se.kind() == EventKind::kRunning) EXPECT_TRUE(se.ev.flags & trace::kAsleep);
  }
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  auto h = Findings(rep, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "cond");
}

// The twins of a first sleep: main waits on a condition variable while the one other thread
// sleeps 3 s (delay 1 s). A task that signals when it wakes is work the wait is for: the
// program ends on its own, and so does a retry loop that sleeps 2 s three times before it
// signals. A thread that sleeps in a loop and wakes nobody leaves main stuck: ended once main
// has waited 30 delays (delay 0.3 s: 9 s).
void EndsOnItsOwn(const std::string& mode) {
  Outcome r = RunTraced(Program("sleep_beside_hang") + " " + mode, "--watchdog 1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("done"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("watchdog did not fire"), std::string::npos) << r.err;
}

TEST(Hang, WaitForATaskThatSleepsIsNoHang) { EndsOnItsOwn("task"); }
TEST(Hang, WaitForARetryLoopThatSleepsIsNoHang) { EndsOnItsOwn("retry"); }

TEST(Hang, CondHangBesideASleepLoopIsEndedByTheWatchdog) {
  auto start = std::chrono::steady_clock::now();
  Outcome r = RunTraced(Program("sleep_beside_hang") + " heartbeat", "--watchdog 0.3");
  ASSERT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_GE(Seconds(start), 9);  // not before main has waited 30 delays
  EXPECT_LT(Seconds(start), 30);
  EXPECT_NE(r.err.find("hang: all 2 threads blocked (or asleep)"), std::string::npos) << r.err;
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  auto h = Findings(rep, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "cond");
}

TEST(Hang, JoinOfASleepingThreadIsNoHang) {
  // Main joins a thread sleeping 2 s (longer than the delay) that then wakes a third.
  Outcome r = RunTraced(Program("sleep_beside_hang") + " join", "--watchdog 0.5");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("watchdog did not fire"), std::string::npos) << r.err;
}

// Futex waits the program makes itself: only the untimed ones on words no other process can
// wake are recorded, each wait with its end (EAGAIN: failed), and nothing else changes.
TEST(Hang, UntimedPrivateFutexWaitsAreRecorded) {
  Outcome r = RunTraced(Program("futex_waits"), "--watchdog 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("done"), std::string::npos);
  Contents c = Read(r.trace);
  const uint64_t changed = Hex(r.out, "CHANGED"), woken = Hex(r.out, "WOKEN");
  std::vector<std::pair<EventKind, uint64_t>> waits;
  for (const auto& se : c.events) {
    if (se.kind() != EventKind::kFutexWaitBegin && se.kind() != EventKind::kFutexWaitEnd) continue;
    EXPECT_EQ(se.tid, 1u);
    waits.push_back({se.kind(), se.ev.obj});
    if (se.ev.obj == changed && se.kind() == EventKind::kFutexWaitEnd) {
      EXPECT_TRUE(se.ev.flags & trace::kFailed);
    }
  }
  // The changed word's wait, then main's waits for the worker (as many as it needed), each
  // begun and ended; the timed and the shared-memory waits are not there.
  ASSERT_GE(waits.size(), 2u);
  EXPECT_EQ(waits[0], std::make_pair(EventKind::kFutexWaitBegin, changed));
  EXPECT_EQ(waits[1], std::make_pair(EventKind::kFutexWaitEnd, changed));
  EXPECT_EQ(waits.size() % 2, 0u);
  for (size_t i = 2; i < waits.size(); ++i) {
    EXPECT_EQ(waits[i].first, i % 2 ? EventKind::kFutexWaitEnd : EventKind::kFutexWaitBegin);
    EXPECT_EQ(waits[i].second, woken);
  }
  EXPECT_TRUE(Findings(AnalyzeFile(r.trace, AnalyzeOptions{}), "hang").empty());
}

// The same program, then waiting on a word nobody wakes: every thread is blocked, so the
// watchdog ends it, and the hang is main's futex wait.
TEST(Hang, AFutexWaitNobodyEndsIsAHang) {
  Outcome r = RunTraced(Program("futex_waits") + " hang", "--watchdog 1");
  ASSERT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_NE(r.err.find("hang: all 1 threads blocked"), std::string::npos) << r.err;
  Contents c = Read(r.trace);
  const uint64_t never = Hex(r.out, "NEVER");
  size_t blocked = 0;
  for (const auto& se : c.events) {
    if (se.kind() != EventKind::kBlocked) continue;
    ++blocked;
    EXPECT_EQ(se.ev.flags, static_cast<uint8_t>(trace::BlockedOn::kFutex));
    EXPECT_EQ(se.ev.obj, never);
  }
  EXPECT_EQ(blocked, 1u);
  const Report report = AnalyzeFile(r.trace, AnalyzeOptions{});  // outlives the pointers
  auto h = Findings(report, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "futex");
  EXPECT_EQ(h[0]->accesses.at(0).op, "futex-wait");
  EXPECT_EQ(h[0]->accesses.at(0).object, "never");
}

// A program built without the instrumentation that waits forever for a file's lock its own
// thread holds through another descriptor, or on a System V semaphore: the watchdog ends it
// and the report names what it waits on as for an instrumented one (not by the runtime's key).
TEST(Hang, AnUninstrumentedWaitOnAFileLockOrSystemVSemaphoreIsNamed) {
  for (const std::string mode : {"flock", "sysv"}) {
    Outcome r = RunTraced(Program("waits_nobody_ends") + " " + mode, "--watchdog 1");
    if (const size_t at = r.out.find("SET "); at != std::string::npos) {
      semctl(std::stoi(r.out.substr(at + 4)), 0, IPC_RMID);
    }
    ASSERT_EQ(r.exit_code, kWatchdogExit) << mode << ": " << r.err;
    const Report report = AnalyzeFile(r.trace, AnalyzeOptions{});
    auto h = Findings(report, mode == "flock" ? "self-deadlock" : "hang");
    ASSERT_EQ(h.size(), 1u) << mode;
    if (mode == "sysv") EXPECT_EQ(h[0]->subkind, "sem");
    EXPECT_EQ(h[0]->accesses.at(0).object, mode == "flock"
                                               ? "file lock /tmp/threadlens-native-flock-hang"
                                               : "0 of a System V set");
  }
}

// A waiter its own timer's signal handler will wake is waiting, not hung: the watchdog
// (delay 1 s) lets the 2 s alarm, or ITIMER_REAL, fire. Once the timer is past, the same
// wait again is a hang.
TEST(Hang, AWaitATimerWillEndIsNoHang) {
  for (const char* mode : {"alarm", "itimer"}) {
    Outcome r = RunTraced(Program("alarm_wakes_waiter") + " " + mode, "--watchdog 1");
    EXPECT_EQ(r.exit_code, 0) << mode << ": " << r.err;
    EXPECT_NE(r.out.find("woken by the timer"), std::string::npos) << mode;
  }
  Outcome r = RunTraced(Program("alarm_wakes_waiter") + " hang", "--watchdog 1");
  ASSERT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_NE(r.out.find("woken by the timer"), std::string::npos);
  const Report report = AnalyzeFile(r.trace, AnalyzeOptions{});  // outlives the pointers
  auto h = Findings(report, "hang");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]->subkind, "sem");
}

TEST(Timeout, EndsALivelockWithEveryThreadsState) {
  auto start = std::chrono::steady_clock::now();
  Outcome r = RunTraced(Program("livelock"), "--timeout 2");
  // Ended, not left to spin: the bound leaves room for a loaded machine flushing the
  // spinners' buffers (the run would otherwise never end).
  EXPECT_LT(Seconds(start), 20);
  EXPECT_EQ(r.exit_code, kTimeoutExit) << r.err;
  EXPECT_NE(r.err.find("threadlens: timeout: the run was ended after 2 s"), std::string::npos)
      << r.err;
  Contents c = Read(r.trace);  // readable
  EXPECT_TRUE(c.meta.complete);
  EXPECT_TRUE(c.meta.watchdog);
  size_t fired = 0, running = 0, blocked = 0;
  for (const auto& se : c.events) {
    if (se.tid != 0) continue;
    if (se.kind() == EventKind::kWatchdogFired) {
      ++fired;
      EXPECT_EQ(se.ev.flags, static_cast<uint8_t>(trace::WatchdogReason::kTimeout));
      EXPECT_EQ(se.ev.aux32, 2000u);
    }
    if (se.kind() == EventKind::kRunning) ++running;
    if (se.kind() == EventKind::kBlocked) {
      ++blocked;
      EXPECT_EQ(se.ev.aux32, 1u);  // main, joining
      EXPECT_EQ(se.ev.flags, static_cast<uint8_t>(trace::BlockedOn::kJoin));
    }
  }
  EXPECT_EQ(fired, 1u);
  EXPECT_EQ(running, 2u);
  EXPECT_EQ(blocked, 1u);
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  auto t = Findings(rep, "timeout");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0]->severity, Severity::kError);
  EXPECT_NE(t[0]->title.find("still running: T2, T3; blocked: T1"), std::string::npos)
      << t[0]->title;
  EXPECT_TRUE(Findings(rep, "hang").empty());
}

TEST(Timeout, ProgramThatFinishesInTimeHasNoFinding) {
  Outcome r = RunTraced(Program("livelock") + " finish", "--timeout 10");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("done"), std::string::npos);
  Contents c = Read(r.trace);
  EXPECT_FALSE(c.meta.watchdog);
  EXPECT_EQ(Count(c, EventKind::kWatchdogFired), 0u);
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  EXPECT_TRUE(Findings(rep, "timeout").empty());
}

TEST(Timeout, NegativeIsBadUsage) {
  Outcome r = RunTraced(Program("idle_worker"), "--timeout -1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--timeout takes seconds"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace threadlens
