// Fibers in the trace (docs/instrumentation.md#fibers): what the records say beyond the
// findings the programs' CHECK lines test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "instrument_run.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/trace_format.h"

namespace {

using instrument_test::ReadFile;
using instrument_test::RunTo;
using threadlens::trace::EventKind;

// Main returns from main while it runs a fiber: the process's end is main's own thread's,
// after a switch back that orders the fiber's records before it; the fiber ends nothing.
TEST(Fibers, TheThreadThatEndsTheProcessEndsAsItself) {
  char dir_template[] = "/tmp/threadlens-instrument-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string trace = dir + "/t.tltrace", log = dir + "/t.log";
  const int status = RunTo({THREADLENS_CLI, "run", "--trace", trace, "--",
                            std::string(THREADLENS_INSTRUMENT_BIN_DIR) +
                                "/instrument_clean_main_ends_inside_a_fiber"},
                           log);
  EXPECT_EQ(status, 0) << ReadFile(log);
  auto source = threadlens::OpenTrace(trace);
  threadlens::StreamEvent e;
  uint32_t main_tid = 0, fiber_tid = 0, process_end_tid = 0, fiber_exits = 0;
  bool switched_back = false;  // the fiber released on main's fiber, main acquired it
  uint64_t released_on = 0;
  while (source->Next(e)) {
    if (!main_tid && e.kind() == EventKind::kThreadStart) main_tid = e.tid;
    if (e.kind() == EventKind::kThreadDetach && e.tid == main_tid) {
      fiber_tid = static_cast<uint32_t>(e.ev.obj);  // a fiber is created detached, the worker not
    }
    if (e.kind() == EventKind::kHappensBefore && e.tid == fiber_tid) released_on = e.ev.obj;
    if (e.kind() == EventKind::kHappensAfter && e.tid == main_tid && released_on &&
        e.ev.obj == released_on) {
      switched_back = true;
    }
    if (e.kind() == EventKind::kThreadExit) {
      if (e.ev.flags & threadlens::trace::kProcessEnded) process_end_tid = e.tid;
      if (e.tid == fiber_tid) ++fiber_exits;
    }
  }
  EXPECT_NE(fiber_tid, 0u);
  EXPECT_NE(fiber_tid, main_tid);
  EXPECT_EQ(process_end_tid, main_tid);
  EXPECT_EQ(fiber_exits, 0u);
  EXPECT_TRUE(switched_back);
  std::remove(trace.c_str());
  std::remove(log.c_str());
  rmdir(dir.c_str());
}

}  // namespace
