// Signal handlers under `threadlens run` (instrumented/signals.cc): storms of signals into a
// thread that records without pause leave a whole trace with every handler in it; handlers
// that call unsafe functions or spoil errno are reported, their correct twins are not; the
// program keeps its output, exit status and view of its own handlers.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"
#include "traced_run.h"

namespace threadlens {
namespace {

namespace fs = std::filesystem;
using tracer_test::Slurp;
using trace::EventKind;

struct SignalRun {
  int exit_code = -1;
  std::string out, trace;
  std::vector<StreamEvent> events;
  std::vector<std::string> warnings;
  bool complete = false;
  Report report;

  size_t Count(EventKind k) const {
    size_t n = 0;
    for (const auto& e : events) n += e.kind() == k;
    return n;
  }
  std::vector<const Finding*> Misuse(const std::string& subkind) const {
    std::vector<const Finding*> out;
    for (const Finding& f : report.findings) {
      if (f.kind == "misuse" && f.subkind == subkind) out.push_back(&f);
    }
    return out;
  }
};

SignalRun RunSignals(const std::string& args, const std::string& run_options = "") {
  fs::create_directories(TL_TMP_DIR);
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name();
  SignalRun r;
  r.trace = base + ".tltrace";
  int st = std::system((std::string(THREADLENS_CLI) + " run " + run_options + " --trace " + r.trace + " -- " +
                        TL_INSTRUMENTED_DIR + "/signals " + args + " >" + base + ".out 2>" +
                        base + ".err")
                           .c_str());
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = Slurp(base + ".out");
  auto src = OpenTrace(r.trace);
  StreamEvent se;
  while (src->Next(se)) r.events.push_back(se);
  r.warnings = src->Warnings();
  r.complete = src->Meta().complete;
  r.report = AnalyzeFile(r.trace, AnalyzeOptions{});
  return r;
}

// Every finding of the report but those of `subkind`, as "kind/subkind: title" lines.
std::vector<std::string> OthersThan(const Report& report, const std::string& subkind) {
  std::vector<std::string> out;
  for (const Finding& f : report.findings) {
    if (f.subkind != subkind) out.push_back(f.kind + "/" + f.subkind + ": " + f.title);
  }
  return out;
}

constexpr int kStorm = 2000;

TEST(Signals, StormIntoARecordingThreadKeepsEveryHandlerAndTheTraceWhole) {
  SignalRun r = RunSignals("storm-lock " + std::to_string(kStorm));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "handled " + std::to_string(kStorm) + "\n");
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();  // nothing lost, nothing torn
  EXPECT_EQ(r.Count(EventKind::kSignalEnter), static_cast<size_t>(kStorm));
  EXPECT_EQ(r.Count(EventKind::kSignalLeave), static_cast<size_t>(kStorm));
  // The handler's lock is paired: no unlock of a lock not held, none held at exit.
  EXPECT_TRUE(OthersThan(r.report, "signal-unsafe-call").empty())
      << OthersThan(r.report, "signal-unsafe-call").front();
  auto unsafe = r.Misuse("signal-unsafe-call");
  ASSERT_EQ(unsafe.size(), 1u);  // one call site, reported once
  EXPECT_EQ(unsafe[0]->severity, Severity::kWarning);
  EXPECT_EQ(unsafe[0]->title,
            "T2 calls pthread_mutex_lock inside a SIGUSR1 handler, where it is not "
            "async-signal-safe");
  EXPECT_EQ(unsafe[0]->accesses.at(0).stack.at(0).function,
            "(anonymous namespace)::LockingHandler(int)");
}

TEST(Signals, StormWithASafeHandlerHasNoFinding) {
  SignalRun r = RunSignals("storm-safe " + std::to_string(kStorm));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "handled " + std::to_string(kStorm) + "\n");
  EXPECT_TRUE(r.complete);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  EXPECT_EQ(r.Count(EventKind::kSignalEnter), static_cast<size_t>(kStorm));
  EXPECT_EQ(r.Count(EventKind::kSignalLeave), static_cast<size_t>(kStorm));
  EXPECT_TRUE(r.report.findings.empty()) << r.report.findings.front().title;
}

TEST(Signals, HandlerThatChangesErrnoIsReported) {
  SignalRun r = RunSignals("errno-spoil");
  ASSERT_EQ(r.exit_code, 0);
  auto f = r.Misuse("signal-errno");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->title, "the SIGUSR2 handler changes errno in T2 and does not restore it");
  EXPECT_EQ(f[0]->accesses.at(0).stack.at(0).function,
            "(anonymous namespace)::SpoilingHandler(int)");
  EXPECT_EQ(r.report.findings.size(), 1u);
}

TEST(Signals, HandlerThatRestoresErrnoIsNot) {
  SignalRun r = RunSignals("errno-kept");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.Count(EventKind::kSignalLeave), 1u);
  EXPECT_TRUE(r.report.findings.empty()) << r.report.findings.front().title;
}

TEST(Signals, PrintfInAHandlerIsReported) {
  SignalRun r = RunSignals("printf");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "in handler 10\n");  // SIGUSR1, printed as without the tracer
  std::vector<std::string> calls;
  for (const Finding* f : r.Misuse("signal-unsafe-call")) calls.push_back(f->accesses[0].object);
  EXPECT_NE(std::find(calls.begin(), calls.end(), "printf"), calls.end());
}

TEST(Signals, HandlerLeftByLongjmpEndsThere) {
  SignalRun r = RunSignals("longjmp");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "jumped back\n");
  ASSERT_EQ(r.Count(EventKind::kSignalLeave), 1u);
  for (const auto& e : r.events) {
    if (e.kind() == EventKind::kSignalLeave) EXPECT_TRUE(e.ev.flags & trace::kSignalLongjmp);
  }
  // The malloc after the jump runs outside any handler.
  EXPECT_TRUE(r.report.findings.empty()) << r.report.findings.front().title;
}

// A worker sends its process a signal and ends, while main waits for it: the runtime's work
// in the worker's exit must not take the signal from main (it did when writing the trace
// changed the signal mask, and main slept on). --timeout ends a program that hangs (87).
TEST(Signals, ASignalSentToTheProcessWakesTheThreadThatWaitsForIt) {
  for (const char* wait : {"pause", "sigsuspend"}) {
    SignalRun r = RunSignals(std::string(wait) + " 20", "--timeout 30");
    EXPECT_EQ(r.exit_code, 0) << wait;
    EXPECT_EQ(r.out, "arrived 20\n") << wait;
  }
}

TEST(Signals, ProgramSeesItsOwnHandlerAndFlags) {
  SignalRun r = RunSignals("action");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "action same default\n");
  // Installing a handler releases the signal's key, as the handler's start acquires it.
  ASSERT_EQ(r.Count(EventKind::kSignalSend), 1u);
  for (const auto& e : r.events) {
    if (e.kind() == EventKind::kSignalSend) {
      EXPECT_TRUE(e.ev.flags & trace::kSignalInstall);
      EXPECT_EQ(e.ev.aux32, 10u);
    }
  }
}

// A wait for a signal while holding a lock its sender needs first (programs/sigwait_holding.c):
// ended by the watchdog once every thread waited the delay, a hang at the wait with the sender
// stuck behind it. TSan hangs on both (docs/versus-tsan.md).
void ExpectSignalHang(const std::string& mode, const std::string& awaited) {
  tracer_test::Traced r = tracer_test::RunTraced("sigwait_holding " + mode, 0.3);
  ASSERT_EQ(r.exit_code, tracer_test::kWatchdogExit) << r.err;
  const Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  ASSERT_EQ(rep.findings.size(), 1u) << rep.findings.at(0).title;
  const Finding& f = rep.findings[0];
  EXPECT_EQ(f.kind, "hang");
  EXPECT_EQ(f.subkind, "signal");
  EXPECT_EQ(f.title, "hang: T1 blocked forever waiting for " + awaited +
                         " (1 more thread stuck behind it)");
  ASSERT_EQ(f.accesses.size(), 2u);
  EXPECT_EQ(f.accesses[0].op, "signal-wait");
  EXPECT_EQ(f.accesses[0].held, std::vector<std::string>{"m"});
  EXPECT_EQ(f.accesses[1].op, "request");
  EXPECT_EQ(f.accesses[1].object, "m");
}

TEST(SignalWaits, SigwaitHoldingALockTheSenderNeedsIsAHang) {
  ExpectSignalHang("hold", "SIGUSR1");
}

TEST(SignalWaits, PauseHoldingALockTheSenderNeedsIsAHang) {
  ExpectSignalHang("pause", "a signal its handlers catch");
}

// The twins: the sender needs no lock; and a daemon's main waits in sigwait holding nothing
// beside a worker idle on a condition variable until a signal from another process (1.5 s):
// a wait that only a signal ends counts as running, so the idle daemon is no hang.
TEST(SignalWaits, AWaitHoldingNothingOthersNeedIsNoHang) {
  for (const std::string mode : {"free", "daemon"}) {
    tracer_test::Traced r = tracer_test::RunTraced("sigwait_holding " + mode, 0.3);
    ASSERT_EQ(r.exit_code, 0) << mode << r.err;
    EXPECT_EQ(r.out, "got SIGUSR1\n") << mode;
    if (mode == "daemon") EXPECT_GT(r.seconds, 1.4);
    const Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
    EXPECT_TRUE(rep.findings.empty()) << mode << ": " << rep.findings.at(0).title;
  }
}

}  // namespace
}  // namespace threadlens
