// Chrome trace event JSON (opens in ui.perfetto.dev and chrome://tracing): one process per
// trace, a lane per thread with lock hold and wait slices, thread names, markers for the
// findings' accesses and flow arrows along deadlock cycles and between racing accesses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

nlohmann::json ToChromeTrace(const std::vector<NamedReport>& reports);
// Writes ToChromeTrace to `path`. Throws Error when the file cannot be written.
void WriteChromeTrace(const std::string& path, const std::vector<NamedReport>& reports);

}  // namespace threadlens::reports
