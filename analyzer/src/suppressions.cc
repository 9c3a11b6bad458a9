// Suppressions files: parsing, TSan's template matching, and which findings a kind covers.
#include "threadlens/analyzer/suppressions.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "threadlens/analyzer/error.h"

namespace threadlens {
namespace {

constexpr std::string_view kKinds[] = {"race", "lock-order", "deadlock",  "self-deadlock",
                                       "hang", "misuse",     "contention", "timeout"};
// ThreadSanitizer's suppression types ("deadlock" and "race" are also threadlens kinds).
constexpr std::string_view kTsanTypes[] = {"race_top", "mutex", "thread", "signal",
                                           "called_from_lib"};
// TSan's mutex reports (double lock, bad unlock, destroy of a locked mutex, use of a destroyed
// one) and threadlens's other lock misuse; its thread reports (leaks) and thread misuse.
constexpr std::string_view kMutexMisuse[] = {"unlock-not-held",        "unlock-not-owner",
                                             "destroy-locked",         "read-unlock-write-held",
                                             "lock-destroyed",         "held-at-exit",
                                             "wait-holding-lock",      "cond-mutexes",
                                             "relock-timed"};
constexpr std::string_view kThreadMisuse[] = {"thread-leak", "detach-joined", "double-detach",
                                              "join-detached", "ignores-at-exit"};
constexpr std::string_view kSignalMisuse[] = {"signal-unsafe-call", "signal-errno"};

template <size_t N>
bool In(std::string_view s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
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

bool KindCovers(std::string_view kind, const Finding& f) {
  if (kind == "*" || kind == "called_from_lib") return true;
  if (kind == "race_top") return f.kind == "race";
  if (kind == "deadlock") return f.kind == "deadlock" || f.kind == "lock-order";
  if (kind == "mutex") {
    return f.kind == "self-deadlock" || (f.kind == "misuse" && In(f.subkind, kMutexMisuse));
  }
  if (kind == "thread") return f.kind == "misuse" && In(f.subkind, kThreadMisuse);
  if (kind == "signal") return f.kind == "misuse" && In(f.subkind, kSignalMisuse);
  return kind == f.kind;
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
    if (kind != "*" && kind != "fingerprint" && !In(kind, kKinds) && !In(kind, kTsanTypes)) {
      throw Error(origin + ":" + std::to_string(n) + ": unknown kind '" + kind +
                  "' (race, lock-order, deadlock, self-deadlock, hang, timeout, misuse, "
                  "contention, fingerprint or *; or ThreadSanitizer's race_top, mutex, thread, "
                  "signal, called_from_lib)");
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

void Suppressions::Append(const Suppressions& more) {
  rules_.insert(rules_.end(), more.rules_.begin(), more.rules_.end());
}

const Suppression* Suppressions::Match(const Finding& f) const {
  for (const Suppression& rule : rules_) {
    bool hit = false;
    auto m = [&](const std::string& s) { return !s.empty() && TemplateMatch(rule.pattern, s); };
    auto frame = [&](const Frame& fr) { return m(fr.function) || m(fr.file) || m(fr.module); };
    if (rule.kind == "fingerprint") {
      hit = f.fingerprint == rule.pattern;
    } else if (!KindCovers(rule.kind, f)) {
      continue;
    } else if (rule.kind == "race_top") {
      for (const Access& a : f.accesses) hit = hit || (!a.stack.empty() && frame(a.stack[0]));
    } else if (rule.kind == "called_from_lib") {
      auto in_lib = [&](const Access& a) {
        return std::any_of(a.stack.begin(), a.stack.end(),
                           [&](const Frame& fr) { return m(fr.module); });
      };
      for (const Access& a : f.accesses) hit = hit || in_lib(a);
    } else {
      auto frames = [&](const Access& a) {
        return std::any_of(a.stack.begin(), a.stack.end(), frame) || m(a.object);
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

}  // namespace threadlens
