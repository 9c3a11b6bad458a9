// `--release-sequences` end to end through the `threadlens` binary, on a binary trace of the
// oneTBB steal pattern: T2 writes the slot and releases it by a read-modify-write of `head`,
// then stores `head` again relaxed; T1's acquire load reads that store and T1 writes the
// slot. A race under C++20 (the relaxed store ended the sequence), none under the older rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "threadlens/analyzer/trace_writer.h"

namespace {

using threadlens::TraceWriter;
using threadlens::trace::EventKind;
using threadlens::trace::MemoryOrder;

struct CliRun {
  int code = -1;
  std::string out;
};

CliRun Cli(const std::string& args) {
  const std::string cmd = std::string(THREADLENS_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  CliRun r;
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ReleaseSequencesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("threadlens-relseq-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    trace_ = (dir_ / "steal.tltrace").string();
    constexpr uint64_t kSlot = 0x10000, kHead = 0x20000;
    const auto mo = [](MemoryOrder o) { return static_cast<uint8_t>(o); };
    TraceWriter w(trace_, {.program = "steal"});
    w.Add(1, EventKind::kThreadStart);
    w.Add(1, EventKind::kThreadCreate, 0, 0, 0, 2);
    w.Add(2, EventKind::kThreadStart, 0, 0, 0, 1);
    w.Add(2, EventKind::kRead, 0, 8, 0, kSlot, 0x401000);
    w.Add(2, EventKind::kAtomicRmw, mo(MemoryOrder::kSeqCst), 8, 0, kHead, 0x401010);
    w.Add(2, EventKind::kAtomicStore, mo(MemoryOrder::kRelaxed), 8, 0, kHead, 0x401020);
    w.Add(1, EventKind::kAtomicLoad, mo(MemoryOrder::kAcquire), 8, 0, kHead, 0x402000);
    w.Add(1, EventKind::kWrite, 0, 8, 0, kSlot, 0x402010);
    w.Close();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string trace_;
};

TEST_F(ReleaseSequencesCli, Cxx20IsTheDefaultAndReportsTheRace) {
  CliRun r = Cli("check --fail-on race " + trace_);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("--release-sequences c++11"), std::string::npos)
      << "the note names the older rule:\n" << r.out;
  EXPECT_EQ(Cli("check --fail-on race --release-sequences c++20 " + trace_).code, 1);
}

TEST_F(ReleaseSequencesCli, TheOlderRuleOrdersTheSteal) {
  for (const char* rule : {"c++11", "c++14", "c++17"}) {
    CliRun r = Cli(std::string("check --fail-on race --release-sequences ") + rule + " " + trace_);
    EXPECT_EQ(r.code, 0) << rule << "\n" << r.out;
  }
  CliRun a = Cli("analyze --release-sequences c++11 " + trace_);
  EXPECT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find("0 race"), std::string::npos) << a.out;
}

TEST_F(ReleaseSequencesCli, AnUnknownRuleIsAUsageError) {
  CliRun r = Cli("analyze --release-sequences c++98 " + trace_);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--release-sequences"), std::string::npos) << r.out;
}

}  // namespace
