// The 13 published SPD condition-variable traces (RAPID STD, SPD dialect): every one imports,
// exports back to the same text, and gives the lock-order verdicts checked by hand below.
// Skipped when the traces are not next to the source tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "test_util.h"

namespace threadlens::testing {
namespace {

namespace fs = std::filesystem;

fs::path TraceDir() {
  return fs::path(THREADLENS_SOURCE_DIR) / ".." / "shared" / "traces" / "spd-condvar";
}

std::vector<fs::path> Traces() {
  std::vector<fs::path> out;
  if (!fs::is_directory(TraceDir())) return out;
  for (const auto& e : fs::directory_iterator(TraceDir())) {
    if (e.path().extension() == ".std") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Verdict {
  std::vector<std::string> cycles;  // "L8->L10 error" per lock-order finding
  size_t hangs;
  size_t deadlocks;
  std::vector<std::string> holds = {};  // "T10 L6 L8 error": waiter, held lock, cv, severity
};

// What each trace holds, checked by reading the traces:
//  - cond_var_fp: T12 takes 8 then 10, T13 takes 10 then 8, but T13 is forked only after
//    T9 was woken by T12's notify, which T12 sent holding both locks: ordered, a warning.
//  - cond_var_fp_idiomatic: the same pattern (T13: 9 -> 11, T14: 11 -> 9, T14 forked after
//    T10's wait was ended by T13's notify): a warning.
//  - cond_var_tn: T11 takes 8 -> 10, T12 (forked later, never ordered with T11 by fork,
//    join or a signal) takes 10 -> 8: an error for a lock-order analysis. (Only the read of
//    a value T11 wrote inside the locks, before T12's fork, rules the deadlock out.)
//  - pool_146: T180 and T127 (the only live threads) end inside wait(): two hangs.
//  - pool_149, log4j: one thread ends inside wait() while others still run: no hang.
//  - the others: no nested acquisitions in opposite orders from distinct threads.
// Locks held across a wait (misuse wait-holding-lock):
//  - apache: T10 waits on 8 holding 6; T9 takes 6 (line 17) before it notifies 8: error.
//  - memcached: T12 waits on 10 holding 8; T11 takes 8 before it notifies 10: error.
//  - mysql_50038: T11 waits on 9 holding 7; T10 takes 7 before it notifies 9: error.
//  - cond_var_fn_idiomatic: T10 waits on 9 holding 6; T12 takes 6, T11 notifies: warning.
//  - mysql_68251: T9 waits on 8 holding 5; T11 takes 5, T10 notifies: warning.
const std::map<std::string, Verdict> kExpected = {
    {"apache_42031_dlf.std", {{}, 0, 0, {"T10 L6 L8 error"}}},
    {"cond_var_fn_idiomatic_dlf.std", {{}, 0, 0, {"T10 L6 L9 warning"}}},
    {"cond_var_fp_dlf.std", {{"L8->L10 warning"}, 0, 0}},
    {"cond_var_fp_idiomatic_dlf.std", {{"L9->L11 warning"}, 0, 0}},
    {"cond_var_tn_dlf.std", {{"L8->L10 error"}, 0, 0}},
    {"jdk_8012019_dlf.std", {{}, 0, 0}},
    {"log4j_38137_dlf.std", {{}, 0, 0}},
    {"lucene_2783_dlf.std", {{}, 0, 0}},
    {"memcached_567_dlf.std", {{}, 0, 0, {"T12 L8 L10 error"}}},
    {"mysql_50038_dlf.std", {{}, 0, 0, {"T11 L7 L9 error"}}},
    {"mysql_68251_dlf.std", {{}, 0, 0, {"T9 L5 L8 warning"}}},
    {"pool_146_dlf.std", {{}, 2, 0}},
    {"pool_149_dlf.std", {{}, 0, 0}},
};

TEST(RealTraces, LockOrderVerdicts) {
  auto traces = Traces();
  if (traces.empty()) GTEST_SKIP() << "no traces at " << TraceDir();
  EXPECT_EQ(traces.size(), kExpected.size());
  for (const fs::path& p : traces) {
    SCOPED_TRACE(p.filename().string());
    auto it = kExpected.find(p.filename().string());
    ASSERT_NE(it, kExpected.end()) << "a new trace: add its verdict";
    Report r = AnalyzeFile(p.string(), TestOptions());
    EXPECT_GT(r.events, 0u);
    std::vector<std::string> cycles;
    for (const Finding* f : OfKind(r, "lock-order")) {
      std::string s;
      for (const CycleEdge& e : f->cycle) s += (s.empty() ? "" : "->") + e.from;
      cycles.push_back(s + " " + SeverityName(f->severity));
      // Every edge of a reported cycle comes from a distinct thread.
      std::set<std::string> threads;
      for (const CycleEdge& e : f->cycle) threads.insert(e.thread);
      EXPECT_EQ(threads.size(), f->cycle.size());
    }
    EXPECT_EQ(cycles, it->second.cycles);
    EXPECT_EQ(OfKind(r, "hang").size(), it->second.hangs);
    EXPECT_EQ(OfKind(r, "deadlock").size(), it->second.deadlocks);
    std::vector<std::string> holds;
    for (const Finding* f : OfKind(r, "misuse")) {
      ASSERT_EQ(f->subkind, "wait-holding-lock");
      ASSERT_GE(f->accesses.size(), 3u);
      holds.push_back(f->threads.at(0) + " " + f->locks.at(0) + " " + f->accesses[0].object +
                      " " + SeverityName(f->severity));
    }
    EXPECT_EQ(holds, it->second.holds);
    EXPECT_TRUE(OfKind(r, "self-deadlock").empty());
  }
}

TEST(RealTraces, ExportReproducesTheText) {
  auto traces = Traces();
  if (traces.empty()) GTEST_SKIP() << "no traces at " << TraceDir();
  for (const fs::path& p : traces) {
    std::ifstream in(p);
    std::stringstream original;
    original << in.rdbuf();
    auto source = OpenTrace(p.string());
    std::ostringstream out;
    WriteStdTrace(*source, out);
    // Numeric operands come back with their letter (8 -> L8, 11 -> T11, 42 -> V42).
    auto again = ParseStdText(out.str(), p.filename().string());
    std::ostringstream twice;
    WriteStdTrace(*again, twice);
    EXPECT_EQ(twice.str(), out.str()) << p;
    const std::string in_text = original.str(), out_text = out.str();
    EXPECT_EQ(std::count(out_text.begin(), out_text.end(), '\n'),
              std::count(in_text.begin(), in_text.end(), '\n'))
        << p;
  }
}

}  // namespace
}  // namespace threadlens::testing
