// Running the instrumented programs of programs/ under `threadlens run`, for the tests.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings.h"

namespace instrument_test {

// Runs argv with stdout and stderr to `log`; returns the exit status (128+signal if killed).
inline int RunTo(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Describe(const threadlens::Report& r) {
  std::string out;
  for (const auto& f : r.findings) {
    out += "  [" + f.kind + "] " + f.title + "\n";
    for (const auto& a : f.accesses) {
      out += "    " + a.thread + " " + a.op + " " + a.object + " at " +
             (a.stack.empty() ? std::string("?") : a.stack[0].Describe()) + "\n";
    }
  }
  return out.empty() ? "  (no findings)\n" : out;
}

// Runs an instrumented program under `threadlens run` (it must exit 0) and analyzes its
// trace; `text`, when given, gets `threadlens analyze`'s text report of it.
inline threadlens::Report ReportOf(const std::string& name, std::string* text = nullptr) {
  char dir_template[] = "/tmp/threadlens-instrument-XXXXXX";
  if (!mkdtemp(dir_template)) return {};
  const std::string dir = dir_template;
  const std::string trace = dir + "/t.tltrace", log = dir + "/t.log", out = dir + "/t.txt";
  const int status = RunTo({THREADLENS_CLI, "run", "--trace", trace, "--",
                            std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_" + name},
                           log);
  EXPECT_EQ(status, 0) << ReadFile(log);
  threadlens::Report report = threadlens::AnalyzeFile(trace);
  if (text) {
    RunTo({THREADLENS_CLI, "analyze", trace}, out);
    *text = ReadFile(out);
  }
  for (const std::string& f : {trace, log, out}) std::remove(f.c_str());
  rmdir(dir.c_str());
  return report;
}

}  // namespace instrument_test
