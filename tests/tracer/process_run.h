// Runs the programs of processes/ under `threadlens run` and analyzes their recordings, for
// the tests of process trees.
#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings.h"
#include "traced_run.h"

namespace threadlens::tracer_test {

// Runs processes/`name` with `arg` under `threadlens run`, its trace named after both (tests
// run in parallel, several on one program).
inline Traced RunProcess(const std::string& name, const std::string& arg = "",
                         double watchdog = 2, bool read = true) {
  fs::create_directories(TL_TMP_DIR);
  Traced r;
  const std::string base =
      std::string(TL_TMP_DIR) + "/processes." + name + (arg.empty() ? "" : ".") + arg;
  r.trace = base + ".tltrace";
  const std::string cmd = std::string(THREADLENS_CLI) + " run --trace " + r.trace + " --watchdog " +
                          std::to_string(watchdog) + " -- " + TL_PROCESSES_DIR + "/" + name + " " +
                          arg + " >" + base + ".out 2>" + base + ".err";
  auto start = std::chrono::steady_clock::now();
  r.exit_code = System(cmd);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.out = Slurp(base + ".out");
  r.err = Slurp(base + ".err");
  if (read) r.Read(r.trace);
  return r;
}

// A parameter as a test's name: "both-read-first" -> both_read_first.
inline std::string Underscored(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

inline Report AnalyzeTrace(const std::string& path) {
  AnalyzeOptions o;
  o.contention = false;
  return AnalyzeFile(path, o);
}

// "race(data)", "deadlock(lock_a,lock_b)" (names sorted: a cycle may start anywhere) for
// each finding of severity error or warning.
inline std::vector<std::string> Errors(const Report& rep) {
  std::vector<std::string> out;
  for (const Finding& f : rep.findings) {
    if (f.severity == Severity::kNote) continue;
    std::vector<std::string> names = f.variables;
    names.insert(names.end(), f.locks.begin(), f.locks.end());
    std::sort(names.begin(), names.end());
    std::string s = f.kind + "(";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? "," : "") + names[i];
    out.push_back(s + ")");
  }
  return out;
}

// Checks that the watchdogs ended `r` at a cycle through its processes, well before their 5 s
// delay, and that its analysis `rep` holds that one deadlock, of `images` program images (two
// processes, one of which may have run exec; 0: two or more, as a shell makes them): returns
// it (null when not).
inline const Finding* CycleDeadlock(const Traced& r, const Report& rep, size_t images = 2) {
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 4.0) << "the cycle, not the delay, ended it";
  EXPECT_NE(r.err.find("deadlock across processes"), std::string::npos) << r.err;
  const bool counted = images ? rep.pids.size() == images : rep.pids.size() >= 2;
  EXPECT_TRUE(counted) << rep.pids.size() << " program images";
  const std::vector<std::string> errors = Errors(rep);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  if (!counted || errors.size() != 1) return nullptr;
  EXPECT_EQ(rep.findings[0].kind, "deadlock");
  return rep.findings[0].kind == "deadlock" ? &rep.findings[0] : nullptr;
}

// Runs processes/`name` with `arg` (delay 5 s), which the watchdog must end at once (nothing
// could wake it) saying `says`, into `rep`: its one finding of `kind`, or null.
inline const Finding* EndedAtOnce(const std::string& name, const std::string& arg,
                                  const std::string& kind, Report& rep,
                                  const std::string& says = "") {
  Traced r = RunProcess(name, arg, 5, false);
  EXPECT_EQ(r.exit_code, kWatchdogExit) << r.err;
  EXPECT_LT(r.seconds, 4.0) << "nothing could wake it: the delay is not waited out";
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  rep = AnalyzeTrace(r.trace);
  const std::vector<std::string> errors = Errors(rep);
  EXPECT_EQ(errors.size(), 1u) << ::testing::PrintToString(errors);
  if (errors.size() != 1) return nullptr;
  EXPECT_EQ(rep.findings[0].kind, kind) << rep.findings[0].title;
  return rep.findings[0].kind == kind ? &rep.findings[0] : nullptr;
}

}  // namespace threadlens::tracer_test
