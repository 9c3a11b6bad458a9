// Running a program under the tracer, as `threadlens run` and `threadlens scenarios run` do:
// find the runtime library, preload it with the trace path and watchdog delay in the
// program's environment, fork and exec, and wait, with an optional time limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace threadlens::cli {

// Path of libthreadlens_preload.so: $THREADLENS_PRELOAD, then beside this binary (build
// tree: cli/ and tracer/ are siblings; install: bin/ and lib/), then the configured
// folders. Throws Error (exit code 3) when there is none, and Error when
// $THREADLENS_PRELOAD names a missing file.
std::string FindPreload();

struct TracedRun {
  std::string program;            // path to execute (not searched on PATH)
  std::vector<std::string> args;  // argv, argv[0] included; empty: just `program`
  std::string preload;            // from FindPreload()
  std::string trace;              // THREADLENS_TRACE
  double watchdog = 2;            // THREADLENS_WATCHDOG, seconds; 0 = off
  // THREADLENS_TIMEOUT, seconds: the runtime writes every thread's state and ends the
  // program (exit 87) after this long; 0 = no limit. `timeout` below is the hard backstop.
  double time_limit = 0;
  uint64_t max_trace_size = 0;    // THREADLENS_MAX_TRACE_SIZE, bytes per trace; 0 = no cap
  // THREADLENS_COMPRESS: event blocks compressed with zstd once the trace passes 256 MiB
  // (auto), always, or never.
  enum class Compress { kAuto, kAlways, kNever } compress = Compress::kAuto;
  std::string schedule;           // THREADLENS_SCHEDULE (pct:SEED:DEPTH:STEPS); "": off
  std::string output;             // file for stdout and stderr; "": inherited
  // Seconds after which the program and its process group are killed; 0 = no limit.
  // With a limit the program runs in a process group of its own, so the whole group can
  // be killed. Without one it stays in the caller's (a terminal's Ctrl-C reaches it and
  // the program decides), and the caller ignores SIGINT and SIGQUIT until it ends.
  double timeout = 0;
};

struct TracedExit {
  int status = -1;         // exit status, or 128 + signal
  int signal = 0;          // the signal that ended it, 0 when it exited
  bool timed_out = false;  // killed because `timeout` ran out (then signal is SIGKILL)
  double seconds = 0;      // wall time from fork to the end
};

// Starts `run.program` with the runtime preloaded and waits for it. When exec fails, the
// child says so on its stderr and exits 127. Throws Error when fork fails.
// SIGTERM, SIGHUP, SIGINT and SIGQUIT sent to this process (by kill, not by the terminal,
// which signals the whole group) are passed on to the program; should this process die
// anyway, the program gets SIGTERM (PR_SET_PDEATHSIG) rather than run on orphaned.
TracedExit RunTraced(const TracedRun& run);

// THREADLENS_SCHEDULE's value for a PCT run (tracer/src/schedule.h).
std::string PctSchedule(uint64_t seed, int depth, uint64_t steps);

}  // namespace threadlens::cli
