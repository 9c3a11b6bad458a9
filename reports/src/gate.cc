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

// Glob with '*' only; both ends anchored (the caller adds '*' for unanchored ends).
bool Glob(std::string_view p, std::string_view t) {
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi, ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
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

bool TemplateMatch(std::string_view pattern, std::string_view text) {
  std::string p(pattern);
  bool start = !p.empty() && p.front() == '^';
  if (start) p.erase(0, 1);
  bool end = !p.empty() && p.back() == '$';
  if (end) p.pop_back();
  if (!start) p.insert(0, "*");
  if (!end) p += "*";
  return Glob(p, text);
}

Suppressions Suppressions::Parse(std::string_view text, const std::string& origin) {
  Suppressions s;
  std::istringstream in{std::string(text)};
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    // '#' starts a comment at the start of a line or after a blank (names never hold " #").
    size_t hash = raw.find('#');
    while (hash != std::string::npos && hash > 0 && raw[hash - 1] != ' ' && raw[hash - 1] != '\t') {
      hash = raw.find('#', hash + 1);
    }
    std::string line = Trim(std::string_view(raw).substr(0, hash));
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      throw Error(origin + ":" + std::to_string(n) +
                  ": expected KIND:PATTERN, e.g. race:Counter::add");
    }
    std::string kind = Trim(std::string_view(line).substr(0, colon));
    std::string pattern = Trim(std::string_view(line).substr(colon + 1));
    if (kind != "*" && kind != "fingerprint" && !IsKind(kind)) {
      throw Error(origin + ":" + std::to_string(n) + ": unknown kind '" + kind +
                  "' (race, lock-order, deadlock, self-deadlock, hang, misuse, contention, "
                  "fingerprint or *)");
    }
    if (pattern.empty()) throw Error(origin + ":" + std::to_string(n) + ": empty pattern");
    s.rules_.push_back({kind, pattern, n, 0});
  }
  return s;
}

Suppressions Suppressions::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read suppressions file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path);
}

const Suppression* Suppressions::Match(const Finding& f) const {
  for (const Suppression& rule : rules_) {
    bool hit = false;
    if (rule.kind == "fingerprint") {
      hit = f.fingerprint == rule.pattern;
    } else if (rule.kind == "*" || rule.kind == f.kind) {
      auto m = [&](const std::string& s) { return !s.empty() && TemplateMatch(rule.pattern, s); };
      auto frames = [&](const Access& a) {
        for (const Frame& fr : a.stack) {
          if (m(fr.function) || m(fr.file) || m(fr.module)) return true;
        }
        return m(a.object);
      };
      for (auto& v : f.variables) hit = hit || m(v);
      for (auto& l : f.locks) hit = hit || m(l);
      for (auto& t : f.threads) hit = hit || m(t);
      for (auto& a : f.accesses) hit = hit || frames(a);
      for (auto& e : f.cycle) {
        hit = hit || m(e.from) || m(e.to) || frames(e.from_site) || frames(e.to_site);
      }
    }
    if (hit) {
      ++rule.hits;
      return &rule;
    }
  }
  return nullptr;
}

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
