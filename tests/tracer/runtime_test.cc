// The tracer runtime on real programs: each program in programs/ runs under `threadlens run`
// and the exact events of its threads are asserted. Programs print the addresses of their
// locks ("M 0x..."), so the expected lines can name them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;
using trace::EventKind;

constexpr int kWatchdogExit = 86;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Traced {
  int exit_code = -1;
  std::string out, err, trace;
  double seconds = 0;
  std::map<uint64_t, std::string> names;  // address -> name, from the program's stdout
  std::map<std::string, uint64_t> addr;
  std::unique_ptr<EventSource> src;
  std::vector<StreamEvent> events;
  std::vector<std::string> warnings;

  void Read(const std::string& path) {
    src = OpenTrace(path);
    StreamEvent se;
    while (src->Next(se)) events.push_back(se);
    warnings = src->Warnings();
  }
};

int System(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Runs `program` (a helper from programs/, or a path when it holds a '/', or a bare name
// left to PATH when `bare`) under `threadlens run`.
Traced RunTraced(const std::string& program, double watchdog = 2, bool read = true,
                 const std::string& input = "", bool bare = false) {
  fs::create_directories(TL_TMP_DIR);
  Traced r;
  // Named after the test too: ctest runs tests in parallel, several on the same program.
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + "." +
                     fs::path(program).filename().string();
  r.trace = base + ".tltrace";
  std::ostringstream cmd;
  cmd << (input.empty() ? "" : "echo " + input + " | ") << THREADLENS_CLI << " run --trace "
      << r.trace << " --watchdog " << watchdog << " -- "
      << (program.find('/') == std::string::npos && !bare ? std::string(TL_PROGRAMS_DIR) + "/" : "")
      << program << " >" << base << ".out 2>" << base << ".err";
  auto start = std::chrono::steady_clock::now();
  r.exit_code = System(cmd.str());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.out = Slurp(base + ".out");
  r.err = Slurp(base + ".err");
  std::istringstream lines(r.out);
  std::string name, hex;
  while (lines >> name >> hex) {
    if (hex.rfind("0x", 0) != 0) continue;
    uint64_t a = std::stoull(hex, nullptr, 16);
    r.names[a] = name;
    r.addr[name] = a;
  }
  if (read) r.Read(r.trace);
  return r;
}

std::string Flags(uint8_t f) {
  std::string s;
  if (f & trace::kShared) s += " shared";
  if (f & trace::kTry) s += " try";
  if (f & trace::kTimed) s += " timed";
  if (f & trace::kTimedOut) s += " timed-out";
  if (f & trace::kFailed) s += " failed";
  if (f & trace::kViaCondWait) s += " cond-wait";
  return s;
}

const char* TypeName(uint16_t t) {
  static const char* kNames[] = {"normal", "recursive", "errorcheck", "rwlock", "spin"};
  return t < 5 ? kNames[t] : "unknown";
}

// One event as a short line: kind, object by name, and the fields that matter for it.
std::string Render(const Traced& r, const StreamEvent& se) {
  const trace::Event& e = se.ev;
  std::string k = trace::EventKindName(se.kind());
  auto obj = [&](uint64_t a) {
    auto it = r.names.find(a);
    return it == r.names.end() ? std::string("?") : it->second;
  };
  switch (se.kind()) {
    case EventKind::kThreadStart:
      return e.obj ? k + " T" + std::to_string(e.obj) : k;
    case EventKind::kThreadExit:
      return k;
    case EventKind::kThreadCreate:
    case EventKind::kThreadJoinBegin:
    case EventKind::kThreadJoin:
    case EventKind::kThreadDetach:
      return k + " T" + std::to_string(e.obj) + Flags(e.flags);
    case EventKind::kLockCreate:
    case EventKind::kLockDestroy:
      return k + " " + obj(e.obj) + " " + TypeName(e.aux16);
    case EventKind::kLockAcquired:
    case EventKind::kLockRelease:
      return k + " " + obj(e.obj) + " " + std::to_string(e.aux16) + Flags(e.flags);
    case EventKind::kRead:
    case EventKind::kWrite:
      return k + " " + obj(e.obj) + " " + std::to_string(e.aux16 ? e.aux16 : e.seq);
    case EventKind::kNameThread:
      return k + " T" + std::to_string(e.obj) + " " + std::string(r.src->String(e.aux32));
    case EventKind::kNameLock:
      return k + " " + obj(e.obj) + " " + std::string(r.src->String(e.aux32));
    case EventKind::kNameVariable:
      return k + " " + obj(e.obj) + " " + std::string(r.src->String(e.aux32)) + " " +
             std::to_string(e.aux16);
    case EventKind::kWatchdogFired: {
      static const char* kReasons[] = {"?", "lock-cycle", "self-deadlock", "all-blocked"};
      return k + " " + (e.flags < 4 ? kReasons[e.flags] : "?");
    }
    case EventKind::kBlocked: {
      static const char* kOn[] = {"?", "lock", "cond", "join", "sem"};
      std::string what = e.flags < 5 ? kOn[e.flags] : "?";
      std::string o = e.flags == 3 ? "T" + std::to_string(e.obj) : obj(e.obj);
      return k + " T" + std::to_string(e.aux32) + " " + what + " " + o;
    }
    case EventKind::kHolds:
      return k + " T" + std::to_string(e.aux32) + " " + obj(e.obj) + " " + std::to_string(e.aux16);
    default:
      return k + " " + obj(e.obj) + Flags(e.flags);
  }
}

std::vector<std::string> Lines(const Traced& r, uint32_t tid,
                               const std::set<EventKind>& skip = {}) {
  std::vector<std::string> out;
  for (const auto& se : r.events) {
    // Stack bounds vary from run to run; StackBoundsHoldEachThreadsLocals checks them.
    if (se.kind() == EventKind::kThreadStack) continue;
    if (se.tid == tid && !skip.count(se.kind())) out.push_back(Render(r, se));
  }
  return out;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

uint64_t SeqOf(const Traced& r, uint32_t tid, const std::string& line) {
  for (const auto& se : r.events) {
    if (se.tid == tid && Render(r, se) == line) return se.ev.seq;
  }
  ADD_FAILURE() << "no \"" << line << "\" in T" << tid;
  return 0;
}

#define EXPECT_LINES(actual, ...) \
  EXPECT_EQ(Joined(actual), Joined(std::vector<std::string>{__VA_ARGS__}))

TEST(Preload, MutexOperationsAreRecordedExactly) {
  Traced r = RunTraced("mutex_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_LINES(Lines(r, 1), "thread_start",
               "lock_create M normal",  // static initializer: announced at first use
               "lock_acquired M 1", "lock_release M 0", "lock_acquired M 1 try", "lock_release M 0",
               "lock_create R recursive", "lock_acquired R 1", "lock_acquired R 2",
               "lock_release R 1", "lock_release R 0", "lock_create E errorcheck",
               "lock_acquired E 1", "lock_try_failed E try failed", "lock_release E 0",
               "lock_acquired E 1 timed", "lock_release E 0",
               "lock_release E 0 failed",  // unlock of a lock not held
               "lock_destroy E errorcheck", "thread_exit");
}

TEST(Preload, ContendedMutexRecordsRequestAndHandOverOrder) {
  Traced r = RunTraced("mutex_contended");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sem_init writes the semaphore's bytes (so a destroy racing a wait is a race).
  EXPECT_LINES(Lines(r, 1), "thread_start", "write STARTED 32", "lock_create M normal",
               "lock_acquired M 1", "thread_create T2", "sem_wait_begin STARTED", "sem_wait_end STARTED",
               "lock_release M 0", "join_begin T2", "join T2", "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "sem_post STARTED", "lock_request M",
               "lock_acquired M 1", "lock_release M 0", "thread_exit");
  EXPECT_LT(SeqOf(r, 1, "thread_create T2"), SeqOf(r, 2, "thread_start T1"));
  EXPECT_LT(SeqOf(r, 1, "lock_release M 0"), SeqOf(r, 2, "lock_acquired M 1"));
  EXPECT_LT(SeqOf(r, 2, "thread_exit"), SeqOf(r, 1, "join T2"));
}

TEST(Preload, RwlockOperationsAreRecordedExactly) {
  Traced r = RunTraced("rwlock_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create S rwlock", "lock_acquired S 1 shared",
               "lock_release S 0 shared", "lock_create L rwlock", "lock_acquired L 1 shared",
               "lock_acquired L 2 shared", "lock_release L 1 shared", "lock_release L 0 shared",
               "lock_acquired L 1", "lock_try_failed L shared try failed", "lock_release L 0",
               "lock_acquired L 1 try", "lock_release L 0", "lock_acquired L 1 shared timed",
               "lock_release L 0 shared", "lock_acquired L 1 timed", "lock_release L 0",
               "lock_destroy L rwlock", "thread_exit");
}

TEST(Preload, ConditionVariableWaitSignalTimeoutBroadcast) {
  Traced r = RunTraced("cond_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "thread_create T2", "cond_wait_begin CV", "lock_release M 0 cond-wait",
               "lock_acquired M 1 cond-wait", "cond_wait_end CV", "cond_wait_begin CV timed",
               "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV timed timed-out", "cond_broadcast CV", "lock_release M 0",
               "join_begin T2", "join T2", "thread_exit");
  // Whether the worker found M busy depends on timing; everything else is fixed.
  EXPECT_LINES(Lines(r, 2, {EventKind::kLockRequest}), "thread_start T1", "lock_acquired M 1",
               "cond_signal CV", "lock_release M 0", "thread_exit");
  EXPECT_LT(SeqOf(r, 1, "lock_release M 0 cond-wait"), SeqOf(r, 2, "lock_acquired M 1"));
  EXPECT_LT(SeqOf(r, 2, "cond_signal CV"), SeqOf(r, 1, "cond_wait_end CV"));
}

TEST(Preload, SemaphoreOperationsAreRecordedExactly) {
  Traced r = RunTraced("sem_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sem_init and sem_destroy write the semaphore's 32 bytes.
  EXPECT_LINES(Lines(r, 1), "thread_start", "write SEM 32", "sem_post SEM", "sem_wait_begin SEM",
               "sem_wait_end SEM", "sem_wait_begin SEM try", "sem_wait_end SEM try failed",
               "sem_wait_begin SEM timed", "sem_wait_end SEM timed timed-out failed",
               "sem_post SEM", "sem_wait_begin SEM try", "sem_wait_end SEM try", "write SEM 32",
               "thread_exit");
}

TEST(Preload, ThreadCreateJoinTryjoinDetachExit) {
  Traced r = RunTraced("thread_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "write ? 32", "write ? 32", "thread_create T2",
               "join_begin T2", "join T2",
               "thread_create T3", "join_begin T3", "join T3", "thread_create T4",
               "join T4 try failed", "sem_post ?", "join_begin T4 timed", "join T4 timed",
               "thread_create T5", "detach T5", "sem_wait_begin ?", "sem_wait_end ?",
               "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "thread_exit");
  // Ended by pthread_exit, which unwinds: the unwinder's pthread_once in libgcc_s is a
  // happens-before edge of its own.
  EXPECT_LINES(Lines(r, 3, {EventKind::kHappensBefore, EventKind::kHappensAfter}),
               "thread_start T1", "thread_exit");
  EXPECT_LINES(Lines(r, 4), "thread_start T1", "sem_wait_begin ?", "sem_wait_end ?", "thread_exit");
  // The detached thread may still be running when main returns: its exit is optional.
  std::vector<std::string> detached = Lines(r, 5);
  if (detached.size() == 3) EXPECT_EQ(detached.back(), "thread_exit");
  if (!detached.empty() && detached.size() <= 3) detached.resize(2);
  EXPECT_LINES(detached, "thread_start T1", "sem_post ?");
}

TEST(Preload, StdLibraryPrimitivesNeedNoChange) {
  Traced r = RunTraced("std_primitives");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1, {EventKind::kLockRequest}), "thread_start", "lock_create R recursive",
               "lock_acquired R 1", "lock_acquired R 2", "lock_release R 1", "lock_release R 0",
               "lock_create S rwlock", "lock_acquired S 1 shared", "lock_release S 0 shared",
               "lock_acquired S 1", "lock_release S 0", "lock_create M normal", "lock_acquired M 1",
               "thread_create T2",  // std::jthread
               "cond_wait_begin CV", "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV", "lock_release M 0", "join_begin T2", "join T2",
               "thread_create T3",  // std::thread
               "join_begin T3", "join T3", "write CV 48", "thread_exit");
  EXPECT_LINES(Lines(r, 2, {EventKind::kLockRequest}), "thread_start T1", "lock_acquired M 1",
               "cond_signal CV", "lock_release M 0", "thread_exit");
}

TEST(Preload, AnnotationApiRecordsNamesAccessesAndEdges) {
  Traced r = RunTraced("annotated");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ENABLED 1"), std::string::npos);
  EXPECT_LINES(Lines(r, 1), "thread_start", "name_thread T1 Main", "name_lock M counter_lock",
               "name_variable V counter 4", "write V 4", "read V 4", "write BIG 100000",
               "happens_before V", "happens_after V", "thread_exit");
}

TEST(Preload, AnnotatedProgramRunsWithoutTheTracer) {
  std::string out = std::string(TL_TMP_DIR) + "/annotated_plain.out";
  ASSERT_EQ(System(std::string(TL_PROGRAMS_DIR) + "/annotated >" + out), 0);
  EXPECT_NE(Slurp(out).find("ENABLED 0"), std::string::npos);
}

TEST(Preload, ThousandShortLivedThreads) {
  Traced r = RunTraced("many_threads");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<uint32_t> tids;
  std::map<uint32_t, std::vector<std::string>> per_thread;
  int acquired = 0;
  for (const auto& se : r.events) {
    tids.insert(se.tid);
    if (se.tid != 1) per_thread[se.tid].push_back(trace::EventKindName(se.kind()));
    if (se.kind() == EventKind::kLockAcquired) ++acquired;
  }
  EXPECT_EQ(tids.size(), 1001u);
  EXPECT_EQ(acquired, 1000);
  for (auto& [tid, kinds] : per_thread) {
    std::erase(kinds, std::string("lock_request"));
    std::erase(kinds, std::string("lock_create"));
    std::erase(kinds, std::string("thread_stack"));
    ASSERT_EQ(Joined(kinds), "thread_start\nlock_acquired\nlock_release\nthread_exit\n")
        << "T" << tid;
  }
  EXPECT_NE(r.err.find("1001 threads, 1 locks"), std::string::npos) << r.err;
}

TEST(Preload, ThreadHoldingTwoHundredLocks) {
  Traced r = RunTraced("hold_many");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  uint64_t first = r.addr.at("FIRST");
  std::vector<std::string> got;
  for (const auto& se : r.events) {
    if (se.kind() != EventKind::kLockAcquired && se.kind() != EventKind::kLockRelease) continue;
    uint64_t i = (se.ev.obj - first) / sizeof(pthread_mutex_t);
    got.push_back(std::string(se.kind() == EventKind::kLockAcquired ? "+" : "-") +
                  std::to_string(i) + "/" + std::to_string(se.ev.aux16));
  }
  std::vector<std::string> want;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 200; ++i) want.push_back("+" + std::to_string(i) + "/1");
    for (int i = 199; i >= 0; --i) want.push_back("-" + std::to_string(i) + "/0");
  }
  EXPECT_EQ(got, want);
}

TEST(Preload, KilledProgramLeavesATraceReadableUpToTheLastFlushedBlock) {
  Traced r = RunTraced("killed");
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_FALSE(r.src->Meta().complete);
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
  EXPECT_EQ(count(r), 1);
  EXPECT_TRUE(r.src->Meta().complete);
  Traced c;
  c.Read(child_trace);
  EXPECT_EQ(count(c), 2);
  EXPECT_EQ(c.src->Meta().pid, static_cast<uint32_t>(child));
  EXPECT_TRUE(c.src->Meta().complete);
  EXPECT_TRUE(c.warnings.empty());
}

// --- watchdog ------------------------------------------------------------------------------

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
    // Every event of this program but the stack records and sem_init's write of the
    // semaphore is a sync event.
    if (line.find(" thread_stack ") != std::string::npos) continue;
    if (line.find(" write ") != std::string::npos) continue;
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

}  // namespace
}  // namespace threadlens

namespace threadlens {
namespace {

TEST(Preload, FatalSignalFlushesEveryEvent) {
  Traced r = RunTraced("crashes");
  EXPECT_EQ(r.exit_code, 128 + 11);
  EXPECT_FALSE(r.src->Meta().complete);
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "lock_release M 0", "lock_acquired M 1", "lock_release M 0", "lock_acquired M 1",
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

TEST(Preload, ExecClosesTheTraceAndTheNewImageWritesItsOwn) {
  Traced r = RunTraced("execs");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create ? normal", "lock_acquired ? 1",
               "lock_release ? 0", "thread_exit");
  size_t at = r.out.find("PID ");
  ASSERT_NE(at, std::string::npos);
  std::string second = r.trace + "." + std::to_string(std::stoi(r.out.substr(at + 4)));
  Traced n;
  n.Read(second);
  EXPECT_TRUE(n.src->Meta().complete);
  EXPECT_NE(n.src->Meta().program.find("mutex_ops"), std::string::npos);
  int acquired = 0;
  for (const auto& se : n.events) acquired += se.kind() == EventKind::kLockAcquired;
  EXPECT_EQ(acquired, 6);  // mutex_ops: M twice, R twice, E twice
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

}  // namespace
}  // namespace threadlens

namespace threadlens {
namespace {

TEST(Preload, SpinLockOperations) {
  Traced r = RunTraced("spin_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create SPIN spin", "lock_acquired SPIN 1",
               "thread_create T2", "join_begin T2", "join T2", "lock_release SPIN 0",
               "lock_destroy SPIN spin", "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "lock_try_failed SPIN try failed", "thread_exit");
}

// Each thread records its stack once; the local each thread printed lies in its own record.
TEST(Preload, StackBoundsHoldEachThreadsLocals) {
  Traced r = RunTraced("stack_locals");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> stacks;  // tid -> [lo, hi)
  for (const auto& se : r.events) {
    if (se.kind() != EventKind::kThreadStack) continue;
    EXPECT_FALSE(stacks.count(se.tid)) << "T" << se.tid << " recorded its stack twice";
    EXPECT_GT(se.ev.seq, 0u);
    stacks[se.tid] = {se.ev.obj, se.ev.obj + se.ev.seq};
  }
  EXPECT_EQ(stacks.size(), 3u);  // main and two workers
  std::istringstream out(r.out);
  std::string tag;
  std::set<uint32_t> owners;
  int locals = 0;
  while (out >> tag) {
    std::string hex;
    out >> hex;
    if (tag != "S") continue;
    uint64_t addr = std::stoull(hex, nullptr, 16);
    ++locals;
    std::vector<uint32_t> holders;
    for (const auto& [tid, range] : stacks) {
      if (addr >= range.first && addr < range.second) holders.push_back(tid);
    }
    ASSERT_EQ(holders.size(), 1u) << hex << " lies in " << holders.size() << " stacks";
    owners.insert(holders[0]);
  }
  EXPECT_EQ(locals, 3);
  EXPECT_EQ(owners.size(), 3u);  // each local in a different thread's stack
  EXPECT_TRUE(owners.count(1));  // main's among them
}

TEST(Preload, StdTimedMutexAndWaitForUseTheClockFunctions) {
  Traced r = RunTraced("std_timed");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create TM normal", "lock_acquired TM 1",
               "thread_create T2", "join_begin T2", "join T2", "lock_release TM 0",
               "lock_create M normal", "lock_acquired M 1", "cond_wait_begin CV timed",
               "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV timed timed-out", "lock_release M 0", "write CV 48",
               "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "lock_request TM timed",
               "lock_try_failed TM timed timed-out", "thread_exit");
}

}  // namespace
}  // namespace threadlens

namespace threadlens {
namespace {

TEST(Watchdog, StaysQuietForTimedWaitsAndWorkingThreads) {
  Traced r = RunTraced("slow_but_alive", 0.5);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.src->Meta().watchdog);
  EXPECT_NE(r.err.find("watchdog did not fire"), std::string::npos) << r.err;
  for (const auto& se : r.events) EXPECT_NE(se.tid, 0u) << Render(r, se);
}

}  // namespace
}  // namespace threadlens
