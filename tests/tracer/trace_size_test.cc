// `threadlens run` against its size limits: --max-trace-size, the file size limit and a
// full disk stop the trace, never the program, and the trace keeps every thread's events
// up to the cut, quiet threads included.
#include "robustness_util.h"

namespace threadlens {
namespace {

using namespace robustness_test;

// --- size cap and file size limit --------------------------------------------------------

TEST(TraceSize, CapClosesTheTraceReadableAndTheProgramRunsOn) {
  Outcome r = RunTraced(Program("many_locks") + " 200000", "--max-trace-size 1M");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "done 200000 rounds\n");
  EXPECT_NE(r.err.find("reached --max-trace-size"), std::string::npos) << r.err;
  EXPECT_LE(fs::file_size(r.trace), 1u << 20);
  Contents c = Read(r.trace);
  EXPECT_FALSE(c.meta.complete);
  EXPECT_TRUE(HeaderFlags(r.trace) & trace::kHeaderTruncated);
  EXPECT_GT(Count(c, EventKind::kLockAcquired), 1000u);
  EXPECT_LT(Count(c, EventKind::kLockAcquired), 200000u);
}

TEST(TraceSize, BadCapIsBadUsage) {
  Outcome r = RunTraced(Program("many_locks") + " 1", "--max-trace-size 12X");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-trace-size"), std::string::npos) << r.err;
}

TEST(TraceSize, FileSizeLimitStopsTheTraceNotTheProgram) {
  // ulimit -f counts 1024-byte blocks in bash: 1 MiB.
  Outcome r = RunTraced(Program("many_locks") + " 200000", "", "ulimit -f 1024");
  EXPECT_EQ(r.exit_code, 0) << r.err;  // not 153 (SIGXFSZ)
  EXPECT_EQ(r.out, "done 200000 rounds\n");
  EXPECT_NE(r.err.find("ulimit -f"), std::string::npos) << r.err;
  Contents c = Read(r.trace);
  EXPECT_FALSE(c.meta.complete);
  EXPECT_TRUE(HeaderFlags(r.trace) & trace::kHeaderTruncated);
  EXPECT_GT(Count(c, EventKind::kLockAcquired), 1000u);
}

// A limit leaves a prefix of the whole program: every synchronization up to the cut, of
// every thread, the quiet ones included, and none after it.
void ExpectEverySyncUpToTheCut(const Contents& c, const std::string& trace) {
  ASSERT_TRUE(HeaderFlags(trace) & trace::kHeaderCut);
  ASSERT_GT(c.meta.cut, 0u);
  std::vector<int> seen(c.meta.cut + 1, 0);
  for (const auto& se : c.events) {
    if (!trace::IsSyncKind(se.kind()) || se.ev.seq == 0) continue;
    ASSERT_LE(se.ev.seq, c.meta.cut);
    ++seen[se.ev.seq];
  }
  for (uint64_t q = 1; q <= c.meta.cut; ++q) EXPECT_EQ(seen[q], 1) << "seq " << q;
}

size_t Races(const Report& rep) {
  size_t n = 0;
  for (const Finding& f : rep.findings) n += f.kind == "race";
  return n;
}

// quiet_relay: the relay thread's handover sits in its buffer until it exits, long after
// the cap. Without it the reader's read of the main thread's write is a false race.
TEST(TraceSize, CapKeepsTheEarlierEventsOfAQuietThread) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/quiet_relay relay 300000",
                        "--max-trace-size 1M");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "read 42\n");
  EXPECT_NE(r.err.find("reached --max-trace-size"), std::string::npos) << r.err;
  EXPECT_LE(fs::file_size(r.trace), 1u << 20);
  Contents c = Read(r.trace);
  ExpectEverySyncUpToTheCut(c, r.trace);
  EXPECT_GE(Count(c, EventKind::kCondSignal, 2), 1u);  // the relay's handover
  EXPECT_LT(Count(c, EventKind::kLockAcquired, 4), 300000u);  // the reader was cut
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  EXPECT_TRUE(rep.truncated);
  for (const Finding& f : rep.findings) EXPECT_NE(f.kind, "race") << f.title;
}

// Its twin: the reader does not wait for the relay, and its read is a race. The main
// thread, quiet after its write, keeps it too.
TEST(TraceSize, CapKeepsARaceOfAThreadQuietSinceIt) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/quiet_relay unordered 300000",
                        "--max-trace-size 1M");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  ExpectEverySyncUpToTheCut(c, r.trace);
  EXPECT_EQ(Races(AnalyzeFile(r.trace, AnalyzeOptions{})), 1u);
}

// The file size limit cuts the same way (room is kept below it).
TEST(TraceSize, FileSizeLimitKeepsEveryThreadsEventsUpToTheCut) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/quiet_relay relay 300000", "",
                        "ulimit -f 1024");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ulimit -f"), std::string::npos) << r.err;
  Contents c = Read(r.trace);
  ExpectEverySyncUpToTheCut(c, r.trace);
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  for (const Finding& f : rep.findings) EXPECT_NE(f.kind, "race") << f.title;
}

// --- full disk ----------------------------------------------------------------------------

// `threadlens run` with its trace on a file system of `kib` KiB of its own (a tmpfs, in a
// mount namespace of the run alone); the trace is copied out. Skips where mounts are not
// allowed.
Outcome RunOnSmallDisk(const std::string& program, int kib, uint64_t* disk_bytes) {
  Outcome r;
  r.trace = TestFile("tltrace");
  const std::string dir = TestFile("disk"), out = TestFile("out"), err = TestFile("err"),
                    status = TestFile("status"), blocks = TestFile("blocks");
  fs::create_directories(dir);
  fs::remove(status);
  const std::string inner = "mount -t tmpfs -o size=" + std::to_string(kib) + "k tmpfs " +
                            dir + " || exit 99; " + THREADLENS_CLI + " run --trace " + dir +
                            "/t.tltrace -- " + program + " >" + out + " 2>" + err +
                            "; echo $? >" + status + "; stat -c %b " + dir + "/t.tltrace >" +
                            blocks + "; cp " + dir + "/t.tltrace " + r.trace;
  const int st = Status(std::system(("unshare -m sh -c '" + inner + "'").c_str()));
  if (st != 0) return r;  // exit_code stays -1: no mount
  r.exit_code = std::stoi(Slurp(status));
  r.out = Slurp(out);
  r.err = Slurp(err);
  *disk_bytes = std::stoull(Slurp(blocks)) * 512;
  return r;
}

// A full disk cuts the trace like a limit: the room for every thread's last block was
// allocated on the disk ahead of the writes, so the quiet relay's handover is there and the
// reader's read is ordered. The room past the end is given back at close.
TEST(TraceSize, FullDiskKeepsEveryThreadsEventsUpToTheCut) {
  uint64_t disk = 0;
  Outcome r = RunOnSmallDisk(std::string(TL_INSTRUMENTED_DIR) + "/quiet_relay relay 300000",
                             1024, &disk);
  if (r.exit_code == -1) GTEST_SKIP() << "no tmpfs mount in a mount namespace here";
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "read 42\n");
  EXPECT_NE(r.err.find("filled its disk"), std::string::npos) << r.err;
  const uint64_t size = fs::file_size(r.trace);
  EXPECT_LE(size, 1u << 20);
  EXPECT_LT(disk, size + 8192) << "room past the end not given back";
  Contents c = Read(r.trace);
  ExpectEverySyncUpToTheCut(c, r.trace);
  EXPECT_GE(Count(c, EventKind::kCondSignal, 2), 1u);  // the relay's handover
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  EXPECT_TRUE(rep.truncated);
  for (const Finding& f : rep.findings) EXPECT_NE(f.kind, "race") << f.title;
}

// Its twin: the unordered read is still the one race.
TEST(TraceSize, FullDiskKeepsARaceOfAThreadQuietSinceIt) {
  uint64_t disk = 0;
  Outcome r = RunOnSmallDisk(
      std::string(TL_INSTRUMENTED_DIR) + "/quiet_relay unordered 300000", 1024, &disk);
  if (r.exit_code == -1) GTEST_SKIP() << "no tmpfs mount in a mount namespace here";
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  ExpectEverySyncUpToTheCut(c, r.trace);
  EXPECT_EQ(Races(AnalyzeFile(r.trace, AnalyzeOptions{})), 1u);
}

}  // namespace
}  // namespace threadlens
