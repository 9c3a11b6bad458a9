// The findings model as JSON (schema "threadlens.findings/2", documented in docs/findings.md),
// both ways: `analyze --format json` and reports write it, the CI gate reads baselines back.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "threadlens/analyzer/findings.h"

namespace threadlens {

// With `timeline`, the lock spans too ("spans": up to 100 000 of them, most of the size of a
// large trace's report); without, the findings and what they name.
nlohmann::json ToJsonValue(const Report& report, bool timeline = false);
nlohmann::json ToJsonValue(const Finding& finding);
// `indent` < 0 writes one line.
std::string ToJson(const Report& report, int indent = 2, bool timeline = false);

// Parses a report written by ToJson. Unknown fields are ignored (newer minor versions);
// a different schema major or malformed JSON throws Error (exit 2) naming `what`.
Report ReportFromJson(std::string_view text, const std::string& what = "findings JSON");
Report ReportFromJsonValue(const nlohmann::json& j, const std::string& what = "findings JSON");
Finding FindingFromJsonValue(const nlohmann::json& j);

// Counts of findings by kind, as printed on the SUMMARY line and in the JSON "summary".
std::vector<std::pair<std::string, size_t>> CountByKind(const Report& report);

}  // namespace threadlens
