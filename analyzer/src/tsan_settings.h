// Applies the ThreadSanitizer settings a trace recorded (TraceMeta::settings) to its report.
#pragma once

#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {

// Removes the findings the program's TSan suppressions and report_* / detect_deadlocks flags
// turn off, and says how many in a note. Throws Error when the recorded suppressions file
// could not be read or does not parse (TSan stops the program then).
void ApplyTsanSettings(const TraceMeta& meta, Report& report);

}  // namespace threadlens
