// Suppressions, baselines and the pass/fail decision of `threadlens check`.
#include "threadlens/reports/gate.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "threadlens/analyzer/error.h"

namespace threadlens::reports {
namespace {

constexpr const char* kKinds[] = {"race", "lock-order", "deadlock",  "self-deadlock",
                                  "hang", "misuse",     "contention"};

bool IsKind(std::string_view s) {
  for (const char* k : kKinds) {
    if (s == k) return true;
  }
  return false;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

void CollectFingerprints(const nlohmann::json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if ((it.key() == "fingerprint" || it.key() == "primaryLocationLineHash") && it->is_string()) {
        out.insert(it->get<std::string>());
      } else {
        CollectFingerprints(*it, out);
      }
    }
  } else if (j.is_array()) {
    for (auto& e : j) CollectFingerprints(e, out);
  }
}

}  // namespace

std::set<std::string> LoadBaseline(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read baseline " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error("baseline " + path + " is not JSON: " + e.what());
  }
  std::set<std::string> out;
  CollectFingerprints(j, out);
  return out;
}

std::set<std::string> ParseFailOn(const std::string& csv) {
  std::set<std::string> out;
  std::stringstream ss(csv);
  std::string w;
  while (std::getline(ss, w, ',')) {
    w = Trim(w);
    if (w.empty()) continue;
    if (w == "any") w = "all";
    if (!(IsKind(w) || w == "error" || w == "warning" || w == "note" || w == "all" ||
          w == "none")) {
      throw Error("--fail-on: unknown '" + w +
                  "': use finding kinds (race, lock-order, deadlock, self-deadlock, hang, misuse, "
                  "contention), severities (error, warning, note), all or none");
    }
    out.insert(w);
  }
  if (out.empty()) throw Error("--fail-on: give at least one kind or severity");
  return out;
}

GateResult EvaluateGate(const std::vector<NamedReport>& reports, const GateOptions& options) {
  GateResult result;
  auto selected = [&](const Finding& f) {
    if (options.fail_on.count("none")) return false;
    // What did not happen in the run (a lock-order cycle, a predicted race) needs a
    // confirming run to fail the gate.
    if (options.require_confirmed && (f.kind == "lock-order" || f.predicted == true) &&
        f.confirmed != true) {
      return false;
    }
    return options.fail_on.count("all") || options.fail_on.count(f.kind) ||
           options.fail_on.count(SeverityName(f.severity));
  };
  for (const NamedReport& nr : reports) {
    auto& v = result.verdicts.emplace_back();
    for (const Finding& f : nr.report.findings) {
      Verdict verdict;
      if (options.suppressions.Match(f))
        verdict = Verdict::kSuppressed, ++result.suppressed;
      else if (!f.fingerprint.empty() && options.baseline.count(f.fingerprint))
        verdict = Verdict::kBaselined, ++result.baselined;
      else if (selected(f))
        verdict = Verdict::kFails, ++result.failing;
      else
        verdict = Verdict::kPasses, ++result.passing;
      v.push_back(verdict);
    }
  }
  return result;
}

std::vector<NamedReport> Filter(const std::vector<NamedReport>& reports, const GateResult& result,
                                Verdict keep) {
  std::vector<NamedReport> out;
  for (size_t i = 0; i < reports.size(); ++i) {
    NamedReport nr{reports[i].name, reports[i].report};
    nr.report.findings.clear();
    for (size_t j = 0; j < reports[i].report.findings.size(); ++j) {
      if (result.verdicts[i][j] == keep)
        nr.report.findings.push_back(reports[i].report.findings[j]);
    }
    out.push_back(std::move(nr));
  }
  return out;
}

}  // namespace threadlens::reports
