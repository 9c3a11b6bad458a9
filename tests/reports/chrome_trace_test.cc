// Chrome trace events: thread names, properly nested complete slices per thread, async
// slices for overlapping holds, and flow arrows that start and finish.
#include "threadlens/reports/chrome_trace.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sample_reports.h"
#include "test_util.h"

namespace threadlens {
namespace {

using namespace threadlens::testing;
using nlohmann::json;

TEST(ChromeTrace, ThreadNamesAndNestedSlices) {
  json t = reports::ToChromeTrace({{"bank", LockOrderReport()}});
  std::map<int, std::string> names;
  std::map<int, std::vector<std::pair<double, double>>> slices;
  int async_begin = 0, async_end = 0;
  for (auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") names[e["tid"]] = e["args"]["name"];
    if (e["ph"] == "X")
      slices[e["tid"]].push_back({e["ts"], e["ts"].get<double>() + e["dur"].get<double>()});
    if (e["ph"] == "b") ++async_begin;
    if (e["ph"] == "e") ++async_end;
  }
  EXPECT_EQ(names[2], "Transfer");
  EXPECT_EQ(names[3], "Audit");
  // log_mu [150,250] overlaps accounts_mu [100,200] without nesting: one async slice.
  EXPECT_EQ(async_begin, 1);
  EXPECT_EQ(async_end, 1);
  for (auto& [tid, v] : slices) {
    std::sort(v.begin(), v.end(), [](auto a, auto b) {
      return a.first != b.first ? a.first < b.first : a.second > b.second;
    });
    std::vector<double> open;
    for (auto& [b, e] : v) {
      while (!open.empty() && open.back() <= b) open.pop_back();
      if (!open.empty()) EXPECT_LE(e, open.back()) << "slices on tid " << tid << " do not nest";
      open.push_back(e);
    }
  }
}

TEST(ChromeTrace, FlowsAlongTheDeadlockCycle) {
  json t = reports::ToChromeTrace({{"bank", DeadlockReport()}, {"race", RaceReport()}});
  std::map<uint64_t, std::pair<int, int>> flows;  // id -> (start tid, finish tid)
  std::map<uint64_t, int> pid_of;
  for (auto& e : t["traceEvents"]) {
    if (e["ph"] == "s") flows[e["id"]].first = e["tid"], pid_of[e["id"]] = e["pid"];
    if (e["ph"] == "f") flows[e["id"]].second = e["tid"];
  }
  std::vector<std::pair<int, int>> deadlock, race;
  for (auto& [id, f] : flows) (pid_of[id] == 1 ? deadlock : race).push_back(f);
  EXPECT_EQ(deadlock, (std::vector<std::pair<int, int>>{{2, 3}, {3, 2}}));
  EXPECT_EQ(race, (std::vector<std::pair<int, int>>{{2, 3}}));
}

TEST(ChromeTrace, MicrosecondsFromTraceStart) {
  Report r = RaceReport();
  r.begin_ticks = 100;
  r.ticks_per_second = 1'000'000;  // one tick = 1 us
  r.spans = {{3, "accounts_mu", "hold", 250, 300}};
  json t = reports::ToChromeTrace({{"race", r}});
  bool found = false;
  for (auto& e : t["traceEvents"]) {
    if (e["ph"] == "X" && e["cat"] == "lock") {
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 150.0);
      EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 50.0);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

// A report that lists no threads (an imported TSan report) still names every lane.
TEST(ChromeTrace, EveryLaneWithEventsHasAName) {
  Report r = RaceReport();
  r.threads.clear();
  r.findings[0].accesses[0].tid = 0;  // known by name only
  r.findings[0].accesses[1].tid = 7;
  r.spans = {{9, "accounts_mu", "hold", 250, 300}};
  json t = reports::ToChromeTrace({{"race", r}});
  std::map<int, std::string> names;
  std::set<int> used;
  for (auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") names[e["tid"]] = e["args"]["name"];
    if (e["ph"] == "X") used.insert(e["tid"].get<int>());
  }
  EXPECT_EQ(used.size(), 3u);
  for (int tid : used) EXPECT_TRUE(names.count(tid)) << "lane " << tid << " has no name";
  EXPECT_EQ(names[7], "Reader");
  EXPECT_EQ(names[9], "T9");
  EXPECT_EQ(used.count(0), 0u) << "an access without a tid gets a lane of its own";
  bool depositor = false;
  for (auto& [tid, name] : names) depositor |= name == "Depositor" && used.count(tid);
  EXPECT_TRUE(depositor);
}

// A recording of several processes: each process is a Perfetto process of its own, named
// with its pid, and each thread's slices go to its process.
TEST(ChromeTrace, EachProcessOfARecordingIsAProcess) {
  Report r = RaceReport();
  r.pids = {41, 42};
  r.findings[0].accesses[0].tid = 2;
  r.findings[0].accesses[1].tid = (1u << 24) | 1;
  r.spans = {{2, "accounts_mu", "hold", 250, 300},
             {(1u << 24) | 1, "accounts_mu", "hold", 310, 320}};
  json t = reports::ToChromeTrace({{"race", r}});
  std::map<int, std::string> processes;
  std::map<int, std::set<int>> tids_of;
  for (auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name") processes[e["pid"]] = e["args"]["name"];
    if (e["ph"] == "X") tids_of[e["pid"].get<int>()].insert(e["tid"].get<int>());
  }
  EXPECT_EQ(processes, (std::map<int, std::string>{{1000, "race pid 41"}, {1001, "race pid 42"}}));
  EXPECT_EQ(tids_of[1000], std::set<int>{2});
  EXPECT_EQ(tids_of[1001], std::set<int>{(1 << 24) | 1});
}

// The file is written an event at a time, and is the document ToChromeTrace makes, byte for
// byte: several traces, overlapping holds (async slices), findings with their arrows.
TEST(ChromeTrace, TheStreamedFileIsTheDocument) {
  const std::vector<reports::NamedReport> rs = {
      {"bank", LockOrderReport()}, {"deadlock", DeadlockReport()}, {"race", RaceReport()}};
  TempDir dir;
  const std::string path = dir / "trace.json";
  reports::WriteChromeTrace(path, rs);
  const std::string want =
      reports::ToChromeTrace(rs).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  EXPECT_EQ(ReadFile(path), want);
  EXPECT_GT(want.size(), 1000u);
}

}  // namespace
}  // namespace threadlens
