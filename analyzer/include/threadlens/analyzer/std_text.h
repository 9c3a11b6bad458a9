// RAPID's STD text trace format (`T1|acq(L1)|42`), plain and in the SPD dialect (req, wait,
// notify, numeric fork/join targets): import as an EventSource, export from any EventSource.
// The mapping to trace events is documented in docs/findings.md ("STD traces").
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "threadlens/analyzer/event_source.h"

namespace threadlens {

// Parses STD text held in memory (tests, small inputs). `name` stands for the file name in
// sites and messages. Errors (exit 2) name the line.
std::unique_ptr<EventSource> ParseStdText(std::string text, const std::string& name);

struct StdWriteStats {
  uint64_t lines = 0;    // lines written
  uint64_t dropped = 0;  // events with no STD form (atomics, semaphores, names...)
};

// Writes every event of `source` that has an STD form, in the SPD dialect (req/wait/notify
// are kept; plain RAPID tools ignore nothing, so pass `plain` to drop them).
StdWriteStats WriteStdTrace(EventSource& source, std::ostream& out, bool plain = false);

// True when the file's first bytes look like STD text (used by `convert` to pick a direction).
bool LooksLikeStdText(const std::string& path);

}  // namespace threadlens
