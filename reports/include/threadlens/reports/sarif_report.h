// SARIF 2.1.0 output for code-scanning services: one rule per finding kind, one result per
// finding with its location, a fingerprint, and codeFlows with one threadFlow per thread so
// the interleaving can be stepped through.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

struct SarifOptions {
  // Source file paths under this folder become URIs relative to it (uriBaseId SRCROOT).
  std::string source_root;
  std::string tool_version = "0.1.0";
  bool include_contention = false;  // contention is a profile, not a bug
};

// One run holding the results of every report (code scanning wants one run per tool).
nlohmann::json ToSarif(const std::vector<NamedReport>& reports, const SarifOptions& options = {});
// Writes ToSarif to `path`. Throws Error when the file cannot be written.
void WriteSarif(const std::string& path, const std::vector<NamedReport>& reports,
                const SarifOptions& options = {});

}  // namespace threadlens::reports
