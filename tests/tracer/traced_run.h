// Runs the programs of tests/tracer/programs under `threadlens run` and renders their events
// as lines ("lock_acquired M 1"), for the runtime tests to assert exact event sequences.
#pragma once

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

namespace threadlens::tracer_test {

namespace fs = std::filesystem;
using trace::EventKind;

inline constexpr int kWatchdogExit = 86;

inline std::string Slurp(const std::string& path) {
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

inline int System(const std::string& cmd) {
  int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Runs `program` (a helper from programs/, or a path when it holds a '/', or a bare name
// left to PATH when `bare`) under `threadlens run`.
inline Traced RunTraced(const std::string& program, double watchdog = 2, bool read = true,
                 const std::string& input = "", bool bare = false) {
  fs::create_directories(TL_TMP_DIR);
  Traced r;
  // Named after the test too: ctest runs tests in parallel, several on the same program.
  // (`program` may carry arguments after a space.)
  std::string base = std::string(TL_TMP_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + "." +
                     fs::path(program.substr(0, program.find(' '))).filename().string();
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

inline std::string Flags(uint8_t f) {
  std::string s;
  if (f & trace::kShared) s += " shared";
  if (f & trace::kTry) s += " try";
  if (f & trace::kTimed) s += " timed";
  if (f & trace::kTimedOut) s += " timed-out";
  if (f & trace::kFailed) s += " failed";
  if (f & trace::kViaCondWait) s += " cond-wait";
  return s;
}

inline const char* TypeName(uint16_t t) {
  static const char* kNames[] = {"normal", "recursive", "errorcheck", "rwlock", "spin"};
  return t < 5 ? kNames[t] : "unknown";
}

// One event as a short line: kind, object by name, and the fields that matter for it.
inline std::string Render(const Traced& r, const StreamEvent& se) {
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
      // An acquisition's rounds counted on it (a release's aux32 is their time: not shown).
      return k + " " + obj(e.obj) + " " + std::to_string(e.aux16) + Flags(e.flags) +
             (e.aux32 && se.kind() == EventKind::kLockAcquired
                  ? " rounds=+" + std::to_string(e.aux32)
                  : "");
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
      static const char* kOn[] = {"?", "lock", "cond", "join", "sem", "futex", "cond-destroy",
                                  "file-lock"};
      std::string what = e.flags < 8 ? kOn[e.flags] : "?";
      std::string o = e.flags == 3 ? "T" + std::to_string(e.obj) : obj(e.obj);
      return k + " T" + std::to_string(e.aux32) + " " + what + " " + o;
    }
    case EventKind::kSemInit:
      return k + " " + obj(e.obj) + " " + std::to_string(e.aux32);
    case EventKind::kHolds:
      return k + " T" + std::to_string(e.aux32) + " " + obj(e.obj) + " " + std::to_string(e.aux16);
    default:
      return k + " " + obj(e.obj) + Flags(e.flags);
  }
}

inline std::vector<std::string> Lines(const Traced& r, uint32_t tid,
                               const std::set<EventKind>& skip = {}) {
  std::vector<std::string> out;
  for (const auto& se : r.events) {
    // Stack bounds vary from run to run; StackBoundsHoldEachThreadsLocals checks them. The
    // call-stack records of an uninstrumented program depend on the compiler's inlining;
    // NativeStacks tests check them.
    if (se.kind() == EventKind::kThreadStack || se.kind() == EventKind::kThreadTls ||
        se.kind() == EventKind::kFuncEntry ||
        se.kind() == EventKind::kFuncExit) {
      continue;
    }
    if (se.tid == tid && !skip.count(se.kind())) out.push_back(Render(r, se));
  }
  return out;
}

inline std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

inline uint64_t SeqOf(const Traced& r, uint32_t tid, const std::string& line) {
  for (const auto& se : r.events) {
    if (se.tid == tid && Render(r, se) == line) return se.ev.seq;
  }
  ADD_FAILURE() << "no \"" << line << "\" in T" << tid;
  return 0;
}

#define EXPECT_LINES(actual, ...) \
  EXPECT_EQ(Joined(actual), Joined(std::vector<std::string>{__VA_ARGS__}))

}  // namespace threadlens::tracer_test
