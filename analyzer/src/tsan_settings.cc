// The program's ThreadSanitizer settings, as the tracer recorded them (docs/suppressions.md,
// "ThreadSanitizer's settings"), applied to a report as TSan applies them to its own: the
// suppressions (__tsan_default_suppressions, the file TSAN_OPTIONS names) and the report_*
// and detect_deadlocks flags. What they leave out is counted in a note.
#include "tsan_settings.h"

#include <algorithm>
#include <map>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/suppressions.h"

namespace threadlens {
namespace {

// A TSan flag that turns a class of reports off when false.
struct Switch {
  const char* flag;
  bool (*covers)(const Finding&);
};

bool Misuse(const Finding& f, std::initializer_list<std::string_view> subkinds) {
  return f.kind == "misuse" &&
         std::find(subkinds.begin(), subkinds.end(), f.subkind) != subkinds.end();
}

const Switch kSwitches[] = {
    {"report_bugs", [](const Finding&) { return true; }},
    {"report_thread_leaks", [](const Finding& f) { return Misuse(f, {"thread-leak"}); }},
    {"report_destroy_locked", [](const Finding& f) { return Misuse(f, {"destroy-locked"}); }},
    {"report_mutex_bugs",
     [](const Finding& f) {
       return f.kind == "self-deadlock" ||
              Misuse(f, {"unlock-not-held", "unlock-not-owner", "read-unlock-write-held",
                         "lock-destroyed", "relock-timed"});
     }},
    {"report_signal_unsafe",
     [](const Finding& f) { return Misuse(f, {"signal-unsafe-call", "signal-errno"}); }},
    {"detect_deadlocks", [](const Finding& f) { return f.kind == "lock-order"; }},
};

// TSan's flag syntax: name=value pairs separated by blanks, commas or colons; a value may be
// quoted with ' or ". Later pairs override earlier ones.
void ParseFlags(std::string_view s, std::map<std::string, std::string>& out) {
  auto sep = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ':'; };
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && sep(s[i])) ++i;
    const size_t name = i;
    while (i < s.size() && s[i] != '=' && !sep(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') continue;
    const std::string key(s.substr(name, i - name));
    ++i;
    const char quote = i < s.size() && (s[i] == '\'' || s[i] == '"') ? s[i++] : 0;
    const size_t value = i;
    while (i < s.size() && (quote ? s[i] != quote : !sep(s[i]))) ++i;
    out[key] = std::string(s.substr(value, i - value));
    if (quote && i < s.size()) ++i;
  }
}

bool False(const std::string& v) { return v == "0" || v == "false" || v == "no"; }

}  // namespace

void ApplyTsanSettings(const TraceMeta& meta, Report& report) {
  std::map<std::string, std::string> flags;
  Suppressions rules;
  std::string file;
  std::vector<std::string> sources;
  for (const auto& [key, value] : meta.settings) {
    if (key == "__tsan_default_options" || key == "TSAN_OPTIONS") {
      ParseFlags(value, flags);
      sources.push_back(key);
    } else if (key == "__tsan_default_suppressions") {
      rules.Append(Suppressions::Parse(value, "the program's __tsan_default_suppressions()"));
      sources.push_back(key);
    } else if (key == "suppressions_file") {
      file = value;
    } else if (key == "suppressions_error") {
      throw Error("the program's ThreadSanitizer settings name the suppressions file " + file +
                  ", which could not be read when it started (" + value +
                  "); fix TSAN_OPTIONS, or analyze with --no-tsan-settings");
    } else if (key == "suppressions") {
      rules.Append(Suppressions::Parse(value, file));
      sources.push_back("suppressions file " + file);
    }
  }
  std::vector<const Switch*> off;
  for (const Switch& s : kSwitches) {
    if (auto it = flags.find(s.flag); it != flags.end() && False(it->second)) off.push_back(&s);
  }
  if (off.empty() && rules.empty()) return;

  std::map<std::string, size_t> removed;  // "race:Thread1" / "report_thread_leaks=0" -> count
  size_t total = 0;
  std::erase_if(report.findings, [&](const Finding& f) {
    std::string why;
    if (const Suppression* rule = rules.Match(f)) {
      why = rule->kind + ":" + rule->pattern;
    } else {
      for (const Switch* s : off) {
        if (s->covers(f)) {
          why = std::string(s->flag) + "=" + flags[s->flag];
          break;
        }
      }
    }
    if (why.empty()) return false;
    ++removed[why];
    ++total;
    return true;
  });
  if (total == 0) return;
  report.tsan_settings_removed += total;
  std::string note = std::to_string(total) + (total == 1 ? " finding" : " findings") +
                     " left out by the program's ThreadSanitizer settings (";
  for (size_t i = 0; i < sources.size(); ++i) note += (i ? ", " : "") + sources[i];
  note += "):";
  for (const auto& [why, n] : removed) note += " " + why + " (" + std::to_string(n) + ")";
  note += "; --no-tsan-settings shows them";
  report.notes.push_back(note);
}

}  // namespace threadlens
