// End-to-end tests of the compiler instrumentation: each program in programs/ is built with
// threadlens_instrument(), run under `threadlens run`, and its trace analyzed. Expectations
// sit in the program, as TSan's lit tests keep theirs:
//   // CHECK: race NAME    a race on the variable named NAME (the rest of the line; '*': any
//                         name; "pid N" stands for any process id), whose two sides are on
//                         lines marked `// RACE`
//   // CHECK: no-race     no race finding at all
//   // CHECK: races N     exactly N race findings
//   // CHECK: subkind S   the expected races are of subkind S (e.g. use-after-free)
//   // CHECK: exit N      the program exits with status N under the tracer
//   // CHECK: misuse S    a misuse finding of subkind S (a warning or an error)
//   // CHECK: no-misuse   no misuse finding at all
//   // CHECK: finding K   a finding of kind K (e.g. lock-order), or K/S: of subkind S too;
//                         `finding K/S on NAME`: whose first access is on the object NAME
//   // CHECK: no-finding K  no finding of kind K
//   // CHECK: note TEXT    a note of the report contains TEXT
//   // CHECK: no-warning TEXT  no warning of the report contains TEXT
//   // CHECK: cxx11-no-race  no race finding under C++11's release sequences
//                         (AnalyzeOptions::cxx11_release_sequences)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "instrument_run.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"
#include "threadlens/trace_format.h"
#include "threadlens/trace_packed.h"

namespace {

using instrument_test::Describe;
using instrument_test::ReadFile;
using instrument_test::RunTo;

struct Expectations {
  bool no_race = false;
  bool cxx11_no_race = false;
  int race_count = -1;             // -1: not checked
  std::vector<std::string> races;  // variable names, "*" for any
  std::set<int> race_lines;        // lines marked // RACE
  std::string subkind;             // of the expected races ("": any)
  int exit_code = -1;              // -1: not checked
  std::vector<std::string> misuse;  // misuse subkinds expected
  bool no_misuse = false;
  std::vector<std::string> kinds;  // finding kinds expected, "kind" or "kind/subkind"
  std::vector<std::string> kind_objects;  // the object each one's first access names ("": any)
  std::vector<std::string> absent;        // finding kinds that must not appear
  std::vector<std::string> notes;         // text each found in some note
  std::vector<std::string> no_warnings;   // text no warning may contain
};

// programs/NAME.cc, or NAME.c for a C program.
std::string SourceOf(const std::string& name) {
  const std::string base = std::string(THREADLENS_SOURCE_DIR) + "/tests/instrument/programs/" + name;
  return std::ifstream(base + ".cc").good() ? base + ".cc" : base + ".c";
}

Expectations ReadExpectations(const std::string& path) {
  Expectations e;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find("// RACE") != std::string::npos) e.race_lines.insert(number);
    size_t c = line.find("// CHECK: ");
    if (c == std::string::npos) continue;
    std::istringstream words(line.substr(c + 10));
    std::string what;
    words >> what;
    if (what == "no-race") e.no_race = true;
    if (what == "cxx11-no-race") e.cxx11_no_race = true;
    if (what == "races") words >> e.race_count;
    if (what == "race") {  // the name is the rest of the line: "tally in T2's thread-local storage"
      std::string name;
      std::getline(words >> std::ws, name);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      e.races.push_back(name);
    }
    if (what == "exit") words >> e.exit_code;
    if (what == "subkind") words >> e.subkind;
    if (what == "no-misuse") e.no_misuse = true;
    if (what == "finding") {
      std::string kind, on, object;
      words >> kind >> on;
      std::getline(words >> std::ws, object);
      e.kinds.push_back(kind);
      e.kind_objects.push_back(on == "on" ? object : "");
    }
    if (what == "note") {
      std::string text;
      std::getline(words >> std::ws, text);
      e.notes.push_back(text);
    }
    if (what == "no-warning") {
      std::string text;
      std::getline(words >> std::ws, text);
      e.no_warnings.push_back(text);
    }
    if (what == "no-finding") {
      std::string kind;
      words >> kind;
      e.absent.push_back(kind);
    }
    if (what == "misuse") {
      std::string subkind;
      words >> subkind;
      e.misuse.push_back(subkind);
    }
  }
  return e;
}

// A name with each process id replaced by N ("on pid 4242 T1's stack" -> "on pid N T1's
// stack"): a child's pid differs from run to run.
std::string WithoutPids(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const bool pid = name.compare(i, 4, "pid ") == 0 && i + 4 < name.size() &&
                     std::isdigit(static_cast<unsigned char>(name[i + 4]));
    if (pid) {
      out += "pid N";
      for (i += 4; i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]));) ++i;
    } else {
      out += name[i++];
    }
  }
  return out;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class InstrumentedProgram : public ::testing::TestWithParam<std::string> {};

TEST_P(InstrumentedProgram, FindingsMatchChecks) {
  const std::string name = GetParam();
  const std::string source = SourceOf(name);
  Expectations expect = ReadExpectations(source);
  ASSERT_TRUE(expect.no_race || !expect.races.empty() || expect.no_misuse ||
              !expect.misuse.empty() || !expect.kinds.empty() || !expect.absent.empty() ||
              !expect.notes.empty() || !expect.no_warnings.empty())
      << source << " has no CHECK: line";

  char dir_template[] = "/tmp/threadlens-instrument-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string trace = dir + "/" + name + ".tltrace";
  const std::string log = dir + "/" + name + ".log";
  const std::string program = std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_" + name;

  int status = RunTo({THREADLENS_CLI, "run", "--trace", trace, "--", program}, log);
  if (expect.exit_code >= 0) {
    EXPECT_EQ(status, expect.exit_code) << ReadFile(log);
  }
  threadlens::Report report = threadlens::AnalyzeFile(trace);
  SCOPED_TRACE("findings:\n" + Describe(report) + "program output:\n" + ReadFile(log));
  // The race detector's worker threads, and reading ahead, change nothing in the report.
  {
    threadlens::AnalyzeOptions one, two;
    one.race_workers = 0;
    one.read_ahead = 0;
    two.race_workers = 2;
    two.read_ahead = 1;
    EXPECT_EQ(threadlens::ToJson(threadlens::AnalyzeFile(trace, one)),
              threadlens::ToJson(threadlens::AnalyzeFile(trace, two)));
  }

  std::vector<const threadlens::Finding*> races;
  for (const auto& f : report.findings) {
    if (f.kind == "race") races.push_back(&f);
  }
  if (expect.no_race) {
    EXPECT_TRUE(races.empty()) << name << " must be race-free";
  }
  if (expect.race_count >= 0) {
    EXPECT_EQ(races.size(), static_cast<size_t>(expect.race_count)) << name;
  }
  if (expect.cxx11_no_race) {
    threadlens::AnalyzeOptions cxx11;
    cxx11.cxx11_release_sequences = true;
    for (const auto& f : threadlens::AnalyzeFile(trace, cxx11).findings) {
      EXPECT_NE(f.kind, "race") << name << " must be race-free under C++11's release sequences";
    }
  }
  for (const std::string& variable : expect.races) {
    bool found = false;
    for (const auto* f : races) {
      if (f->accesses.size() < 2) continue;
      bool name_ok = variable == "*";
      for (const auto& v : f->variables) name_ok |= WithoutPids(v) == variable;
      for (const auto& a : f->accesses) name_ok |= WithoutPids(a.object) == variable;
      if (!name_ok) continue;
      // Both sides point into this program's source at a marked line: the innermost frame
      // in it (an access inside an inlined library function has library frames first).
      bool lines_ok = true;
      for (size_t i = 0; i < 2; ++i) {
        int line = -1;
        for (const auto& frame : f->accesses[i].stack) {
          if (EndsWith(frame.file, name + ".cc") || EndsWith(frame.file, name + ".c")) {
            line = frame.line;
            break;
          }
        }
        lines_ok &= expect.race_lines.count(line) > 0;
      }
      if (lines_ok && (expect.subkind.empty() || f->subkind == expect.subkind)) found = true;
    }
    EXPECT_TRUE(found) << "expected a race on '" << variable << "' at the lines marked RACE in "
                       << source;
  }
  std::vector<std::string> misuse;
  for (const auto& f : report.findings) {
    if (f.kind == "misuse") misuse.push_back(f.subkind);
  }
  if (expect.no_misuse) EXPECT_TRUE(misuse.empty()) << name << " must have no misuse finding";
  for (const std::string& subkind : expect.misuse) {
    EXPECT_NE(std::find(misuse.begin(), misuse.end(), subkind), misuse.end())
        << "expected a misuse finding of subkind " << subkind << " in " << source;
  }
  for (size_t i = 0; i < expect.kinds.size(); ++i) {
    const std::string& kind = expect.kinds[i];
    const std::string& object = expect.kind_objects[i];
    bool found = false;
    for (const auto& f : report.findings) {
      const bool kind_ok = f.kind == kind || f.kind + "/" + f.subkind == kind;
      found |= kind_ok && (object.empty() ||
                           (!f.accesses.empty() && f.accesses[0].object == object));
    }
    EXPECT_TRUE(found) << "expected a finding " << kind << (object.empty() ? "" : " on ")
                       << object << " in " << source;
  }
  for (const std::string& text : expect.notes) {
    bool found = false;
    for (const auto& n : report.notes) found |= n.find(text) != std::string::npos;
    EXPECT_TRUE(found) << "expected a note with \"" << text << "\" in " << source;
  }
  for (const std::string& text : expect.no_warnings) {
    for (const auto& w : report.warnings) {
      EXPECT_EQ(w.find(text), std::string::npos) << name << " must have no such warning: " << w;
    }
  }
  for (const std::string& kind : expect.absent) {
    for (const auto& f : report.findings) {
      EXPECT_NE(f.kind, kind) << name << " must have no " << kind << " finding: " << f.title;
    }
  }
  // With the traces of the program's forked children (NAME.tltrace.PID).
  std::filesystem::remove_all(dir);
}

std::vector<std::string> Programs() {
  std::vector<std::string> names;
  std::stringstream list(THREADLENS_INSTRUMENT_PROGRAMS);
  std::string name;
  while (std::getline(list, name, ',')) {
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(Programs, InstrumentedProgram, ::testing::ValuesIn(Programs()),
                         [](const auto& info) { return info.param; });

// The same binary runs normally, and writes nothing, when it is not traced.
TEST(Instrumented, RunsWithoutTracer) {
  char dir_template[] = "/tmp/threadlens-instrument-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string log = std::string(dir_template) + "/out.log";
  unsetenv("THREADLENS_TRACE");
  int status =
      RunTo({std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_atomic_counter"}, log);
  std::string out = ReadFile(log);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("exact"), std::string::npos) << out;
  std::remove(log.c_str());
  rmdir(dir_template);
}

struct EventCounts {
  size_t reads = 0, writes = 0, ranges = 0, range_bytes = 0, func_entries = 0, func_exits = 0;
  size_t byte_ranges = 0;  // ranges of 1-byte elements: the libc interceptors' (memset...)
};

EventCounts CountEvents(const std::string& trace) {
  EventCounts c;
  auto source = threadlens::OpenTrace(trace);
  threadlens::StreamEvent e;
  while (source->Next(e)) {
    using threadlens::trace::EventKind;
    if (e.kind() == EventKind::kRead || e.kind() == EventKind::kWrite) {
      (e.kind() == EventKind::kRead ? c.reads : c.writes)++;
      if (e.ev.aux16 == 0) {
        ++c.ranges;
        c.range_bytes += e.ev.seq;
        if (e.ev.aux32 == 1) ++c.byte_ranges;
      }
    }
    if (e.kind() == EventKind::kFuncEntry) ++c.func_entries;
    if (e.kind() == EventKind::kFuncExit) ++c.func_exits;
  }
  return c;
}

// Runs an instrumented program under `threadlens run` with extra environment settings.
EventCounts TraceOf(const std::string& name, const std::string& env) {
  char dir_template[] = "/tmp/threadlens-instrument-XXXXXX";
  if (!mkdtemp(dir_template)) return {};
  const std::string dir = dir_template;
  const std::string trace = dir + "/t.tltrace", log = dir + "/t.log";
  RunTo({"/usr/bin/env", env, THREADLENS_CLI, "run", "--trace", trace, "--",
         std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_" + name},
        log);
  EventCounts c = CountEvents(trace);
  std::remove(trace.c_str());
  std::remove(log.c_str());
  rmdir(dir.c_str());
  return c;
}

// 2 x 2000 writes to a std::ostringstream, whose copies libstdc++ makes: each copy carries the
// frame of the loop's call into the library, written once while the loop runs, not one
// func_entry and func_exit per copy.
TEST(Recording, ALoopOfLibraryCallsWritesItsFrameOnce) {
  EventCounts c = TraceOf("clean_stream_write_loop", "THREADLENS_COALESCE=1");
  EXPECT_GT(c.writes, 3000u);
  EXPECT_LT(c.func_entries, 100u);
  EXPECT_EQ(c.func_entries, c.func_exits);
}

// 2 x 1000 increments of one global with no synchronization in between: the repeats are
// dropped at the source, a handful of events remain.
TEST(Recording, RepeatedAccessesAreDroppedAtTheSource) {
  EventCounts c = TraceOf("race_global_counter", "THREADLENS_COALESCE=0");
  EXPECT_GT(c.writes, 0u);
  EXPECT_LT(c.writes, 100u);
  EXPECT_EQ(c.func_entries, c.func_exits);  // the lazily written stack stays balanced
}

// 1000 reads of one variable, each after an acquire load: acquires do not start a new epoch
// (only releases do), so the repeats are dropped and the program stays race-free.
TEST(Recording, RepeatsAfterAnAcquireAreDropped) {
  EventCounts c = TraceOf("clean_poll_after_acquire", "THREADLENS_COALESCE=0");
  EXPECT_GT(c.reads, 0u);
  EXPECT_LT(c.reads, 100u);
}

// A worker's local, written byte by byte and read whole in each of 1000 rounds, with a malloc
// and a free of its own in every round: the block's write is recorded each round, the local's
// accesses once (the allocations end the epoch of the heap's bytes, not the stack's).
TEST(Recording, AWorkersLocalsRepeatAcrossItsAllocations) {
  EventCounts c = TraceOf("clean_worker_locals_between_allocations", "THREADLENS_COALESCE=0");
  EXPECT_GE(c.writes, 2000u);  // the block's and the global pointer to it, each round
  EXPECT_LT(c.writes, 2100u);
  EXPECT_LT(c.reads, 100u);
}

// A 1000-element vector filled and summed: coalescing (the default) turns the scans into a
// few ranges that still cover every element.
TEST(Recording, CoalescingTurnsScansIntoRanges) {
  EventCounts plain = TraceOf("clean_join", "THREADLENS_COALESCE=0");
  EventCounts merged = TraceOf("clean_join", "-uTHREADLENS_COALESCE");
  EXPECT_EQ(plain.ranges, plain.byte_ranges);  // only libc calls record ranges then
  EXPECT_GT(plain.reads + plain.writes, 1000u);
  EXPECT_GT(merged.ranges, 0u);
  EXPECT_GE(merged.range_bytes, 1000 * sizeof(long));
  EXPECT_LT((merged.reads + merged.writes) * 10, plain.reads + plain.writes);
}

// A loop over several arrays at once (clean_stream_transform_loop reads two source rows and
// writes two output planes, 1024 rounds): each stream is one range, though the streams'
// accesses alternate.
TEST(Recording, EachStreamOfALoopIsOneRange) {
  EventCounts plain = TraceOf("clean_stream_transform_loop", "THREADLENS_COALESCE=0");
  EventCounts merged = TraceOf("clean_stream_transform_loop", "-uTHREADLENS_COALESCE");
  EXPECT_GT(plain.reads + plain.writes, 4 * 1024u);
  EXPECT_GE(merged.ranges, 4u);
  EXPECT_LT(merged.reads + merged.writes, 64u);
  EXPECT_GE(merged.range_bytes, 2 * 2048u + 2 * 1024u);
}

// Accesses between clock readings are written as 16-byte packed records: the file holds
// kPackedEvents blocks whose records the reader expands one for one.
TEST(Recording, AccessesArePackedInTheFile) {
  char dir_template[] = "/tmp/threadlens-packed-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string trace = dir + "/t.tltrace", log = dir + "/t.log";
  RunTo({"/usr/bin/env", "THREADLENS_COALESCE=0", THREADLENS_CLI, "run", "--trace", trace, "--",
         std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_clean_join"},
        log);
  std::string bytes = ReadFile(trace);
  namespace tf = threadlens::trace;
  size_t at = sizeof(tf::FileHeader), packed = 0, full = 0, announced = 0;
  while (at + sizeof(tf::BlockHeader) <= bytes.size()) {
    tf::BlockHeader b;
    std::memcpy(&b, bytes.data() + at, sizeof b);
    ASSERT_EQ(b.magic, tf::kBlockMagic);
    const size_t payload = at + sizeof b;
    ASSERT_LE(payload + b.payload_size, bytes.size());
    if (b.kind == static_cast<uint32_t>(tf::BlockKind::kPackedEvents)) {
      announced += b.count;
      for (size_t r = payload; r < payload + b.payload_size;) {
        const bool is_packed = static_cast<uint8_t>(bytes[r]) & tf::kPackedTag;
        (is_packed ? packed : full)++;
        r += is_packed ? tf::kPackedSize : sizeof(tf::Event);
      }
    }
    at = payload + b.payload_size;
  }
  EXPECT_GT(packed, 1000u);                // the 1000-element fill and sum, element by element
  EXPECT_GT(packed, 10 * full);            // the clock is read once in 64 accesses
  EXPECT_EQ(packed + full, announced);     // block counts are record counts
  size_t read = 0;
  auto source = threadlens::OpenTrace(trace);
  threadlens::StreamEvent e;
  while (source->Next(e)) ++read;
  EXPECT_EQ(read, announced);
  std::remove(trace.c_str());
  std::remove(log.c_str());
  rmdir(dir.c_str());
}

// The documented workflow: `threadlens-c++ -g -O1 prog.cc -o prog`, then
// `threadlens run -- ./prog`, with the wrapper from the build tree.
TEST(Wrapper, CompilesLinksAndTracesAProgram) {
  char dir_template[] = "/tmp/threadlens-wrapper-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string wrapper = std::string(THREADLENS_BINARY_DIR) + "/bin/threadlens-c++";
  const std::string program = dir + "/prog";
  const std::string log = dir + "/build.log";
  // Separate compile and link steps, as build systems do.
  ASSERT_EQ(
      RunTo({wrapper, "-g", "-O1", "-c", SourceOf("race_global_counter"), "-o", program + ".o"},
            log),
      0)
      << ReadFile(log);
  ASSERT_EQ(RunTo({wrapper, "-g", program + ".o", "-o", program}, log), 0) << ReadFile(log);
  const std::string trace = dir + "/prog.tltrace";
  EXPECT_EQ(RunTo({THREADLENS_CLI, "run", "--trace", trace, "--", program}, log), 0)
      << ReadFile(log);
  threadlens::Report report = threadlens::AnalyzeFile(trace);
  bool found = false;
  for (const auto& f : report.findings) {
    for (const auto& v : f.variables) found |= f.kind == "race" && v == "counter";
  }
  EXPECT_TRUE(found) << Describe(report);
  // Linked against the threadlens runtime, not clang's TSan runtime.
  EXPECT_EQ(RunTo({"/bin/sh", "-c", "nm " + program + " | grep -q __tsan_report"}, log), 1);
  for (const char* f : {"/prog", "/prog.o", "/prog.tltrace", "/build.log"}) {
    std::remove((dir + f).c_str());
  }
  rmdir(dir.c_str());
}

}  // namespace
