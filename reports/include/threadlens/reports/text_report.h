// The terminal report: per finding a headline, every side with its site, its stack (the
// program's own frames, library frames folded) and held locks, lockdep's "possible unsafe
// locking scenario" columns for cycles, and a closing SUMMARY line with counts by kind.
// Used by `analyze`, `check` and the JUnit bodies.
#pragma once

#include <string>

#include "threadlens/analyzer/findings.h"

namespace threadlens::reports {

struct TextOptions {
  bool color = false;        // ANSI colors for a terminal
  size_t max_frames = 12;    // lines per stack (a folded run of library frames is one)
  bool contention = true;    // include contention notes
  // Fold each run of library frames (std::mutex::lock, std::thread's invokers, libc) into
  // one line such as "... 3 frames in the C++ standard library", when the stack has frames
  // of the program's own to show.
  bool fold_library_frames = true;
};

// The whole report, ending with the SUMMARY line.
std::string RenderText(const Report& report, const TextOptions& options = {});

// One finding (headline, sides, scenario), as in RenderText. `report` gives context only.
std::string FindingText(const Finding& finding, const Report& report,
                        const TextOptions& options = {});

// "SUMMARY: 1 race, 1 lock-order, 0 deadlock, ... (2 errors, 0 warnings, 1 note)".
std::string SummaryLine(const Report& report);

}  // namespace threadlens::reports
