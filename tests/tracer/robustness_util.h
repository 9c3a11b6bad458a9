// Helpers of the `threadlens run` robustness tests (run_robustness_test.cc,
// trace_size_test.cc): run a program traced, read its trace back, count its events.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens::robustness_test {

namespace fs = std::filesystem;
using trace::EventKind;

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline int Status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

// Paths for this test's files: TMP/<test name>.<suffix>.
inline std::string TestFile(const std::string& suffix) {
  fs::create_directories(TL_TMP_DIR);
  return std::string(TL_TMP_DIR) + "/" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + "." + suffix;
}

inline std::string Program(const std::string& name) {
  return std::string(TL_PROGRAMS_DIR) + "/" + name;
}

struct Outcome {
  int exit_code = -1;
  std::string out, err, trace;
};

// `threadlens run` of `program` (a shell word list), through `prefix` (e.g. a ulimit).
inline Outcome RunTraced(const std::string& program, const std::string& options = "",
                         const std::string& prefix = "") {
  Outcome r;
  r.trace = TestFile("tltrace");
  std::string out = TestFile("out"), err = TestFile("err");
  std::string cmd = std::string(THREADLENS_CLI) + " run --trace " + r.trace + " " + options +
                    " -- " + program + " >" + out + " 2>" + err;
  if (!prefix.empty()) cmd = "bash -c '" + prefix + "; " + cmd + "'";
  r.exit_code = Status(std::system(cmd.c_str()));
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

struct Contents {
  TraceMeta meta;
  std::vector<StreamEvent> events;
  std::vector<std::string> warnings;
};

inline Contents Read(const std::string& trace) {
  Contents c;
  auto src = OpenTrace(trace);  // throws on a damaged file
  StreamEvent se;
  while (src->Next(se)) c.events.push_back(se);
  c.meta = src->Meta();
  c.warnings = src->Warnings();
  return c;
}

inline uint32_t HeaderFlags(const std::string& trace) {
  uint32_t flags = 0;
  std::ifstream in(trace, std::ios::binary);
  in.seekg(offsetof(trace::FileHeader, flags));
  in.read(reinterpret_cast<char*>(&flags), sizeof flags);
  return flags;
}

inline size_t Count(const Contents& c, EventKind kind, uint32_t tid = 0) {
  size_t n = 0;
  for (const auto& se : c.events) n += se.kind() == kind && (tid == 0 || se.tid == tid);
  return n;
}

inline uint64_t Hex(const std::string& out, const std::string& name) {
  std::istringstream lines(out);
  std::string n, hex;
  while (lines >> n >> hex) {
    if (n == name) return std::stoull(hex, nullptr, 16);
  }
  ADD_FAILURE() << "no " << name << " in " << out;
  return 0;
}

inline bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

}  // namespace threadlens::robustness_test
