// The gate against bad input, end to end through the `threadlens` binary: files that are no
// trace, inputs that never end, traces cut short, well-formed files of arbitrary events,
// hostile names, and lock nesting that must not cost the square of its depth. Each ends in a
// clear exit code, never a crash or a hang.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "random_events.h"
#include "threadlens/analyzer/trace_writer.h"

namespace {

using threadlens::TraceWriter;
using threadlens::trace::EventKind;

struct CliRun {
  int code = -1;
  std::string out;  // stdout and stderr
};

CliRun Cli(const std::string& args) {
  std::string cmd = std::string(THREADLENS_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  CliRun r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

size_t Lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// One fresh directory per run, removed at exit by the same static that made it (a separate
// cleanup object would outlive the path and remove nothing).
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "threadlens_bad_input_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

const std::filesystem::path& Dir() {
  static const TempDir dir;
  return dir.path;
}

std::string File(const std::string& name, const std::string& bytes) {
  auto path = Dir() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

// Exit 2 with one line of message that says `what`.
void ExpectBadInput(const std::string& args, const std::string& what) {
  CliRun r = Cli(args);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(Lines(r.out), 1u) << r.out;
  EXPECT_NE(r.out.find(what), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("line 1:"), std::string::npos) << r.out;
}

TEST(BadInput, EmptyFileIsNoTrace) {
  std::string f = File("empty.tltrace", "");
  ExpectBadInput("analyze " + f, "empty");
  ExpectBadInput("check " + f, "empty");
}

TEST(BadInput, DirectoryIsNoTrace) {
  ExpectBadInput("analyze " + Dir().string(), "directory");
  ExpectBadInput("check " + Dir().string(), "directory");
}

TEST(BadInput, ElfPngAndRandomBytesNameTheByteOffset) {
  std::string elf("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0", 20);
  ExpectBadInput("analyze " + File("prog", elf), "byte offset 0");
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  ExpectBadInput("analyze " + File("image.png", png), "byte offset 6");
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 3000; ++i) {
    x = x * 1103515245 + 12345;
    noise += static_cast<char>(x >> 16);
  }
  ExpectBadInput("check " + File("noise.bin", noise), "not a threadlens trace");
  // Text, but not STD text.
  ExpectBadInput("analyze " + File("notes.txt", "hello world\n"), "not STD text");
}

TEST(BadInput, DevZeroAndFifoEndAtOnce) {
  auto start = std::chrono::steady_clock::now();
  ExpectBadInput("analyze /dev/zero", "not a regular file");
  std::string fifo = (Dir() / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0) << fifo << ": " << std::strerror(errno);
  ExpectBadInput("analyze " + fifo, "not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(BadInput, EndlessLineIsRefused) {
  std::string line = "T1|acq(" + std::string(3 << 20, 'L');  // no newline, no `)`
  ExpectBadInput("analyze " + File("long.std", line), "longer than");
}

// A closed two-thread trace; `names` go to thread 1, lock A and lock B.
std::string WriteTrace(const std::string& name, const std::string& thread_name,
                       const std::string& lock_a, const std::string& lock_b) {
  std::string path = (Dir() / name).string();
  TraceWriter w(path, {.program = "prog", .block_events = 2});
  auto str = [&](const std::string& s) { return w.String(s); };
  w.Add(1, EventKind::kThreadStart);
  w.Add(1, EventKind::kNameThread, 0, 0, str(thread_name), 1);
  w.Add(1, EventKind::kNameLock, 0, 0, str(lock_a), 0xa0);
  w.Add(1, EventKind::kNameLock, 0, 0, str(lock_b), 0xb0);
  w.Add(2, EventKind::kThreadStart);
  for (auto [tid, first, second] : {std::tuple{1u, 0xa0ull, 0xb0ull}, {2u, 0xb0ull, 0xa0ull}}) {
    w.Add(tid, EventKind::kLockAcquired, 0, 1, 0, first);
    w.Add(tid, EventKind::kLockAcquired, 0, 1, 0, second);
    w.Add(tid, EventKind::kLockRelease, 0, 0, 0, second);
    w.Add(tid, EventKind::kLockRelease, 0, 0, 0, first);
  }
  w.Add(2, EventKind::kThreadExit);
  w.Add(1, EventKind::kThreadExit);
  w.Close();
  return path;
}

// A well-formed file of arbitrary events (unlocks of locks never taken, sizes of terabytes,
// ids of all ones, time going back): every command ends in a verdict or a clear refusal,
// never a crash.
TEST(BadInput, ArbitraryEventsInAWellFormedFileGetAVerdict) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const std::string path = (Dir() / ("arbitrary" + std::to_string(seed) + ".tltrace")).string();
    {
      TraceWriter w(path, {.program = "prog", .block_events = 64});
      for (int i = 0; i < 4; ++i) w.String("s" + std::to_string(i));
      std::mt19937_64 rng(seed);
      for (size_t i = 0; i < 400; ++i) {
        const threadlens::testing::RandomEvent r = threadlens::testing::NextRandomEvent(rng, i);
        w.Add(r.tid, r.ev);
      }
      w.Close();
    }
    const std::string out = (Dir() / "arbitrary").string();
    for (const std::string& cmd :
         {"check --fail-on none --sarif " + out + ".sarif --junit " + out + ".xml --html " + out +
              ".html ",
          std::string("check "), std::string("analyze --predict --format json "),
          std::string("dump ")}) {
      const CliRun run = Cli(cmd + path);
      // A complete trace: the gate gives a verdict (1: findings fail it), the rest exit 0.
      const bool gate = cmd.starts_with("check");
      EXPECT_TRUE(run.code == 0 || (gate && run.code == 1))
          << cmd << "(seed " << seed << "): exit " << run.code << "\n" << run.out.substr(0, 2000);
      EXPECT_FALSE(run.out.empty()) << cmd << "(seed " << seed << ")";
    }
    for (const char* ext : {".sarif", ".xml", ".html"}) {
      EXPECT_GT(std::filesystem::file_size(out + ext), 100u) << ext << " (seed " << seed << ")";
    }
  }
}

TEST(IncompleteTrace, CutAtABlockBoundaryIsIncomplete) {
  std::string path = WriteTrace("cut.tltrace", "main", "A", "B");
  CliRun whole = Cli("check --fail-on none " + path);
  EXPECT_EQ(whole.code, 0) << whole.out;
  // Without its end record (24-byte block header + 24-byte record) the header still says
  // closed; the reader must not believe it.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 48);
  CliRun check = Cli("check --fail-on none " + path);
  EXPECT_EQ(check.code, 1) << check.out;
  EXPECT_NE(check.out.find("incomplete"), std::string::npos) << check.out;
  EXPECT_EQ(Cli("check --fail-on none --allow-incomplete " + path).code, 0);
  CliRun analyze = Cli("analyze " + path);
  EXPECT_EQ(analyze.code, 0) << analyze.out;
  EXPECT_NE(analyze.out.find("SUMMARY:"), std::string::npos);
  EXPECT_NE(analyze.out.find("INCOMPLETE trace"), std::string::npos) << analyze.out;
  CliRun json = Cli("analyze --format json " + path);
  EXPECT_NE(json.out.find("\"complete\": false"), std::string::npos) << json.out;
}

TEST(IncompleteTrace, KilledProgramFailsTheGate) {
  std::string path = (Dir() / "killed.tltrace").string();
  {
    TraceWriter w(path, {.program = "prog"});
    w.Add(1, EventKind::kThreadStart);
    w.Flush();
    // No Close(): the header stays without its complete flag, as after a SIGKILL.
    std::filesystem::copy_file(path, path + ".copy");
  }
  CliRun check = Cli("check " + path + ".copy");
  EXPECT_EQ(check.code, 1) << check.out;
  EXPECT_NE(check.out.find("--allow-incomplete"), std::string::npos) << check.out;
  EXPECT_EQ(Cli("check --allow-incomplete " + path + ".copy").code, 0);
}

// A fatal signal's handler wrote every thread's events out and marked the header so: the
// summary says the program died of the signal, not that events are missing, and the gate
// still fails the trace (a program that crashed did not pass).
TEST(IncompleteTrace, CrashedProgramsTraceSaysItWasFlushedAndFailsTheGate) {
  std::string path = (Dir() / "crashed.tltrace").string();
  {
    TraceWriter w(path, {.program = "prog"});
    w.Add(1, EventKind::kThreadStart);
    w.Flush();
    std::filesystem::copy_file(path, path + ".copy", std::filesystem::copy_options::overwrite_existing);
  }
  for (const bool flushed : {true, false}) {
    const std::string copy = path + (flushed ? ".flushed" : ".killed");
    std::filesystem::copy_file(path + ".copy", copy, std::filesystem::copy_options::overwrite_existing);
    if (flushed) {
      std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
      threadlens::trace::FileHeader h{};
      f.read(reinterpret_cast<char*>(&h), sizeof h);
      h.flags |= threadlens::trace::kHeaderSignalFlush;
      f.seekp(0);
      f.write(reinterpret_cast<const char*>(&h), sizeof h);
    }
    CliRun analyze = Cli("analyze " + copy);
    EXPECT_EQ(analyze.code, 0) << analyze.out;
    EXPECT_NE(analyze.out.find("INCOMPLETE trace"), std::string::npos) << analyze.out;
    EXPECT_EQ(analyze.out.find("died of a fatal signal") != std::string::npos, flushed)
        << analyze.out;
    EXPECT_EQ(analyze.out.find("later events are missing") != std::string::npos, !flushed)
        << analyze.out;
    CliRun check = Cli("check " + copy);
    EXPECT_EQ(check.code, 1) << check.out;
    EXPECT_EQ(check.out.find("died of a fatal signal") != std::string::npos, flushed)
        << check.out;
  }
}

TEST(HostileNames, InvalidUtf8NeverBreaksAWriter) {
  std::string path = WriteTrace("utf8.tltrace", "worker\xff\xfe", "lock\xc3", "B\xe2\x82");
  CliRun json = Cli("analyze --format json " + path);
  EXPECT_EQ(json.code, 0) << json.out;
  EXPECT_NE(json.out.find("worker\xef\xbf\xbd"), std::string::npos);
  std::string out = (Dir() / "out").string();
  CliRun report = Cli("report " + path + " --json " + out + ".json --sarif " + out + ".sarif --chrome " +
                   out + ".chrome.json --html " + out + ".html --junit " + out + ".xml --dot " +
                   out + ".dot");
  EXPECT_EQ(report.code, 0) << report.out;
  CliRun check = Cli("check " + path + " --json " + out + "2.json --sarif " + out + "2.sarif");
  EXPECT_EQ(check.code, 1) << check.out;  // the lock-order cycle fails; no exit 3
}

TEST(HostileNames, ControlCharactersAreEscapedInText) {
  std::string path =
      WriteTrace("ctl.tltrace", "evil\x1b]0;pwned\x07", "A\nSUMMARY: 0 race, forged", "B\r");
  for (const char* cmd : {"analyze ", "check ", "dump "}) {
    CliRun r = Cli(cmd + path);
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find('\r'), std::string::npos) << cmd << r.out;
    EXPECT_EQ(r.out.find("\nSUMMARY: 0 race, forged"), std::string::npos) << cmd << r.out;
  }
  CliRun r = Cli("analyze --color never " + path);
  EXPECT_NE(r.out.find("evil\\x1b]0;pwned\\x07"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("A\\nSUMMARY: 0 race, forged"), std::string::npos) << r.out;
}

// Peak memory (KiB) and seconds of one `threadlens` run.
struct Cost {
  int code = -1;
  long max_rss_kb = 0;
  double seconds = 0;
};

Cost Measure(const std::vector<std::string>& args) {
  auto start = std::chrono::steady_clock::now();
  std::fflush(stdout);  // the child must not write the parent's buffered lines again
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(THREADLENS_CLI)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    execv(THREADLENS_CLI, argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Cost c;
  c.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  c.max_rss_kb = ru.ru_maxrss;
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

TEST(LockOrderBounds, ThousandNestedLocksStayCheap) {
  std::string text;
  for (int i = 1; i <= 1000; ++i) text += "T1|acq(L" + std::to_string(i) + ")|" + std::to_string(i) + "\n";
  for (int i = 1000; i >= 1; --i) text += "T1|rel(L" + std::to_string(i) + ")|" + std::to_string(i) + "\n";
  // A second thread takes the innermost two the other way round: a real cycle to find.
  text += "T2|acq(L1000)|5000\nT2|acq(L999)|5001\nT2|rel(L999)|5002\nT2|rel(L1000)|5003\n";
  std::string path = File("nested.std", text);
  for (const char* format : {"text", "json"}) {
    Cost c = Measure({"analyze", "--format", format, path});
    EXPECT_EQ(c.code, 0);
    // Before the bounds: 3.3 GB and over 100 s.
    EXPECT_LT(c.max_rss_kb, 200 * 1024) << format;
    EXPECT_LT(c.seconds, 20.0) << format;
    std::printf("[ measure  ] 1000 nested locks, --format %s: %.2f s, %ld MiB\n", format,
                c.seconds, c.max_rss_kb / 1024);
  }
  CliRun r = Cli("analyze " + path);
  EXPECT_NE(r.out.find("1 lock-order"), std::string::npos) << r.out.substr(r.out.size() - 800);
}

TEST(UsageErrors, TyposGetASuggestionOnOneLine) {
  std::string trace = File("ok.std", "T1|acq(L1)|1\nT1|rel(L1)|2\n");
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"analyse " + trace, "did you mean `analyze`?"},
      {"chek " + trace, "did you mean `check`?"},
      {"analyze --formt json " + trace, "did you mean `--format`?"},
      {"check --fail-onn race " + trace, "did you mean `--fail-on`?"},
      {"check --allow-incomplet " + trace, "did you mean `--allow-incomplete`?"},
      {"scenarios lst", "did you mean `list`?"},
      {"analyze", "trace is required"},
      {"", "a command is required"},
      {"check " + (Dir() / "missing.tltrace").string(), "missing.tltrace"},
      {"analyze --max-cycle-length 1 " + trace, "--max-cycle-length"},
  };
  for (const Case& c : cases) {
    CliRun r = Cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_EQ(Lines(r.out), 1u) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
    for (const char* internal : {"RequiredError", "ValidationError", "ExtrasError", "Usage:"}) {
      EXPECT_EQ(r.out.find(internal), std::string::npos) << c.args << "\n" << r.out;
    }
  }
  EXPECT_EQ(Cli("analyze --help").code, 0);
}

std::string ManyEvents() {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "T1|acq(L1)|1\nT1|rel(L1)|2\n";
  return File("many.std", text);
}

// The line would show at once (no delay): only the pipe keeps it out.
TEST(Progress, NeverInPipes) {
  CliRun r;
  FILE* p = popen(("THREADLENS_PROGRESS_AFTER_MS=0 " + std::string(THREADLENS_CLI) +
                   " analyze " + ManyEvents() + " 2>&1")
                      .c_str(),
                  "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(r.out.find("M events"), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
}

// On a terminal (script(1) gives the command one) the line is drawn, then erased.
TEST(Progress, OnATerminal) {
  if (std::system("command -v script >/dev/null") != 0) GTEST_SKIP() << "no script(1)";
  const std::string log = (Dir() / "progress.tty").string();
  const std::string cmd = "THREADLENS_PROGRESS_AFTER_MS=0 " + std::string(THREADLENS_CLI) +
                          " analyze --format json " + ManyEvents() + " >/dev/null";
  ASSERT_EQ(std::system(("script -qec '" + cmd + "' " + log + " >/dev/null 2>&1").c_str()), 0);
  std::ifstream in(log, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(out.find("M events"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\x1b[K"), std::string::npos) << out;  // erased at the end
}

}  // namespace
