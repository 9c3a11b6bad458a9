// Process trees under `threadlens run`: one recording, read as one stream. Each edge between
// processes (fork, wait, pipe, socket pair, process-shared mutex, condition variable and
// semaphore, named semaphore, a file mapped twice, a System V segment attached twice, a file
// lock by flock, fcntl or lockf, a file name made by one and looked up by the other) orders
// the parent's and the child's accesses to shared memory; each has a twin without the edge,
// where the analysis must find the race. Also the cross-process deadlocks the watchdogs end
// (through process-shared mutexes, and through file locks),
// a killed child, a damaged child trace, and a recording refused for a trace of another one
// beside it.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings.h"
#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

struct EdgeCase {
  const char* mode;
  bool race;  // the twin without the edge
};
void PrintTo(const EdgeCase& c, std::ostream* os) { *os << c.mode << (c.race ? " (race)" : ""); }

class ProcessEdge : public ::testing::TestWithParam<EdgeCase> {};

TEST_P(ProcessEdge, OrdersTheProcessesOrItsTwinRaces) {
  const EdgeCase& c = GetParam();
  Traced r = RunProcess("proc_edges", c.mode, 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.pids.size(), 2u) << "parent and child, one recording";
  const std::vector<std::string> want =
      c.race ? std::vector<std::string>{"race(data)"} : std::vector<std::string>{};
  EXPECT_EQ(Errors(rep), want) << c.mode;
  if (c.race) {
    ASSERT_FALSE(rep.findings.empty());
    const Finding& f = rep.findings[0];
    ASSERT_EQ(f.accesses.size(), 2u);
    EXPECT_NE(f.accesses[0].pid, f.accesses[1].pid) << "one access in each process";
    EXPECT_EQ(f.accesses[0].thread.rfind("pid " + std::to_string(f.accesses[0].pid) + " T1", 0), 0u)
        << f.accesses[0].thread;
  }
}

INSTANTIATE_TEST_SUITE_P(Edges, ProcessEdge,
                         ::testing::Values(EdgeCase{"fork", false}, EdgeCase{"fork-late", true},
                                           EdgeCase{"wait", false}, EdgeCase{"no-wait", true},
                                           EdgeCase{"pipe", false}, EdgeCase{"socketpair", false},
                                           EdgeCase{"mutex", false}, EdgeCase{"cond", false},
                                           EdgeCase{"cond-race", true}, EdgeCase{"sem", false},
                                           EdgeCase{"sem-race", true}, EdgeCase{"named-sem", false},
                                           EdgeCase{"named-sem-race", true},
                                           EdgeCase{"shm-open", false},
                                           EdgeCase{"shm-open-race", true},
                                           EdgeCase{"sysv-shm", false},
                                           EdgeCase{"sysv-shm-race", true},
                                           EdgeCase{"sysv-sem", false},
                                           EdgeCase{"sysv-sem-race", true},
                                           EdgeCase{"flock", false},
                                           EdgeCase{"flock-race", true},
                                           EdgeCase{"fcntl", false},
                                           EdgeCase{"fcntl-race", true},
                                           EdgeCase{"flock-exit", false},
                                           EdgeCase{"file-name", false},
                                           EdgeCase{"file-name-race", true}),
                         [](const ::testing::TestParamInfo<EdgeCase>& info) {
                           std::string n = info.param.mode;
                           for (char& ch : n) ch = ch == '-' ? '_' : ch;
                           return n;
                         });

// posix_spawn orders the parent's past before the spawned program, as fork does; the twin
// writes after the spawn and races with the program's read.
TEST(Processes, SpawnOrdersTheParentBeforeTheProgramItStarts) {
  for (const auto& [mode, want] : {std::pair<std::string, std::vector<std::string>>{"spawn", {}},
                                   {"spawn-late", {"race(data)"}}}) {
    Traced r = RunProcess("spawns", mode, 2, false);
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err;
    // The late write may land before or after the read: only the ordered one is known.
    if (mode == "spawn") EXPECT_EQ(r.out, "child saw 7\n");
    EXPECT_EQ(r.out.rfind("child saw ", 0), 0u) << r.out;
    Report rep = AnalyzeTrace(r.trace);
    EXPECT_EQ(rep.pids.size(), 2u) << mode;
    EXPECT_EQ(Errors(rep), want) << mode;
    EXPECT_TRUE(rep.warnings.empty()) << mode << ": " << rep.warnings[0];
  }
}

// Every process numbers its sync events from the one shared counter: no seq twice.
TEST(Processes, ShareOneSequenceCounter) {
  Traced r = RunProcess("proc_edges", "mutex+seq");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.src->Processes().size(), 2u);
  std::set<uint64_t> seqs;
  uint64_t last = 0;
  int child_events = 0;
  for (const StreamEvent& se : r.events) {
    if (!trace::IsSyncKind(se.kind())) continue;
    EXPECT_TRUE(seqs.insert(se.ev.seq).second) << "seq " << se.ev.seq << " twice";
    EXPECT_GT(se.ev.seq, last) << "merged in seq order";
    last = se.ev.seq;
    child_events += (se.tid >> 24) == 1;
  }
  EXPECT_GT(child_events, 0);
}

TEST(Processes, DeadlockAcrossProcessesEndsBothWithTheWatchdog) {
  Traced r = RunProcess("proc_deadlock", "", 1, false);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 1 + 3.0) << "ended within the delay, with a margin for a loaded machine";
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.pids.size(), 2u);
  EXPECT_TRUE(rep.watchdog);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{"deadlock(lock_a,lock_b)"});
  ASSERT_FALSE(rep.findings.empty());
  std::set<uint32_t> pids;
  for (const Access& a : rep.findings[0].accesses) pids.insert(a.pid);
  EXPECT_EQ(pids, std::set<uint32_t>(rep.pids.begin(), rep.pids.end()))
      << "both processes' sides are in the finding";
}

// A parent thread that never blocks: "every thread blocked" never holds in the parent, so
// only the cycle across the processes (the recording's table of locks) can end it, well
// before the 5 s delay.
TEST(Processes, DeadlockAcrossProcessesBesideABusyThreadIsSeenAsACycle) {
  Traced r = RunProcess("proc_deadlock", "busy", 5, false);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 4.0) << "the cycle, not the delay, ended it";
  EXPECT_NE(r.err.find("deadlock across processes"), std::string::npos) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{"deadlock(lock_a,lock_b)"});
}

// Two processes each hold one file's lock (each opened the files for itself) and wait for the
// other's. Each process's exit would give up its locks and let the other go on, so the first
// watchdog to see the cycle waits for the other's to end it too: one deadlock, both sides.
// "flock-busy": the parent also has a thread that never blocks, so the cycle ends it well
// before the 5 s delay. "flock-fcntl": fcntl's locks, the parent's first one the process's.
class FileLockCycle : public ::testing::TestWithParam<std::string> {};

TEST_P(FileLockCycle, EndsBothProcessesAsOneDeadlock) {
  Traced r = RunProcess("proc_deadlock", GetParam(), 5, false);
  Report rep = AnalyzeTrace(r.trace);
  const Finding* cycle = CycleDeadlock(r, rep);
  ASSERT_TRUE(cycle);
  const Finding& f = *cycle;
  ASSERT_EQ(f.locks.size(), 2u);
  std::vector<std::string> locks = f.locks;
  std::sort(locks.begin(), locks.end());
  const std::string prefix = "file lock /tmp/threadlens-proc-flock-";
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(locks[i].rfind(prefix, 0), 0u) << locks[i];
    EXPECT_EQ(locks[i].back(), "ab"[i]) << locks[i];
  }
  std::set<uint32_t> pids;
  for (const Access& a : f.accesses) {
    pids.insert(a.pid);
    // Each waiter holds the file lock the other waits for, which no traced event took.
    if (a.op != "request") continue;
    ASSERT_EQ(a.held.size(), 1u) << a.tid;
    EXPECT_EQ(a.held[0].rfind(prefix, 0), 0u) << a.held[0];
  }
  EXPECT_EQ(pids, std::set<uint32_t>(rep.pids.begin(), rep.pids.end()))
      << "both processes' sides are in the finding";
}

INSTANTIATE_TEST_SUITE_P(Processes, FileLockCycle,
                         ::testing::Values("flock", "flock-busy", "flock-fcntl"),
                         Underscored);

// The twin: both processes take the files' locks in one order, 20 times each, and end.
TEST(Processes, FileLocksTakenInOneOrderAcrossProcessesEndCleanly) {
  Traced r = RunProcess("proc_deadlock", "flock-ordered", 5, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  EXPECT_EQ(rep.pids.size(), 2u);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{});
}

// A fork's child shares the parent's file lock (the open file description): waiting for the
// lock through a descriptor of its own, it waits for the parent, not for itself.
TEST(Processes, AFileLockAForkedChildInheritedIsNotItsOwnThreads) {
  Traced r = RunProcess("proc_deadlock", "flock-inherited", 2, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  EXPECT_EQ(rep.pids.size(), 2u);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{});
}

TEST(Processes, KilledChildLeavesTheRecordingReadable) {
  Traced r = RunProcess("killed_child");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("killed"), std::string::npos) << r.out;
  ASSERT_EQ(r.src->Processes().size(), 2u);
  EXPECT_TRUE(r.src->Processes()[0].complete);
  EXPECT_FALSE(r.src->Processes()[1].complete);
  EXPECT_FALSE(r.src->Meta().complete) << "the recording lacks the child's end";
  int parent_locks = 0;
  for (const StreamEvent& se : r.events) {
    parent_locks += se.kind() == EventKind::kLockAcquired && (se.tid >> 24) == 0;
  }
  EXPECT_EQ(parent_locks, 1);
  Report rep = AnalyzeTrace(r.trace);
  EXPECT_EQ(Errors(rep), std::vector<std::string>{});
  EXPECT_FALSE(rep.complete);
}

TEST(Processes, TraceOfAnotherRecordingIsRefused) {
  Traced a = RunProcess("proc_edges", "fork+refused", 2, false);
  Traced b = RunProcess("proc_edges", "fork+other", 2, false);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  // b's child trace, copied in beside a as if it were one of a's processes.
  std::string other;
  for (const auto& e : fs::directory_iterator(fs::path(b.trace).parent_path())) {
    const std::string n = e.path().string();
    if (n.rfind(b.trace + ".", 0) == 0 && n.find(".out") == std::string::npos) other = n;
  }
  ASSERT_FALSE(other.empty());
  const std::string stray = a.trace + ".999999";
  fs::copy_file(other, stray, fs::copy_options::overwrite_existing);
  try {
    AnalyzeTrace(a.trace);
    ADD_FAILURE() << "merged traces of two recordings";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUnrelated);
    EXPECT_NE(std::string(e.what()).find("another recording"), std::string::npos) << e.what();
  }
  EXPECT_EQ(System(std::string(THREADLENS_CLI) + " analyze " + a.trace + " >/dev/null 2>&1"), 4);
  fs::remove(stray);
  EXPECT_EQ(AnalyzeTrace(a.trace).pids.size(), 2u);
}

TEST(Processes, DamagedChildTraceIsNamed) {
  Traced a = RunProcess("proc_edges", "fork+damaged", 2, false);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string bad = a.trace + ".999998";
  {
    std::ofstream out(bad, std::ios::binary);
    out << "TLTRACE1" << std::string(300, '\xff');
  }
  try {
    AnalyzeTrace(a.trace);
    ADD_FAILURE() << "read a damaged trace";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
  fs::remove(bad);
}

// More processes than one analysis reads together: said before any sibling is opened (with
// a thousand, the descriptors would run out first), so the damaged siblings here go unread.
TEST(Processes, ARecordingOfTooManyProcessesIsRefusedBeforeItsFilesAreOpened) {
  Traced a = RunProcess("proc_edges", "fork+toomany", 2, false);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::vector<std::string> extra;
  for (int pid = 900000; pid < 900000 + 300; ++pid) {
    extra.push_back(a.trace + "." + std::to_string(pid));
    std::ofstream out(extra.back(), std::ios::binary);
    out << "TLTRACE1" << std::string(64, '\xff');
  }
  try {
    AnalyzeTrace(a.trace);
    ADD_FAILURE() << "read a recording of more than 255 processes";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
    EXPECT_NE(std::string(e.what()).find("the recording holds 302 processes; threadlens reads "
                                         "at most 255"),
              std::string::npos)
        << e.what();
  }
  for (const std::string& f : extra) fs::remove(f);
  EXPECT_EQ(AnalyzeTrace(a.trace).pids.size(), 2u);
}

// Each process's trace stays open while the recording is read: a recording of more processes
// than the soft limit on descriptors allows is still read (the limit is raised to fit).
TEST(Processes, ARecordingOfMoreFilesThanTheSoftDescriptorLimitIsRead) {
  Traced a = RunProcess("proc_edges", "fork+manyfiles", 2, false);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::string child;
  for (const auto& e : fs::directory_iterator(fs::path(a.trace).parent_path())) {
    const std::string n = e.path().string();
    if (n.rfind(a.trace + ".", 0) == 0 && n.find(".out") == std::string::npos &&
        n.find(".err") == std::string::npos) {
      child = n;
    }
  }
  ASSERT_FALSE(child.empty());
  std::vector<std::string> extra;
  for (int pid = 910000; pid < 910000 + 150; ++pid) {
    extra.push_back(a.trace + "." + std::to_string(pid));
    fs::copy_file(child, extra.back(), fs::copy_options::overwrite_existing);
  }
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 300) {
    for (const std::string& f : extra) fs::remove(f);
    GTEST_SKIP() << "the hard limit on descriptors leaves no room";
  }
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  Report r = AnalyzeTrace(a.trace);
  setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_EQ(r.pids.size(), 152u);
  for (const std::string& f : extra) fs::remove(f);
}

// The program closes the counter's descriptor before an exec: the new image reaches the
// counter through the runner's, and the recording stays one.
TEST(Processes, ExecAfterClosingTheCounterFdStaysInTheRecording) {
  Traced r = RunProcess("closes_counter_fd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "new image\n");
  EXPECT_EQ(r.err.find("lost its recording's shared counter"), std::string::npos) << r.err;
  ASSERT_EQ(r.src->Processes().size(), 2u);
  EXPECT_EQ(r.src->Processes()[0].pid, r.src->Processes()[1].pid);
  int locks = 0;
  for (const StreamEvent& se : r.events) locks += se.kind() == EventKind::kLockAcquired;
  EXPECT_EQ(locks, 2) << "one in each image";
}

// A forked child execs with the array `environ` after the program grew its environment:
// the exec gets that array intact (adding the tracer's variable with setenv moved it, and
// the exec failed with EFAULT), and the new image joins the recording.
TEST(Processes, ExecWithEnvironAfterSetenvKeepsTheEnvironment) {
  Traced r = RunProcess("exec_environ");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "new image kept\n");
  ASSERT_EQ(r.src->Processes().size(), 3u) << "the parent, the child and its new image";
  EXPECT_EQ(r.src->Processes()[1].pid, r.src->Processes()[2].pid) << "exec keeps the pid";
}

// io_uring's rings are MAP_SHARED mappings of anonymous-inode files: a ring one thread
// unmapped and a ring another thread then mapped at the same address are two memories (the
// merge put the second mapping before the first one's unmap, and they raced), and two
// threads storing into one ring with nothing between them race.
TEST(Processes, SharedMappingsOfAnAnonymousInodeAreEachTheirOwn) {
  for (const char* mode : {"own", "shared"}) {
    Traced r = RunProcess("io_uring_rings", mode, 2, false);
    if (r.exit_code == 77) GTEST_SKIP() << "the kernel offers no io_uring";
    ASSERT_EQ(r.exit_code, 0) << mode << r.err;
    Report rep = AnalyzeTrace(r.trace);
    size_t races = 0;
    for (const auto& f : rep.findings) races += f.kind == "race";
    EXPECT_EQ(races, std::string(mode) == "own" ? 0u : 1u) << mode;
  }
}

// A race in a forked child on a global of the image it shares with its parent is named by
// the variable (its private addresses carry the process's tag; the symbols do not).
TEST(Processes, AGlobalOfAForkedChildIsNamed) {
  Traced r = RunProcess("child_global_race", "", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.findings.size(), 1u);
  EXPECT_EQ(rep.findings[0].kind, "race");
  EXPECT_EQ(rep.findings[0].variables, (std::vector<std::string>{"child_counter"}));
  EXPECT_EQ(rep.findings[0].accesses.at(0).pid, rep.pids.at(1)) << "the child's";
}

// A race in a forked child on a block its parent allocated before the fork names the block
// and where the parent allocated it: the child's copy of the parent's heap is its own.
TEST(Processes, ABlockAForkedChildInheritedIsNamed) {
  Traced r = RunProcess("child_global_race", "heap", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.findings.size(), 1u);
  EXPECT_EQ(rep.findings[0].kind, "race");
  EXPECT_EQ(rep.findings[0].variables,
            (std::vector<std::string>{"int[3] in heap block allocated at main "
                                      "child_global_race.c:50"}));
  EXPECT_EQ(rep.findings[0].accesses.at(0).pid, rep.pids.at(1)) << "the child's";
}

// A file the parent mapped shared before the fork is named in the child as in a recording
// of one process: by the file, where it was mapped and the field, not as "shared@".
TEST(Processes, AFileMappedSharedIsNamedInTheChild) {
  Traced r = RunProcess("child_global_race", "file", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.findings.size(), 1u);
  ASSERT_EQ(rep.findings[0].variables.size(), 1u);
  EXPECT_TRUE(std::regex_match(rep.findings[0].variables[0],
                               std::regex("int\\[3\\] in file /tmp/threadlens-shared-[^ ]+ "
                                          "mapped at main child_global_race.c:55")))
      << rep.findings[0].variables[0];
  EXPECT_EQ(rep.findings[0].accesses.at(0).pid, rep.pids.at(1)) << "the child's";
  // Addresses as the processes saw them: the child's accesses where the parent mapped the int
  // (the child inherited the mapping), the mapping where the parent made it.
  const uint64_t printed = std::stoull(r.out.substr(0, r.out.find('\n')), nullptr, 16);
  for (const Access& a : rep.findings[0].accesses) EXPECT_EQ(a.address, printed);
  ASSERT_TRUE(rep.findings[0].allocation.has_value());
  EXPECT_EQ(rep.findings[0].allocation->address, printed - 12);
}

// A forked child's use of a block after a free that happens before it is a use after free,
// as in the first process; its twin reads the block before the free.
TEST(Processes, AForkedChildsUseAfterFreeIsReported) {
  for (const char* mode : {"uaf", "used-first"}) {
    const bool uaf = std::string(mode) == "uaf";
    Traced r = RunProcess("child_global_race", mode, 2, false);
    ASSERT_EQ(r.exit_code, 0) << mode << r.err;
    Report rep = AnalyzeTrace(r.trace);
    ASSERT_EQ(rep.findings.size(), uaf ? 1u : 0u) << mode;
    if (!uaf) continue;
    EXPECT_EQ(rep.findings[0].subkind, "use-after-free");
    EXPECT_EQ(rep.findings[0].accesses.at(0).pid, rep.pids.at(1)) << "the child's";
  }
}

// Memory no allocation names is named by its address as the child's code saw it, not the
// address the analysis keeps it at (tagged with the child's process).
TEST(Processes, AnUnnamedAddressOfAForkedChildIsItsOwn) {
  Traced r = RunProcess("child_global_race", "raw", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.findings.size(), 1u);
  const std::string printed = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(printed.rfind("0x", 0), 0u) << r.out;
  EXPECT_EQ(rep.findings[0].variables, (std::vector<std::string>{printed}));
  for (const Access& a : rep.findings[0].accesses) {
    EXPECT_EQ(a.address, std::stoull(printed, nullptr, 16)) << "the JSON's address too";
  }
}

// Shared memory nobody named is named by its object, where it was mapped and by whom, and
// by the field the accesses' code reaches it through (`s->data`, `s` a `struct shared *`).
TEST(Processes, UnnamedSharedMemoryIsNamedByItsObject) {
  Traced r = RunProcess("proc_edges", "unnamed", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Report rep = AnalyzeTrace(r.trace);
  ASSERT_EQ(rep.findings.size(), 1u);
  ASSERT_EQ(rep.findings[0].variables.size(), 1u);
  const std::string& v = rep.findings[0].variables[0];
  EXPECT_EQ(v.rfind("shared::data in shared@0x", 0), 0u) << v;
  EXPECT_NE(v.find(" (anon " + std::to_string(rep.pids[0]) + ":"), std::string::npos) << v;
}

// The child's file removed: the parent's fork has no child in the recording, and says so.
// The warnings of `path` read to its end through NextSpan.
std::vector<std::string> SpanWarnings(const std::string& path) {
  auto src = OpenTrace(path);
  const StreamEvent* span;
  while (src->NextSpan(&span) > 0) {
  }
  return src->Warnings();
}

TEST(Processes, MissingChildTraceIsAWarning) {
  Traced r = RunProcess("proc_edges", "fork+missing", 2, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int removed = 0;
  for (const auto& e : fs::directory_iterator(fs::path(r.trace).parent_path())) {
    const std::string n = e.path().string();
    if (n.rfind(r.trace + ".", 0) == 0) removed += fs::remove(n);
  }
  ASSERT_EQ(removed, 1);
  r.Read(r.trace);
  EXPECT_TRUE(r.src->Processes().empty()) << "one process left";
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("a process forked by pid"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("has no events in the recording"), std::string::npos);
  // Read in spans, as the analysis reads: the reader watches the forks itself.
  const std::vector<std::string> spans = SpanWarnings(r.trace);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0], r.warnings[0]);
  // With its child there, nothing is missing.
  Traced whole = RunProcess("proc_edges", "fork+whole");
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_TRUE(whole.warnings.empty()) << whole.warnings[0];
  EXPECT_TRUE(SpanWarnings(whole.trace).empty());
}

}  // namespace
}  // namespace threadlens::tracer_test
