// The CI gate behind `threadlens check`: which findings fail, after a baseline (an earlier
// JSON report: known fingerprints pass) and a suppressions file (TSan-style `kind:pattern`
// lines) took theirs out. Format of the suppressions file: docs/suppressions.md.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "threadlens/analyzer/suppressions.h"
#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

using threadlens::Suppression;
using threadlens::Suppressions;
using threadlens::TemplateMatch;

// Every fingerprint in a JSON file: a findings report, an array or {"reports": [...]} of
// them, or SARIF (partialFingerprints). Throws Error(kExitBadInput) on a missing/bad file.
std::set<std::string> LoadBaseline(const std::string& path);

// "race,deadlock" / "error" / "warning" / "all" / "none" -> the set; throws on unknown words.
std::set<std::string> ParseFailOn(const std::string& csv);

struct GateOptions {
  std::set<std::string> fail_on = {"error"};  // kinds and/or severities, "all", "none"
  std::set<std::string> baseline;             // fingerprints that pass
  Suppressions suppressions;
  // Predictions (lock-order cycles) fail only when `threadlens confirm` made them happen;
  // what happened in the run (races, deadlocks, hangs, misuse) fails as usual.
  bool require_confirmed = false;
};

enum class Verdict { kFails, kPasses, kBaselined, kSuppressed };

struct GateResult {
  // verdicts[i][j]: report i, finding j.
  std::vector<std::vector<Verdict>> verdicts;
  size_t failing = 0, passing = 0, baselined = 0, suppressed = 0;
  bool fails() const { return failing > 0; }
};

GateResult EvaluateGate(const std::vector<NamedReport>& reports, const GateOptions& options);

// The reports with only the findings of one verdict kept (for printing what failed).
std::vector<NamedReport> Filter(const std::vector<NamedReport>& reports, const GateResult& result,
                                Verdict keep);

}  // namespace threadlens::reports
