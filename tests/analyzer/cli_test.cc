// `threadlens analyze` and `threadlens convert` end to end: output formats, exit codes, and
// that JSON on stdout is nothing but JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "threadlens/analyzer/findings_json.h"

namespace {

struct CliResult {
  int code;
  std::string out;
};

CliResult Cli(const std::string& args) {
  std::string cmd = std::string(THREADLENS_CLI) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Files the tests write, removed when the test binary ends.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const auto& p : paths) std::filesystem::remove(p);
  }
} temp_files;

std::string Temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("threadlens_cli_" + std::to_string(getpid()) + "_" + name);
  std::ofstream(path) << text;
  temp_files.paths.push_back(path.string());
  return path.string();
}

const char kAbba[] =
    "T1|fork(T2)|1\nT1|fork(T3)|2\n"
    "T2|acq(A)|10\nT2|acq(B)|11\nT2|rel(B)|12\nT2|rel(A)|13\n"
    "T3|acq(B)|20\nT3|acq(A)|21\nT3|rel(A)|22\nT3|rel(B)|23\n";

TEST(AnalyzeCli, TextWithFindingsExitsZero) {
  CliResult r = Cli("analyze " + Temp("abba.std", kAbba));
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Possible unsafe locking scenario"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SUMMARY: 0 race, 1 lock-order"), std::string::npos) << r.out;
}

TEST(AnalyzeCli, JsonStdoutIsOnlyJson) {
  CliResult r = Cli("analyze --format json " + Temp("abba2.std", kAbba));
  EXPECT_EQ(r.code, 0);
  threadlens::Report rep = threadlens::ReportFromJson(r.out, "stdout");
  ASSERT_EQ(rep.findings.size(), 1u);
  EXPECT_EQ(rep.findings[0].kind, "lock-order");
}

TEST(AnalyzeCli, BadInputExitsTwo) {
  EXPECT_EQ(Cli("analyze /nonexistent/trace.std").code, 2);
  EXPECT_EQ(Cli("analyze " + Temp("bad.std", "T1|frob(x)|1\n")).code, 2);
  EXPECT_EQ(Cli("analyze --format yaml " + Temp("abba3.std", kAbba)).code, 2);
}

TEST(ConvertCli, StdToBinaryAndBack) {
  std::string in = Temp("conv.std", kAbba);
  std::string bin = in + ".tltrace", back = in + ".back.std";
  temp_files.paths.push_back(bin);
  temp_files.paths.push_back(back);
  ASSERT_EQ(Cli("convert " + in + " " + bin).code, 0);
  // The binary trace gives the same findings.
  CliResult a = Cli("analyze --format json " + in), b = Cli("analyze --format json " + bin);
  auto ra = threadlens::ReportFromJson(a.out), rb = threadlens::ReportFromJson(b.out);
  ASSERT_EQ(ra.findings.size(), rb.findings.size());
  EXPECT_EQ(ra.findings[0].fingerprint, rb.findings[0].fingerprint);
  ASSERT_EQ(Cli("convert " + bin + " " + back).code, 0);
  std::ifstream f(back);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(),
            "T1|fork(T2)|1\nT1|fork(T3)|2\n"
            "T2|acq(A)|10\nT2|acq(B)|11\nT2|rel(B)|12\nT2|rel(A)|13\n"
            "T3|acq(B)|20\nT3|acq(A)|21\nT3|rel(A)|22\nT3|rel(B)|23\n");
  EXPECT_EQ(Cli("convert /nonexistent.std " + back).code, 2);
}

}  // namespace
