// Waits on an eventfd (processes/proc_eventfd.c): a read, or a poll or epoll_wait for it to turn
// readable, that only a write by one of its holders can end. When every holder is blocked the
// watchdog ends the program at once (no delay: nothing can wake it) and the analysis names the
// eventfd: a hang when the reader's own process alone holds it, a deadlock when the writer waits
// for a lock the reader holds, or for the reader's process to end. The twins end on their own:
// the writer gets the lock, wakes after a sleep, or writes before the wait; a non-blocking
// eventfd is never waited on; an eventfd made by raw system call is judged as one the C
// library made ("raw-" modes); and the kernel itself writes the eventfd when an io_uring
// request, or an AIO one, completes, so a process with either gets no verdict on its waits; nor
// does an eventfd passed to a process outside the recording.
// ThreadSanitizer hangs with each of the five that do not end (docs/versus-tsan.md).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

const Access* SideOf(const Finding& f, const std::string& op) {
  for (const Access& a : f.accesses) {
    if (a.op == op) return &a;
  }
  return nullptr;
}

class EventfdOwnWait : public ::testing::TestWithParam<std::string> {};

// The only thread waits on an eventfd only its process holds: a hang of subkind eventfd.
TEST_P(EventfdOwnWait, IsAHang) {
  Report rep;
  const Finding* f =
      EndedAtOnce("proc_eventfd", GetParam(), "hang", rep, "other end only this process holds");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->subkind, "eventfd");
  EXPECT_NE(f->title.find("blocked forever waiting on eventfd:["), std::string::npos) << f->title;
  EXPECT_NE(f->detail.find("closing it wakes no one"), std::string::npos) << f->detail;
  const Access* read = SideOf(*f, "pipe-read");
  ASSERT_TRUE(read) << f->title;
  EXPECT_EQ(read->object.rfind("eventfd:[", 0), 0u) << read->object;
  ASSERT_FALSE(read->stack.empty());
  EXPECT_TRUE(read->stack[0].file.ends_with("proc_eventfd.c")) << read->stack[0].file;
}

INSTANTIATE_TEST_SUITE_P(Processes, EventfdOwnWait,
                         ::testing::Values("read-own", "poll-own", "epoll-own",
                                           "raw-read-own"),
                         Underscored);

// Main reads one eventfd while a worker polls another, and only their process holds either:
// one hang at main, the worker stuck behind it (each could write the other's: no cycle).
TEST(Processes, TwoThreadsWaitingOnTheirProcesssEventfdsAreOneHang) {
  Report rep;
  const Finding* f = EndedAtOnce("proc_eventfd", "two-own", "hang", rep);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->subkind, "eventfd");
  EXPECT_NE(f->title.find("hang: T1 blocked forever waiting on eventfd:["), std::string::npos)
      << f->title;
  EXPECT_NE(f->title.find("1 more thread stuck behind it"), std::string::npos) << f->title;
}

// Main reads the eventfd holding the mutex its writer waits for: one deadlock of the two.
TEST(Processes, ReadingAnEventfdWhileHoldingItsWritersMutexIsADeadlock) {
  Report rep;
  const Finding* f = EndedAtOnce("proc_eventfd", "lock-read", "deadlock", rep);
  ASSERT_TRUE(f);
  EXPECT_NE(f->title.find("T1 waits to read eventfd:["), std::string::npos) << f->title;
  EXPECT_NE(f->title.find("until T2 writes to it"), std::string::npos) << f->title;
  EXPECT_EQ(f->title.find("closes it"), std::string::npos) << "no end of file: " << f->title;
  EXPECT_TRUE(SideOf(*f, "pipe-read")) << f->title;
  const Access* request = SideOf(*f, "request");
  ASSERT_TRUE(request) << f->title;
  EXPECT_EQ(request->object, "mu");
}

// The child reads the eventfd its parent writes only after waiting for the child to end.
TEST(Processes, WaitingForTheChildThatReadsYourEventfdIsADeadlock) {
  Traced r = RunProcess("proc_eventfd", "fork-wait", 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep);
  ASSERT_TRUE(cycle);
  const Access* read = SideOf(*cycle, "pipe-read");
  const Access* wait = SideOf(*cycle, "wait-process");
  ASSERT_TRUE(read && wait) << cycle->title;
  EXPECT_EQ(read->pid, rep.pids[1]);
  EXPECT_EQ(wait->pid, rep.pids[0]);
  EXPECT_EQ(read->object.rfind("eventfd:[", 0), 0u) << read->object;
}

class EventfdWoken : public ::testing::TestWithParam<std::string> {};

TEST_P(EventfdWoken, EndsWithNoFinding) {
  Traced r = RunProcess("proc_eventfd", GetParam(), 1, false);
  if (r.exit_code == 77) GTEST_SKIP() << "no io_uring or AIO here";
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Errors(AnalyzeTrace(r.trace)), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Processes, EventfdWoken,
                         ::testing::Values("unlock-read", "poll-written", "epoll-written",
                                           "fork-write", "nonblock", "uring-timeout",
                                           "aio-poll", "raw-poll-written"),
                         Underscored);

// An eventfd passed (SCM_RIGHTS) to a process the recording does not trace: that process may
// write it, so the lone reader gets no verdict, and wakes when the helper writes it after
// 1.5 s. (Before, the watchdog ended the program at once: a false hang.)
TEST(Processes, AnEventfdPassedToAProcessOutsideIsNoHang) {
  const std::string program = std::string(TL_PROCESSES_DIR) + "/proc_eventfd";
  ASSERT_EQ(System("(" + program + " helper >/dev/null 2>&1 &)"), 0);
  Traced r = RunProcess("proc_eventfd", "pass-out", 1, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(r.seconds, 1.0) << "the helper's write ended the wait";
  EXPECT_EQ(Errors(AnalyzeTrace(r.trace)), std::vector<std::string>{});
}

}  // namespace
}  // namespace threadlens::tracer_test
