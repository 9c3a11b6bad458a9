// Deadlocks through pipes (processes/proc_pipe.c): a parent that waits for its child before it
// reads the child's output, a reader waiting for end of file while its own process holds the
// write end, a writer holding the mutex its reader needs; and through a socket pair or a
// connection (processes/proc_socketpair.c): two processes that each wait for the other to speak
// first, in a read or in poll, select or epoll_wait (processes/proc_ready.c). The watchdogs end
// them at once (no delay: nothing can wake them) and the analysis names the pipe or socket and
// both sides. The twins end on their own, and so does a read that waits on a process that still
// works, a write that waits on a process the recording does not trace, and a read of a pipe
// from outside it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

// A finding's sides of operation `op`; Side: the first, or null.
std::vector<const Access*> Sides(const Finding& f, const std::string& op) {
  std::vector<const Access*> out;
  for (const Access& a : f.accesses) {
    if (a.op == op) out.push_back(&a);
  }
  return out;
}

const Access* Side(const Finding& f, const std::string& op) {
  const std::vector<const Access*> all = Sides(f, op);
  return all.empty() ? nullptr : all[0];
}

class PipeDeadlock : public ::testing::TestWithParam<std::string> {};

TEST_P(PipeDeadlock, EndsBothProcessesAsOneDeadlock) {
  Traced r = RunProcess("proc_pipe", GetParam(), 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep);
  ASSERT_TRUE(cycle);
  const Finding& f = *cycle;
  const uint32_t parent = rep.pids[0], child = rep.pids[1];
  EXPECT_NE(f.title.find("waits for pid " + std::to_string(child) + " to end"),
            std::string::npos)
      << f.title;
  EXPECT_NE(f.title.find("waits to write to pipe:["), std::string::npos) << f.title;
  const Access* wait = Side(f, "wait-process");
  const Access* write = Side(f, "pipe-write");
  ASSERT_TRUE(wait && write) << f.title;
  EXPECT_EQ(wait->pid, parent);
  EXPECT_EQ(write->pid, child);
  EXPECT_EQ(write->object.rfind("pipe:[", 0), 0u) << write->object;
  // Where the child writes: in the program (write_all), or inside stdio under its fflush.
  ASSERT_FALSE(write->stack.empty());
  bool in_program = false;
  for (const auto& frame : write->stack) in_program |= frame.file.ends_with("proc_pipe.c");
  EXPECT_TRUE(in_program) << write->stack[0].function;
  ASSERT_EQ(f.cycle.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Processes, PipeDeadlock,
                         ::testing::Values("wait-first", "stdio-wait-first"), Underscored);

// A read whose other end only its own process, all blocked, holds: ended at once, one hang of
// `subkind` (null when not), its read side in `read`.
const Finding* OwnEndHang(const std::string& program, const std::string& mode,
                          const std::string& subkind, Report& rep, const Access*& read) {
  const Finding* f =
      EndedAtOnce(program, mode, "hang", rep, "other end only this process holds");
  if (!f) return nullptr;
  EXPECT_EQ(f->subkind, subkind);
  read = Side(*f, "pipe-read");
  EXPECT_TRUE(read) << f->title;
  return read ? f : nullptr;
}

TEST(Processes, ReadToEndOfFileWhileHoldingTheWriteEndHangs) {
  Report rep;
  const Access* read = nullptr;
  const Finding* f = OwnEndHang("proc_pipe", "own-write-end", "pipe", rep, read);
  ASSERT_TRUE(f);
  EXPECT_EQ(read->pid, rep.pids[0]);
  EXPECT_NE(f->detail.find("write end"), std::string::npos) << f->detail;
}

TEST(Processes, WriterHoldingTheReadersMutexIsADeadlock) {
  Report rep;
  const Finding* f = EndedAtOnce("proc_pipe", "lock-then-pipe", "deadlock", rep);
  ASSERT_TRUE(f);
  EXPECT_NE(f->title.find("waits to write to pipe:["), std::string::npos) << f->title;
  EXPECT_TRUE(Side(*f, "pipe-write")) << f->title;
  EXPECT_TRUE(Side(*f, "request")) << f->title;
}

// Both writes wait: the parent's into cat's input, cat's (the system's own binary, traced
// after exec) into its output, which the parent reads only once it has written everything.
TEST(Processes, FeedingCatBeforeReadingItsOutputIsADeadlock) {
  Traced r = RunProcess("proc_pipe", "cat-feed-first", 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep, 3);  // the parent, its child, cat
  ASSERT_TRUE(cycle);
  size_t writes = 0;
  for (const Access& a : cycle->accesses) writes += a.op == "pipe-write";
  EXPECT_EQ(writes, 2u) << cycle->title;
  EXPECT_EQ(cycle->cycle.size(), 2u) << cycle->title;
}

// Each "program:mode" ends on its own. The socket pair's: the child speaks first; the reads
// wait with a receive timeout of a second (longer than the watchdog takes to judge a
// deadlock), which ends them; the other socket is closed before the read; over a connection,
// the child speaks first. The readiness waits' (proc_ready.c): the child speaks first; the
// polls have a time limit; a sleeping third process holds the other end of a pipe the parent's
// poll watches beside its socket; a SIGCHLD handler writes the pipe the parent alone holds and
// polls (the self-pipe trick) when its child ends; a process that polls two pipes has closed
// one's write end, and the poll sees the end; a child sends the SIGTERM whose handler writes
// the pipe its parent polls.
class PipeEnds : public ::testing::TestWithParam<std::string> {};

TEST_P(PipeEnds, NoDeadlock) {
  const std::string& p = GetParam();
  const size_t colon = p.find(':');
  Traced r = RunProcess(p.substr(0, colon), p.substr(colon + 1), 1, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Errors(AnalyzeTrace(r.trace)), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Processes, PipeEnds,
                         ::testing::Values("proc_pipe:read-first", "proc_pipe:closed-write-end",
                                           "proc_pipe:pipe-then-lock", "proc_pipe:slow-writer",
                                           "proc_pipe:untraced-reader",
                                           "proc_pipe:cat-feed-thread", "proc_socketpair:talk",
                                           "proc_socketpair:timeout",
                                           "proc_socketpair:peer-closed",
                                           "proc_socketpair:tcp-talk",
                                           "proc_socketpair:unix-talk", "proc_ready:poll-talk",
                                           "proc_ready:select-talk", "proc_ready:epoll-talk",
                                           "proc_ready:poll-timeout", "proc_ready:poll-woken",
                                           "proc_ready:poll-sigchld", "proc_ready:poll-own-closed",
                                           "proc_ready:poll-sigterm-sent"),
                         [](const auto& info) {
                           std::string n = info.param.substr(5);
                           std::replace(n.begin(), n.end(), '-', '_');
                           std::replace(n.begin(), n.end(), ':', '_');
                           return n;
                         });

// A pipe the recording did not make (a shell's `a | b`): a process outside may write it, so
// a read of it waits without a verdict, however long.
TEST(Processes, AReadOfAPipeFromOutsideIsNoDeadlock) {
  fs::create_directories(TL_TMP_DIR);
  const std::string base = std::string(TL_TMP_DIR) + "/processes.proc_pipe.stdin";
  const std::string cmd = "sleep 2 | " + std::string(THREADLENS_CLI) + " run --trace " + base +
                          ".tltrace --watchdog 1 -- " + TL_PROCESSES_DIR + "/proc_pipe stdin >" +
                          base + ".out 2>" + base + ".err";
  EXPECT_EQ(System(cmd), 0) << Slurp(base + ".err");
  EXPECT_EQ(Slurp(base + ".out"), "0\n");
}

// Each process reads its socket first: each waits for the other to write. The sockets: a
// socketpair's, or the two ends of a connection on 127.0.0.1 or a Unix socket's name.
class SocketsReadingFirst : public ::testing::TestWithParam<std::string> {};

// Two processes that each wait to read first: ended as one deadlock of two reads, one in each
// process (null when not), its reads in `reads`.
const Finding* ReadsDeadlock(const std::string& program, const std::string& mode, Report& rep,
                             std::vector<const Access*>& reads) {
  Traced r = RunProcess(program, mode, 5, false);
  rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep);
  if (!cycle) return nullptr;
  reads = Sides(*cycle, "pipe-read");
  EXPECT_EQ(reads.size(), 2u) << cycle->title;
  EXPECT_EQ(cycle->cycle.size(), 2u);
  if (reads.size() != 2) return nullptr;
  EXPECT_NE(reads[0]->pid, reads[1]->pid);
  return cycle;
}

TEST_P(SocketsReadingFirst, IsADeadlock) {
  Report rep;
  std::vector<const Access*> reads;
  const Finding* cycle = ReadsDeadlock("proc_socketpair", GetParam(), rep, reads);
  ASSERT_TRUE(cycle);
  EXPECT_NE(reads[0]->object, reads[1]->object) << "each reads its own socket";
  for (const Access* a : reads) EXPECT_EQ(a->object.rfind("socket:[", 0), 0u) << a->object;
  EXPECT_NE(cycle->title.find("waits to read socket:["), std::string::npos) << cycle->title;
}

INSTANTIATE_TEST_SUITE_P(Processes, SocketsReadingFirst,
                         ::testing::Values("both-read-first", "tcp-both-read-first",
                                           "unix-both-read-first"),
                         Underscored);

// An event loop's deadlock (processes/proc_ready.c): parent and child each wait in poll, select
// or epoll_wait for the other to speak first; the parent's wait also watches a pipe whose write
// end only the child holds.
class ReadinessWait : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadinessWait, BothWaitingToHearFirstIsADeadlock) {
  Report rep;
  std::vector<const Access*> reads;
  const Finding* cycle = ReadsDeadlock("proc_ready", GetParam() + "-both", rep, reads);
  ASSERT_TRUE(cycle);
  for (const Access* a : reads) {
    // The child watches its socket; the parent, whose socket and quit pipe both lead to the
    // child, is named at either.
    const bool child = a->pid == rep.pids[1];
    const bool socket = a->object.rfind("socket:[", 0) == 0;
    EXPECT_TRUE(socket || (!child && a->object.rfind("pipe:[", 0) == 0)) << a->object;
    ASSERT_FALSE(a->stack.empty());
    EXPECT_EQ(a->stack[0].function, "wait_readable");
  }
  // The parent's wait watches its socket and the quit pipe: both are named.
  EXPECT_NE(cycle->detail.find("readiness wait"), std::string::npos) << cycle->detail;
  EXPECT_NE(cycle->detail.find("pipe:["), std::string::npos) << cycle->detail;
}

INSTANTIATE_TEST_SUITE_P(Processes, ReadinessWait, ::testing::Values("poll", "select", "epoll"),
                         [](const auto& info) { return info.param; });

TEST(Processes, ReadingASocketWhileHoldingItsPeerHangs) {
  Report rep;
  const Access* read = nullptr;
  const Finding* f = OwnEndHang("proc_socketpair", "own-peer", "socket", rep, read);
  ASSERT_TRUE(f);
  EXPECT_EQ(read->object.rfind("socket:[", 0), 0u) << read->object;
  EXPECT_NE(f->detail.find("socket pair"), std::string::npos) << f->detail;
}

// One process polls two pipes whose write ends only it holds: a hang whose detail names both.
TEST(Processes, PollingPipesWhileHoldingTheirWriteEndsHangs) {
  Report rep;
  const Access* read = nullptr;
  const Finding* f = OwnEndHang("proc_ready", "poll-own", "pipe", rep, read);
  ASSERT_TRUE(f);
  const std::string& d = f->detail;
  EXPECT_NE(d.find("readiness wait"), std::string::npos) << d;
  const size_t first = d.find("pipe:[");
  ASSERT_NE(first, std::string::npos) << d;
  EXPECT_NE(d.find("pipe:[", first + 1), std::string::npos) << "both pipes: " << d;
}

// A process that catches SIGTERM and polls its self-pipe may be waiting for that signal from
// outside: ended as a hang only once the delay (1 s) has passed, not at once.
TEST(Processes, PollingTheSelfPipeOfAnOutsideSignalHangsAfterTheDelay) {
  Traced r = RunProcess("proc_ready", "poll-sigterm", 1, false);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_GE(r.seconds, 1.0) << "the delay is waited out";
  EXPECT_LT(r.seconds, 4.0);
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(Errors(rep).size(), 1u) << ::testing::PrintToString(Errors(rep));
  EXPECT_EQ(rep.findings[0].kind, "hang");
  EXPECT_EQ(rep.findings[0].subkind, "pipe");
}

}  // namespace
}  // namespace threadlens::tracer_test
