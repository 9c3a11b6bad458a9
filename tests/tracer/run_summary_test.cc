// The line `threadlens run` prints at the end counts a cleanly closed trace from its block
// index and end record (CountClosedTrace), without reading it back: the counts must be a
// full read's, and any trace they cannot be sure of is read whole.
#include <fstream>
#include <set>

#include "threadlens/analyzer/trace_writer.h"
#include "traced_run.h"

namespace threadlens {
namespace {

using namespace tracer_test;

struct FullCounts {
  uint64_t events = 0;
  size_t threads = 0, locks = 0;
};

FullCounts CountByReading(const Traced& r) {
  std::set<uint32_t> threads;
  std::set<uint64_t> locks;
  for (const StreamEvent& se : r.events) {
    if (se.tid != 0) threads.insert(se.tid);
    if (trace::NamesLock(se.kind())) locks.insert(se.ev.obj);
  }
  return {r.events.size(), threads.size(), locks.size()};
}

TEST(RunSummary, CountsFromTheIndexAreAFullReadsCounts) {
  // Contended and try locks, rwlocks, spin locks, condition waits (the relock), a mutex
  // destroyed and initialised again at one address, 200 locks held at once, C++ primitives,
  // many threads.
  for (const char* program : {"mutex_contended", "trylock_spin", "rwlock_ops", "spin_ops",
                              "cond_ops", "lock_destroyed reinit", "hold_many", "many_locks",
                              "std_primitives", "many_threads", "annotated"}) {
    SCOPED_TRACE(program);
    Traced r = RunTraced(program);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(r.src->Meta().forked);
    const std::optional<TraceCounts> c = CountClosedTrace(r.trace);
    ASSERT_TRUE(c.has_value());
    const FullCounts want = CountByReading(r);
    EXPECT_EQ(c->events, want.events);
    EXPECT_EQ(c->threads, want.threads);
    EXPECT_EQ(c->locks, want.locks);
    EXPECT_GT(c->events, 0u);
    // And the line says the same.
    EXPECT_NE(r.err.find(std::to_string(want.threads) + " threads, " + std::to_string(want.locks) +
                         " locks, " + std::to_string(want.events) + " events"),
              std::string::npos)
        << r.err;
  }
}

TEST(RunSummary, ATraceTheWatchdogEndedIsReadWhole) {
  Traced r = RunTraced("deadlock_abba");
  EXPECT_FALSE(CountClosedTrace(r.trace).has_value());
  EXPECT_NE(r.err.find("watchdog fired (deadlock)"), std::string::npos) << r.err;
}

TEST(RunSummary, AProcessThatForkedIsReadWhole) {
  // Its children's traces, or the warning that one is missing, come from its events.
  Traced r = RunTraced("forks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().forked);
  EXPECT_FALSE(CountClosedTrace(r.trace).has_value());
  // The child's own trace starts unforked.
  int children = 0;
  const std::string prefix = fs::path(r.trace).filename().string() + ".";
  for (const auto& e : fs::directory_iterator(fs::path(r.trace).parent_path())) {
    if (e.path().filename().string().rfind(prefix, 0) != 0) continue;
    ++children;
    EXPECT_FALSE(OpenTrace(e.path().string())->Meta().forked) << e.path();
  }
  EXPECT_EQ(children, 1);
}

TEST(RunSummary, ATraceCutShortIsReadWhole) {
  Traced r = RunTraced("mutex_contended");
  ASSERT_TRUE(CountClosedTrace(r.trace).has_value());
  // The same file without its last bytes (the end record): not closed cleanly any more.
  const std::string cut = r.trace + ".cut";
  {
    std::ifstream in(r.trace, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() - 30);
    std::ofstream(cut, std::ios::binary) << bytes;
  }
  EXPECT_FALSE(CountClosedTrace(cut).has_value());
}

TEST(RunSummary, ATraceWhoseWriterDoesNotCountLocksIsReadWhole) {
  // The offline writer (convert) closes traces cleanly but counts no locks.
  fs::create_directories(TL_TMP_DIR);
  const std::string path = std::string(TL_TMP_DIR) + "/uncounted.tltrace";
  {
    TraceWriter w(path);
    trace::Event e{};
    e.kind = static_cast<uint8_t>(trace::EventKind::kLockAcquired);
    e.obj = 0x10;
    e.seq = 1;
    w.Add(1, e);
    w.Close();
  }
  EXPECT_FALSE(CountClosedTrace(path).has_value());
  EXPECT_FALSE(CountClosedTrace(std::string(TL_TMP_DIR) + "/no-such.tltrace").has_value());
}

}  // namespace
}  // namespace threadlens
