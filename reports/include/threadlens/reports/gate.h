// The CI gate behind `threadlens check`: which findings fail, after a baseline (an earlier
// JSON report: known fingerprints pass) and a suppressions file (TSan-style `kind:pattern`
// lines) took theirs out. Format of the suppressions file: docs/suppressions.md.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

// One `kind:pattern` line. `kind` is a finding kind, "*" for any, or "fingerprint".
struct Suppression {
  std::string kind;
  std::string pattern;  // '*' matches any run of characters; '^'/'$' anchor; else substring
  int line = 0;
  mutable size_t hits = 0;
};

class Suppressions {
 public:
  // Throws Error(kExitBadInput) naming `origin` and the line for a malformed line.
  static Suppressions Parse(std::string_view text, const std::string& origin = "suppressions");
  static Suppressions Load(const std::string& path);

  // The first rule matching `f`, or nullptr. A rule matches when its kind does and its
  // pattern matches a function, file or module of any frame, a lock, variable or thread name.
  const Suppression* Match(const Finding& f) const;
  const std::vector<Suppression>& rules() const { return rules_; }

 private:
  std::vector<Suppression> rules_;
};

// TSan's template matching: `*` wildcards, optional leading `^` and trailing `$` anchors,
// unanchored ends match anywhere.
bool TemplateMatch(std::string_view pattern, std::string_view text);

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
