// The 13 published SPD condition-variable traces (RAPID STD, SPD dialect): every one imports,
// exports back to the same text, and gives the lock-order verdicts checked by hand below.
// Skipped when the traces are not next to the source tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_util.h"
#include "witness_checker.h"

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

// With prediction (sync-preserving deadlocks, SPD), checked by hand:
//  - cond_var_tn: the one error cycle, T11's L8 -> L10 against T12's L10 -> L8, has no schedule:
//    T12 is forked by T9 after T9 read V4294967301, which T11 wrote holding both locks, so
//    T12's start needs T11 past its acquisition of L10. A warning "no schedule found": SPD
//    agrees with the trace's name (a true negative of a lock-only analysis that ignores data).
//  - cond_var_fp, cond_var_fp_idiomatic: the cycles stay the warnings they were (ordered by a
//    notification), and SPD finds no schedule either: the second thread of each cycle is
//    forked after a wait ended by a notify the first thread sends inside its nest (and the
//    waiter's re-acquisition of the monitor comes after that thread's critical section on it).
//  - cond_var_fn_idiomatic: no lock-order cycle at all, yet the program can deadlock, with a
//    notification in the cycle, and it is predicted as such. By hand: T7 writes the four
//    variables and starts T10, T11, T12 (taking and releasing each one's monitor L10, L11,
//    L12). T10 reads V..301, takes L6, reads V..299, takes L9, reads V..300 and V..299 (all
//    T7's writes), and waits on L9, releasing it but keeping L6. T12 reads V..298, takes L8,
//    reads V..301 and requests L6: blocked, T10 holds it. T11 reads V..298 and requests L8:
//    blocked, T12 holds it, so T11 never reaches its notify(L9) and T10 never wakes. Every
//    read reads T7's write, as in the run, and T7 has nothing left to do (no join): all four
//    threads are done or blocked. The run did not deadlock only because T11 took L8 before
//    T12 did; reversing those two critical sections of L8 is what a lock-only prediction
//    (SPD over lock-order cycles) cannot do, and here the pattern leaves T11's acquisition
//    out of the reordering, so nothing orders them.
//  - mysql_68251 has the same three-thread shape (T9 waits on L8 holding L5, T10 takes L7
//    before notifying, T11 holds L7 and requests L5); apache_42031 (T10 waits on L8 holding
//    L6, T9 takes L6 before notifying L8), memcached_567 (T12 waits on L10 holding L8, T11
//    takes L8 between two of its notifications, the first sent before T12 waits) and mysql_50038 (T11 waits on L9 holding L7, T10
//    takes L7 again before its notification) are two-thread nested monitor lockouts, which
//    the plain analysis already calls potential deadlocks (wait-holding-lock errors); each
//    becomes a predicted deadlock with its schedule.
//  - lost notifications, by hand: in cond_var_fp (T9 waits on L11, T12 notifies),
//    apache_42031 (T10 on L8, T9) and mysql_68251 (T9 on L8, T10) the waiter's condition
//    reads a variable only the main thread wrote, and the notifier writes nothing the waiter
//    reads; so the notifier can run through its notification first, the waiter then reads
//    the same values, waits, and nothing notifies again: the main thread blocks on its join
//    (cond_var_fp: T9 is the main thread, stuck in its wait). In the other traces the
//    waiter reads what the notifier wrote (or another notification follows).
//  - no lock-order cycle is predicted to deadlock on any of the 13 traces.
// Races beyond happens-before (SyncP): one, in pool_146. T180 writes V777389080659 (site 2346)
// before it takes any lock; T127 reads it (site 2347) holding L165 and L181, in critical
// sections the trace has after T180's. Only lock handoffs ordered the two; T127's critical
// sections on L165 and L181 can run before T180 takes either (nothing T127 read in them came
// from T180), and then both accesses are ready at once. The witness checker replays it.
TEST(RealTraces, PredictionVerdicts) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"cond_var_fp_dlf.std", {"L8->L10 warning"}},
      {"cond_var_fp_idiomatic_dlf.std", {"L9->L11 warning"}},
      {"cond_var_tn_dlf.std", {"L8->L10 warning no-schedule"}},
  };
  const std::map<std::string, std::vector<std::string>> expected_races = {
      {"pool_146_dlf.std",
       {"predicted data race on V777389080659: read by T127 vs earlier write by T180"}},
  };
  const std::map<std::string, std::vector<std::string>> expected_comm = {
      {"apache_42031_dlf.std",
       {"predicted deadlock: T10 waits for T9 to notify L8; T9 waits for L6 held by T10",
        "predicted lost notification: T9 notifies L8 before T10 waits for it; T10 then waits "
        "forever"}},
      {"cond_var_fn_idiomatic_dlf.std",
       {"predicted deadlock: T10 waits for T11 to notify L9; T11 waits for L8 held by T12; T12 "
        "waits for L6 held by T10"}},
      {"cond_var_fp_dlf.std",
       {"predicted lost notification: T12 notifies L11 before T9 waits for it; T9 then waits "
        "forever"}},
      {"memcached_567_dlf.std",
       {"predicted deadlock: T12 waits for T11 to notify L10; T11 waits for L8 held by T12"}},
      {"mysql_50038_dlf.std",
       {"predicted deadlock: T11 waits for T10 to notify L9; T10 waits for L7 held by T11"}},
      {"mysql_68251_dlf.std",
       {"predicted deadlock: T9 waits for T10 to notify L8; T10 waits for L7 held by T11; T11 "
        "waits for L5 held by T9",
        "predicted lost notification: T10 notifies L8 before T9 waits for it; T9 then waits "
        "forever"}},
  };
  auto traces = Traces();
  if (traces.empty()) GTEST_SKIP() << "no traces at " << TraceDir();
  for (const fs::path& p : traces) {
    SCOPED_TRACE(p.filename().string());
    AnalyzeOptions opts = TestOptions();
    opts.predict = true;
    opts.max_witness_steps = 1'000'000;
    Report r = AnalyzeFile(p.string(), opts);
    Report plain = AnalyzeFile(p.string(), TestOptions());
    std::vector<std::string> cycles;
    auto source = OpenTrace(p.string());
    const auto stream = ReadAll(*source);
    for (const Finding* f : OfKind(r, "lock-order")) {
      std::string s;
      for (const CycleEdge& e : f->cycle) s += (s.empty() ? "" : "->") + e.from;
      s += std::string(" ") + SeverityName(f->severity);
      if (f->predicted) s += *f->predicted ? " predicted" : " no-schedule";
      if (f->predicted && *f->predicted) EXPECT_EQ(CheckWitness(stream, *f), "");
      cycles.push_back(s);
    }
    auto it = expected.find(p.filename().string());
    EXPECT_EQ(cycles, it == expected.end() ? std::vector<std::string>{} : it->second);
    std::vector<std::string> races;
    for (const Finding* f : OfKind(r, "race")) {
      if (!f->predicted) continue;
      EXPECT_EQ(CheckWitness(stream, *f), "");
      races.push_back(f->title);
    }
    auto rit = expected_races.find(p.filename().string());
    EXPECT_EQ(races, rit == expected_races.end() ? std::vector<std::string>{} : rit->second);
    std::vector<std::string> comm;
    for (const Finding& f : r.findings) {
      if (f.kind != "deadlock" && f.kind != "hang") continue;
      if (!f.predicted) continue;
      EXPECT_EQ(f.severity, Severity::kError);
      EXPECT_EQ(CheckWitness(stream, f), "") << f.title;
      comm.push_back(f.title);
    }
    auto cit = expected_comm.find(p.filename().string());
    EXPECT_EQ(comm, cit == expected_comm.end() ? std::vector<std::string>{} : cit->second);
    // Prediction changes lock-order findings and adds races, deadlocks and hangs, nothing else.
    auto others = [](const Report& rep) {
      std::multiset<std::string> titles;
      for (const Finding& f : rep.findings) {
        if (f.kind != "lock-order" && !f.predicted) titles.insert(f.title);
      }
      return titles;
    };
    EXPECT_EQ(r.findings.size(), plain.findings.size() + races.size() + comm.size());
    EXPECT_EQ(others(r), others(plain));
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
