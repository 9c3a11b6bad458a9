// The terminal report: per finding a headline, every side with its site, stack and held
// locks, lockdep's "possible unsafe locking scenario" columns for cycles, and a closing
// SUMMARY line with counts by kind. Used by `analyze`, `check` and the JUnit bodies.
#pragma once

#include <string>

#include "threadlens/analyzer/findings.h"

namespace threadlens::reports {

struct TextOptions {
  bool color = false;        // ANSI colors for a terminal
  size_t max_frames = 12;    // frames per stack
  bool contention = true;    // include contention notes
};

// The whole report, ending with the SUMMARY line.
std::string RenderText(const Report& report, const TextOptions& options = {});

// One finding (headline, sides, scenario), as in RenderText. `report` gives context only.
std::string FindingText(const Finding& finding, const Report& report,
                        const TextOptions& options = {});

// "SUMMARY: 1 race, 1 lock-order, 0 deadlock, ... (2 errors, 0 warnings, 1 note)".
std::string SummaryLine(const Report& report);

}  // namespace threadlens::reports
