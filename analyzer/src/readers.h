// The concrete trace readers behind OpenTrace().
#pragma once

#include <memory>
#include <string>

#include "threadlens/analyzer/event_source.h"

namespace threadlens {

// Binary trace format v1 (trace_format.h): k-way merge of the per-thread blocks by sequence
// number, streaming, memory bounded by threads x block size.
std::unique_ptr<EventSource> OpenBinaryTrace(const std::string& path);

// RAPID STD text, plain or in the SPD dialect (req/wait/notify, numeric fork targets).
std::unique_ptr<EventSource> OpenStdTrace(const std::string& path);

}  // namespace threadlens
