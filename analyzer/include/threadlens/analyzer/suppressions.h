// Suppressions: `kind:pattern` lines that take findings out of a report. The kinds are
// threadlens's finding kinds and ThreadSanitizer's suppression types, so a TSan
// suppressions file works as it is. Format and matching: docs/suppressions.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "threadlens/analyzer/findings.h"

namespace threadlens {

// One `kind:pattern` line. `kind` is a finding kind, a TSan suppression type, "*" for any,
// or "fingerprint".
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

  // The first rule matching `f`, or nullptr. A rule matches when its kind covers the
  // finding's and its pattern matches a function, file or module of any frame, a lock,
  // variable or thread name (race_top: the innermost frame of each side; called_from_lib:
  // the module of any frame).
  const Suppression* Match(const Finding& f) const;
  const std::vector<Suppression>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }
  void Append(const Suppressions& more);

 private:
  std::vector<Suppression> rules_;
};

// TSan's template matching: `*` wildcards, optional leading `^` and trailing `$` anchors,
// unanchored ends match anywhere.
bool TemplateMatch(std::string_view pattern, std::string_view text);

// Whether a rule of `kind` covers finding `f`'s kind: threadlens's kinds as they are ("*" all),
// TSan's types as TSan reports them (race, race_top, deadlock: lock-order cycles and
// deadlocks, mutex: lock misuse and double locks, thread: thread leaks and join/detach misuse,
// signal: signal-handler findings, called_from_lib: any).
bool KindCovers(std::string_view kind, const Finding& f);

}  // namespace threadlens
