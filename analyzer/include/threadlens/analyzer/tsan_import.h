// Import of ThreadSanitizer's text reports (what a program built with clang's real
// -fsanitize=thread prints) into the findings model, so `threadlens tsan` output goes
// through the same renderers and the same CI gate as `threadlens analyze`.
//
// Recognized reports: data race (also on vptr), heap-use-after-free, lock-order-inversion,
// thread leak, unlock of an unlocked mutex, double lock, destroy of a locked mutex, read
// lock/unlock misuse, invalid mutex use, signal-unsafe call and errno spoiling in signal
// handlers. Anything else becomes a finding of kind "tsan" with TSan's headline.
#pragma once

#include <string>
#include <string_view>

#include "threadlens/analyzer/findings.h"

namespace threadlens {

// Parses every `WARNING: ThreadSanitizer: ...` block in `text` (report blocks interleaved
// with the program's own output are fine). Never throws on odd text: what it cannot read
// it skips, and a block it cannot make sense of still yields a finding with the headline.
// Report::program is set to `program`; Report::warnings says how many reports TSan itself
// counted when its closing line is present and the numbers differ.
Report ImportTsanReports(std::string_view text, const std::string& program = "");

// The TSAN_OPTIONS `threadlens tsan` runs a program with, plus `log_path` when given:
// keep running after a report, report thread leaks and both stacks of a lock-order edge.
std::string TsanOptions(const std::string& log_path, const std::string& user_options);

}  // namespace threadlens
