// The tracer runtime as a traced process ends: killed, crashed, forked, exec'd, leaving by
// `_exit` or by `exit` (whose flush of stdio comes at the trace's end). Each program in
// programs/ runs under `threadlens run` and its trace is asserted.
#include <algorithm>
#include <csignal>

#include "traced_run.h"

namespace threadlens {
namespace {

using namespace tracer_test;

TEST(Preload, KilledProgramLeavesATraceReadableUpToTheLastFlushedBlock) {
  // Counts whole blocks of lock events: without the call-stack records of native stacks.
  setenv("THREADLENS_NATIVE_STACKS", "0", 1);
  Traced r = RunTraced("killed");
  unsetenv("THREADLENS_NATIVE_STACKS");
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_FALSE(r.src->Meta().complete);
  EXPECT_FALSE(r.src->Meta().signal_flushed);  // SIGKILL: no handler ran
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(Joined(r.warnings).find("not closed cleanly"), std::string::npos);
  // 2 + 10000 events were recorded; whole 2048-event blocks reached the file.
  ASSERT_GE(r.events.size(), 2048u);
  EXPECT_EQ(r.events.size() % 2048, 0u);
  EXPECT_LINES(std::vector<std::string>({Render(r, r.events[0]), Render(r, r.events[1]),
                                         Render(r, r.events[2]), Render(r, r.events[3])}),
               "thread_start", "lock_create M normal", "lock_acquired M 1", "lock_release M 0");
  for (size_t i = 2; i < r.events.size(); ++i) {
    ASSERT_EQ(r.events[i].kind(), i % 2 == 0 ? EventKind::kLockAcquired : EventKind::kLockRelease)
        << i;
  }
}

// Each process writes its own file; reading the first reads the recording: both processes.
TEST(Preload, ForkedChildGetsItsOwnTrace) {
  Traced r = RunTraced("forks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t at = r.out.find("CHILD ");
  ASSERT_NE(at, std::string::npos);
  int child = std::stoi(r.out.substr(at + 6));
  std::string child_trace = r.trace + "." + std::to_string(child);
  ASSERT_TRUE(fs::exists(child_trace)) << child_trace;
  EXPECT_NE(r.err.find("1 more trace(s) from child processes"), std::string::npos) << r.err;
  auto count = [](const Traced& t) {
    int n = 0;
    for (const auto& se : t.events) n += se.kind() == EventKind::kLockAcquired;
    return n;
  };
  EXPECT_EQ(count(r), 3);  // the parent's 1 and the child's 2
  ASSERT_EQ(r.src->Processes().size(), 2u);
  EXPECT_EQ(r.src->Processes()[1].pid, static_cast<uint32_t>(child));
  EXPECT_TRUE(r.src->Meta().complete);
  Traced c;
  c.Read(child_trace);
  EXPECT_EQ(count(c), 2);
  EXPECT_EQ(c.src->Meta().pid, static_cast<uint32_t>(child));
  EXPECT_TRUE(c.src->Meta().complete);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Preload, FatalSignalFlushesEveryEvent) {
  Traced r = RunTraced("crashes");
  EXPECT_EQ(r.exit_code, 128 + 11);
  EXPECT_FALSE(r.src->Meta().complete);
  // Written out whole by the handler: the reader says so, not that events are missing.
  EXPECT_TRUE(r.src->Meta().signal_flushed);
  EXPECT_NE(Joined(r.warnings).find("died of a fatal signal"), std::string::npos)
      << Joined(r.warnings);
  EXPECT_EQ(Joined(r.warnings).find("not closed cleanly"), std::string::npos);
  // Then the crash: a fault's signal, recorded by the thread that took it. The third
  // round repeats the second with nobody else taking the lock: it is counted there.
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "lock_release M 0", "lock_acquired M 1 rounds=+1", "lock_release M 0",
               "crash ?");
  bool signal_11 = false;
  auto src = OpenTrace(r.trace);
  for (StreamEvent e; src->Next(e);) {
    signal_11 |= e.kind() == EventKind::kCrash && e.ev.aux32 == 11;
  }
  EXPECT_TRUE(signal_11);
}

// A program that puts its fatal signal back to the default and raises it (after cleaning up
// on its own handler's request) is flushed as one that never touched the signal: main's join
// and last lock are in the trace.
TEST(Preload, ASignalPutBackToItsDefaultAndRaisedFlushesEveryEvent) {
  Traced r = RunTraced("reraises_signal");
  EXPECT_EQ(r.exit_code, 128 + 15) << r.err;
  EXPECT_FALSE(r.src->Meta().complete);
  std::vector<std::string> main_lines = Lines(r, 1);
  EXPECT_NE(std::find(main_lines.begin(), main_lines.end(), "join T2"), main_lines.end())
      << Joined(main_lines);
  EXPECT_EQ(std::count_if(main_lines.begin(), main_lines.end(),
                          [](const std::string& l) { return l.rfind("lock_release", 0) == 0; }),
            1)
      << Joined(main_lines);
}

// The worker's last unlock lets main return; the worker then ends while the process closes
// the trace (a pause before its own last flush makes that certain). It is still registered
// then, so the close flushes its events: the unlock is in the trace. (Its exit is too when
// it got that far before the process closed the trace; on a busy machine main can win.)
TEST(Preload, AThreadEndingAsTheProcessExitsKeepsItsLastEvents) {
  setenv("THREADLENS_TEST_EXIT_FLUSH_DELAY_US", "300000", 1);
  Traced r = RunTraced("exit_after_last_unlock");
  unsetenv("THREADLENS_TEST_EXIT_FLUSH_DELAY_US");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  // (Whether its lock waited for main's cond_wait varies: requests are left out.)
  std::vector<std::string> worker = Lines(r, 2, {EventKind::kLockRequest});
  if (!worker.empty() && worker.back() == "thread_exit") worker.pop_back();
  EXPECT_LINES(worker, "thread_start T1", "lock_acquired M 1", "cond_signal ?",
               "lock_release M 0");
}

TEST(Preload, UnderscoreExitClosesTheTrace) {
  Traced r = RunTraced("quick_exit");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "lock_release M 0", "thread_exit");
}

TEST(Preload, ExitFlushIntoAClosedPipeDiesOfSigpipeAfterTheTraceIsComplete) {
  const std::string program = std::string(TL_PROGRAMS_DIR) + "/exit_flush_to_closed_pipe";
  ASSERT_EQ(System(program), 128 + SIGPIPE);  // untraced
  Traced r = RunTraced("exit_flush_to_closed_pipe");
  EXPECT_EQ(r.exit_code, 128 + SIGPIPE) << r.err;
  // The trace's end makes the flush, and its SIGPIPE waits until the trace is complete.
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_TRUE(r.warnings.empty());
}

TEST(Preload, ExecClosesTheTraceAndTheNewImageWritesItsOwn) {
  Traced r = RunTraced("execs");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create ? normal", "lock_acquired ? 1",
               "lock_release ? 0", "thread_exit");
  size_t at = r.out.find("PID ");
  ASSERT_NE(at, std::string::npos);
  std::string second = r.trace + "." + std::to_string(std::stoi(r.out.substr(at + 4)));
  // Both images are one recording: read together from the first file, or alone from theirs.
  ASSERT_EQ(r.src->Processes().size(), 2u);
  EXPECT_EQ(r.src->Processes()[0].pid, r.src->Processes()[1].pid) << "exec keeps the pid";
  Traced n;
  n.Read(second);
  EXPECT_TRUE(n.src->Meta().complete);
  EXPECT_EQ(n.src->Meta().recording, r.src->Meta().recording);
  EXPECT_NE(n.src->Meta().recording, 0u);
  EXPECT_NE(n.src->Meta().program.find("mutex_ops"), std::string::npos);
  int acquired = 0;
  for (const auto& se : n.events) acquired += se.kind() == EventKind::kLockAcquired;
  EXPECT_EQ(acquired, 6);  // mutex_ops: M twice, R twice, E twice
}

}  // namespace
}  // namespace threadlens
