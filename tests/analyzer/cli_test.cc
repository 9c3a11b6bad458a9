// `threadlens analyze` and `threadlens convert` end to end: output formats, exit codes, and
// that JSON on stdout is nothing but JSON; `--release-sequences` on a written binary trace.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "threadlens/analyzer/findings_json.h"
#include "threadlens/analyzer/trace_writer.h"

namespace {

struct CliResult {
  int code;
  std::string out;
};

// stdout, and stderr too with `with_stderr`.
CliResult Cli(const std::string& args, bool with_stderr = false) {
  std::string cmd = std::string(THREADLENS_CLI) + " " + args +
                    (with_stderr ? " 2>&1" : " 2>/dev/null");
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

// oneTBB's task-deque steal: T2 reads the slot and releases it by a read-modify-write of
// `head`, then stores `head` again relaxed; T1's acquire load reads that store and T1 writes
// the slot. A race under C++20 (the relaxed store ended the sequence), none under the
// older rule, where the releasing thread's later stores continue it.
std::string StealTrace() {
  using threadlens::trace::EventKind;
  using threadlens::trace::MemoryOrder;
  const auto path = std::filesystem::temp_directory_path() /
                    ("threadlens_cli_" + std::to_string(getpid()) + "_steal.tltrace");
  temp_files.paths.push_back(path.string());
  constexpr uint64_t kSlot = 0x10000, kHead = 0x20000;
  const auto mo = [](MemoryOrder o) { return static_cast<uint8_t>(o); };
  threadlens::TraceWriter w(path.string(), {.program = "steal"});
  w.Add(1, EventKind::kThreadStart);
  w.Add(1, EventKind::kThreadCreate, 0, 0, 0, 2);
  w.Add(2, EventKind::kThreadStart, 0, 0, 0, 1);
  w.Add(2, EventKind::kRead, 0, 8, 0, kSlot, 0x401000);
  w.Add(2, EventKind::kAtomicRmw, mo(MemoryOrder::kSeqCst), 8, 0, kHead, 0x401010);
  w.Add(2, EventKind::kAtomicStore, mo(MemoryOrder::kRelaxed), 8, 0, kHead, 0x401020);
  w.Add(1, EventKind::kAtomicLoad, mo(MemoryOrder::kAcquire), 8, 0, kHead, 0x402000);
  w.Add(1, EventKind::kWrite, 0, 8, 0, kSlot, 0x402010);
  w.Close();
  return path.string();
}

TEST(ReleaseSequencesCli, Cxx20IsTheDefaultAndReportsTheRace) {
  const std::string trace = StealTrace();
  CliResult r = Cli("check --fail-on race " + trace, true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--release-sequences c++11"), std::string::npos)
      << "the note names the older rule:\n" << r.out;
  EXPECT_EQ(Cli("check --fail-on race --release-sequences c++20 " + trace).code, 1);
}

TEST(ReleaseSequencesCli, TheOlderRuleOrdersTheSteal) {
  const std::string trace = StealTrace();
  for (const char* rule : {"c++11", "c++14", "c++17"}) {
    CliResult r =
        Cli(std::string("check --fail-on race --release-sequences ") + rule + " " + trace);
    EXPECT_EQ(r.code, 0) << rule << "\n" << r.out;
  }
  CliResult a = Cli("analyze --release-sequences c++11 " + trace);
  EXPECT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("0 race"), std::string::npos) << a.out;
}

TEST(ReleaseSequencesCli, AnUnknownRuleIsAUsageError) {
  CliResult r = Cli("analyze --release-sequences c++98 " + StealTrace(), true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--release-sequences"), std::string::npos) << r.out;
}

}  // namespace
