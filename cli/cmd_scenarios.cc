// `threadlens scenarios`: lists the scenario catalogue, and runs scenarios under the tracer,
// analyzes each trace, compares the findings with the scenario's expectations, prints a table
// and writes the HTML report (an index and one page per scenario).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings.h"
#include "threadlens/reports/html_report.h"
#include "threadlens/reports/named_report.h"
#include "tracer_launch.h"

namespace threadlens::cli {
namespace {

namespace fs = std::filesystem;

// Exit status of a program the tracer's watchdog ended (docs/trace-format.md).
constexpr int kWatchdogExit = 86;
// Seconds a scenario may run before the runner kills it, whatever its watchdog does.
constexpr double kDefaultTimeout = 20;
// Watchdog delay for scenarios not expected to hang: should one hang anyway, the trace shows
// where, instead of the runner killing it blind.
constexpr double kDefaultWatchdog = 5;

// One `EXPECT:` line: a finding kind and the names it must involve.
struct Expectation {
  std::string kind;
  std::vector<std::string> variables, locks, threads;
  std::string subkind;
  std::string text;  // the line as written, after "EXPECT: "
};

struct Scenario {
  std::string name;
  std::string program;  // path of the built program
  std::string source;   // its source file, for the report's snippets ("" if unknown)
  std::string story;
  std::vector<Expectation> expected;   // empty: clean
  bool expect_hang = false;            // the watchdog is expected to end the run
  double watchdog = kDefaultWatchdog;  // seconds
  double timeout = kDefaultTimeout;
};

std::vector<std::string> SplitList(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "race variables=counter threads=A,B" / "clean".
Expectation ParseExpectation(const std::string& text, const std::string& where) {
  Expectation e;
  e.text = text;
  std::istringstream in(text);
  in >> e.kind;
  for (std::string word; in >> word;) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) throw Error(where + ": expected key=value, got '" + word + "'");
    std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "variables") {
      e.variables = SplitList(value, ',');
    } else if (key == "locks") {
      e.locks = SplitList(value, ',');
    } else if (key == "threads") {
      e.threads = SplitList(value, ',');
    } else if (key == "subkind") {
      e.subkind = value;
    } else {
      throw Error(where + ": unknown key '" + key + "' (variables, locks, threads, subkind)");
    }
  }
  static const std::set<std::string> kKinds = {"clean",         "race", "lock-order", "deadlock",
                                               "self-deadlock", "hang", "misuse"};
  if (!kKinds.count(e.kind)) throw Error(where + ": unknown finding kind '" + e.kind + "'");
  return e;
}

double ParseSeconds(const std::string& value, const std::string& where) {
  char* end = nullptr;
  double seconds = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !(seconds > 0)) {
    throw Error(where + ": expected a number of seconds, got '" + value + "'");
  }
  return seconds;
}

// The catalogue: blocks of `KEY: value` lines, one block per scenario, each opened by
// `SCENARIO: name`. Relative PROGRAM paths are relative to the catalogue's folder.
std::vector<Scenario> LoadCatalogue(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read the scenario catalogue " + path);
  fs::path dir = fs::path(path).parent_path();
  std::vector<Scenario> scenarios;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::string where = path + ":" + std::to_string(line_no);
    size_t colon = line.find(": ");
    if (colon == std::string::npos) throw Error(where + ": expected 'KEY: value'");
    std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "SCENARIO") {
      scenarios.push_back(Scenario{.name = value});
      continue;
    }
    if (scenarios.empty()) throw Error(where + ": " + key + " before the first SCENARIO");
    Scenario& s = scenarios.back();
    if (key == "PROGRAM") {
      s.program = fs::path(value).is_absolute() ? value : (dir / value).string();
    } else if (key == "SOURCE") {
      s.source = value;
    } else if (key == "STORY") {
      s.story = value;
    } else if (key == "EXPECT") {
      Expectation e = ParseExpectation(value, where);
      if (e.kind != "clean") s.expected.push_back(std::move(e));
    } else if (key == "WATCHDOG") {
      s.watchdog = ParseSeconds(value, where);
      s.expect_hang = true;
    } else if (key == "TIMEOUT") {
      s.timeout = ParseSeconds(value, where);
    } else {
      throw Error(where + ": unknown key " + key);
    }
  }
  return scenarios;
}

std::string SelfDir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

// The catalogue beside the built programs: THREADLENS_SCENARIOS, else the build tree next to
// this binary (cli/../scenarios), else the install location (bin/../libexec/...).
std::string FindCatalogue(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("THREADLENS_SCENARIOS"); env && *env) {
    fs::path p(env);
    return fs::is_directory(p) ? (p / "catalogue.txt").string() : p.string();
  }
  fs::path self = SelfDir();
  for (fs::path candidate :
       {self / ".." / "scenarios" / "catalogue.txt",
        self / ".." / "libexec" / "threadlens" / "scenarios" / "catalogue.txt"}) {
    if (fs::exists(candidate)) return fs::weakly_canonical(candidate).string();
  }
  throw Error(
      "cannot find the scenario catalogue: build the scenarios (cmake --build build), or point "
      "--catalogue or THREADLENS_SCENARIOS at catalogue.txt");
}

bool IsProblem(const Finding& f) {
  return f.severity == Severity::kError || f.severity == Severity::kWarning;
}

bool Contains(const std::vector<std::string>& names, const std::string& want) {
  return std::find(names.begin(), names.end(), want) != names.end();
}

// A finding names the variable `want` when one of its variables is `want` itself or a part of
// it ("last_price", "last_price+8", "last_price[3]", "last_price.size").
bool NamesVariable(const Finding& f, const std::string& want) {
  for (const std::string& v : f.variables) {
    if (v == want) return true;
    if (v.size() > want.size() && v.compare(0, want.size(), want) == 0 &&
        std::string("+[. ").find(v[want.size()]) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool Matches(const Expectation& e, const Finding& f) {
  if (e.kind != f.kind) return false;
  if (!e.subkind.empty() && e.subkind != f.subkind) return false;
  for (const std::string& v : e.variables) {
    if (!NamesVariable(f, v)) return false;
  }
  for (const std::string& t : e.threads) {
    if (!Contains(f.threads, t)) return false;
  }
  if (e.kind == "lock-order" || e.kind == "deadlock") {
    // A cycle is exactly its locks: a 2-lock cycle does not pass for the 5-lock one.
    std::set<std::string> want(e.locks.begin(), e.locks.end());
    std::set<std::string> got(f.locks.begin(), f.locks.end());
    if (!e.locks.empty() && want != got) return false;
  } else {
    for (const std::string& l : e.locks) {
      if (!Contains(f.locks, l)) return false;
    }
  }
  return true;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// A variable as the table shows it: the variable, not the byte ("last_price+16" is
// last_price), and a heap block by the function that allocated it ("heap@RunFeed()").
std::string TableName(std::string name) {
  const std::string at = " allocated at ";
  if (name.rfind("heap block of ", 0) == 0 && name.find(at) != std::string::npos) {
    std::string where = name.substr(name.find(at) + at.size());
    const std::string anon = "(anonymous namespace)::";
    if (where.rfind(anon, 0) == 0) where = where.substr(anon.size());
    return "heap@" + where.substr(0, where.find(' '));
  }
  const size_t plus = name.rfind('+');
  if (plus != std::string::npos && plus + 1 < name.size() &&
      name.find_first_not_of("0123456789", plus + 1) == std::string::npos) {
    name.resize(plus);
  }
  return name;
}

// "race(counter)", "lock-order(a_lock,b_lock)", "hang(Consumer)".
std::string Short(const std::string& kind, const std::vector<std::string>& variables,
                  const std::vector<std::string>& locks, const std::vector<std::string>& threads) {
  const std::vector<std::string>& names = !variables.empty() ? variables
                                          : !locks.empty()   ? locks
                                                             : threads;
  std::vector<std::string> shown;
  for (const std::string& n : names) {
    std::string t = &names == &variables ? TableName(n) : n;
    if (std::find(shown.begin(), shown.end(), t) == shown.end()) shown.push_back(t);
  }
  return shown.empty() ? kind : kind + "(" + Join(shown, ",") + ")";
}

std::string ExpectedText(const Scenario& s) {
  if (s.expected.empty()) return "clean";
  std::vector<std::string> parts;
  for (const Expectation& e : s.expected) {
    parts.push_back(Short(e.kind, e.variables, e.locks, e.threads));
  }
  return Join(parts, " + ");
}

std::string FoundText(const Report& r) {
  std::map<std::string, int> counts;
  std::vector<std::string> order;
  for (const Finding& f : r.findings) {
    if (!IsProblem(f)) continue;
    std::string s = Short(f.kind, f.variables, f.locks, f.threads);
    if (counts[s]++ == 0) order.push_back(s);
  }
  if (order.empty()) return "clean";
  std::vector<std::string> parts;
  for (const std::string& s : order) {
    parts.push_back(counts[s] > 1 ? s + " x" + std::to_string(counts[s]) : s);
  }
  return Join(parts, " + ");
}

struct Outcome {
  bool pass = false;
  std::vector<std::string> reasons;  // why it failed
};

// Every expected finding present, naming the right variables, locks and threads; no other
// finding of severity error or warning; and the run ended the way the scenario says.
Outcome Judge(const Scenario& s, const TracedExit& run, const Report& r) {
  Outcome o;
  for (const Expectation& e : s.expected) {
    bool found = std::any_of(r.findings.begin(), r.findings.end(),
                             [&](const Finding& f) { return Matches(e, f); });
    if (!found) o.reasons.push_back("expected finding missing: " + e.text);
  }
  for (const Finding& f : r.findings) {
    if (!IsProblem(f)) continue;
    bool expected = std::any_of(s.expected.begin(), s.expected.end(),
                                [&](const Expectation& e) { return Matches(e, f); });
    if (!expected) {
      o.reasons.push_back(std::string("unexpected ") + SeverityName(f.severity) + ": " +
                          (f.title.empty() ? f.kind : f.title));
    }
  }
  if (run.timed_out) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", s.timeout);
    o.reasons.push_back(std::string("did not finish within ") + limit + " s; the runner killed it");
  } else if (s.expect_hang && run.status != kWatchdogExit && !r.watchdog) {
    o.reasons.push_back("expected the watchdog to end the run; it exited with status " +
                        std::to_string(run.status));
  } else if (!s.expect_hang && run.status != 0) {
    o.reasons.push_back("exited with status " + std::to_string(run.status) +
                        (run.status == kWatchdogExit ? " (ended by the watchdog)" : ""));
  }
  o.pass = o.reasons.empty();
  return o;
}

std::vector<Scenario> Select(const std::vector<Scenario>& all,
                             const std::vector<std::string>& names) {
  if (names.empty() || (names.size() == 1 && names[0] == "all")) return all;
  std::vector<Scenario> out;
  for (const std::string& n : names) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Scenario& s) { return s.name == n; });
    if (it == all.end()) {
      throw Error("no scenario named '" + n + "'; `threadlens scenarios list` shows them");
    }
    out.push_back(*it);
  }
  return out;
}

size_t Width(const std::vector<std::vector<std::string>>& rows, size_t col) {
  size_t w = 0;
  for (const auto& row : rows) w = std::max(w, row[col].size());
  return w;
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (size_t c = 0; c < rows[0].size(); ++c) widths.push_back(Width(rows, c));
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

struct RunOptions {
  std::vector<std::string> names;
  std::string catalogue;
  std::string report_dir;
  std::string trace_dir;
  double timeout = 0;  // 0: each scenario's own
  bool verbose = false;
};

int RunScenarios(const RunOptions& opt) {
  std::string catalogue = FindCatalogue(opt.catalogue);
  std::vector<Scenario> selected = Select(LoadCatalogue(catalogue), opt.names);
  std::string preload = FindPreload();

  // Traces and program output go beside the report, or to a scratch folder removed at the end.
  fs::path work;
  bool scratch = false;
  if (!opt.trace_dir.empty()) {
    work = opt.trace_dir;
  } else if (!opt.report_dir.empty()) {
    work = fs::path(opt.report_dir) / "traces";
  } else {
    std::string tmpl = (fs::temp_directory_path() / "threadlens-scenarios-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw Error("cannot create a scratch folder", kExitInternal);
    work = tmpl;
    scratch = true;
  }
  fs::create_directories(work);

  std::vector<std::vector<std::string>> rows = {
      {"scenario", "expected", "found", "time", "verdict"}};
  std::vector<reports::NamedReport> reports;
  std::vector<std::string> failures;
  std::set<std::string> source_roots;
  int passed = 0;
  for (const Scenario& s : selected) {
    std::fprintf(stderr, "threadlens: scenario %s...\n", s.name.c_str());
    if (!fs::exists(s.program)) {
      throw Error("scenario program " + s.program + " is missing: build the scenarios first");
    }
    std::string trace = (work / (s.name + ".trace")).string();
    std::string log = (work / (s.name + ".log")).string();
    double timeout = opt.timeout > 0 ? opt.timeout : s.timeout;
    Scenario judged = s;
    judged.timeout = timeout;
    std::error_code ec;
    fs::remove(trace, ec);  // a stale trace from an earlier run must not be analyzed
    TracedRun launch;
    launch.program = s.program;
    launch.preload = preload;
    launch.trace = trace;
    launch.watchdog = s.watchdog;
    launch.output = log;
    launch.timeout = timeout;
    TracedExit run = RunTraced(launch);

    Report report;
    Outcome outcome;
    try {
      report = AnalyzeFile(trace);
      outcome = Judge(judged, run, report);
    } catch (const Error& e) {
      outcome.reasons.push_back(std::string("trace could not be analyzed: ") + e.what());
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2fs", run.seconds);
    rows.push_back(
        {s.name, ExpectedText(s), FoundText(report), seconds, outcome.pass ? "PASS" : "FAIL"});
    if (outcome.pass) {
      ++passed;
    } else {
      for (const std::string& why : outcome.reasons) failures.push_back(s.name + ": " + why);
      failures.push_back(s.name + ": program output in " + log);
    }
    if (opt.verbose) {
      for (const Finding& f : report.findings) {
        std::fprintf(stderr, "  %s %s: %s\n", SeverityName(f.severity), f.kind.c_str(),
                     f.title.c_str());
      }
    }
    if (!s.source.empty()) source_roots.insert(fs::path(s.source).parent_path().string());
    // The scenario's page in the report opens with its story and verdict.
    std::string verdict = std::string(outcome.pass ? "PASS" : "FAIL") + ": expected " +
                          ExpectedText(s) + ", found " + FoundText(report);
    for (const std::string& why : outcome.reasons) verdict += "; " + why;
    report.notes.insert(report.notes.begin(), {"scenario: " + s.story, verdict});
    reports.push_back({s.name, std::move(report)});
  }

  PrintTable(rows);
  std::printf("\n%d of %zu scenarios passed\n", passed, selected.size());
  for (const std::string& f : failures) std::printf("FAIL %s\n", f.c_str());

  if (!opt.report_dir.empty()) {
    reports::HtmlOptions html;
    html.title = "threadlens scenario catalogue";
    html.source_roots.assign(source_roots.begin(), source_roots.end());
    std::vector<std::string> written = reports::WriteHtmlReportDir(opt.report_dir, reports, html);
    if (!written.empty()) std::printf("report: %s\n", written.front().c_str());
  }
  if (scratch && failures.empty()) {
    std::error_code ec;
    fs::remove_all(work, ec);
  } else if (scratch) {
    std::printf("traces and program output kept in %s\n", work.string().c_str());
  }
  return passed == static_cast<int>(selected.size()) ? kExitClean : kExitFindings;
}

int ListScenarios(const std::string& catalogue_path) {
  std::vector<Scenario> all = LoadCatalogue(FindCatalogue(catalogue_path));
  std::vector<std::vector<std::string>> rows = {{"scenario", "expected", "story"}};
  for (const Scenario& s : all) rows.push_back({s.name, ExpectedText(s), s.story});
  PrintTable(rows);
  return kExitClean;
}

}  // namespace

Command AddScenarios(CLI::App& app) {
  auto* sub = app.add_subcommand(
      "scenarios", "The catalogue of classic concurrency bugs and their fixes: list or run them");
  sub->require_subcommand(1);

  auto catalogue = std::make_shared<std::string>();
  auto* list = sub->add_subcommand("list", "Each scenario with its expected findings and story");
  list->add_option("--catalogue", *catalogue, "The catalogue.txt beside the built scenarios")
      ->type_name("FILE");

  auto opt = std::make_shared<RunOptions>();
  auto* run = sub->add_subcommand(
      "run", "Run scenarios under the tracer, analyze them and compare with what they expect");
  run->add_option("names", opt->names, "Scenario names, or `all` (the default)")->type_name("NAME");
  run->add_option("--report", opt->report_dir,
                  "Write the HTML report (index.html and one page per scenario) into DIR")
      ->type_name("DIR");
  run->add_option("--traces", opt->trace_dir,
                  "Keep the traces and program output in DIR (default: DIR/traces of --report)")
      ->type_name("DIR");
  run->add_option("--timeout", opt->timeout,
                  "Kill a scenario after SECONDS (default: its own limit, 20 s)")
      ->type_name("SECONDS");
  run->add_option("--catalogue", opt->catalogue, "The catalogue.txt beside the built scenarios")
      ->type_name("FILE");
  run->add_flag("-v,--verbose", opt->verbose, "Print every finding of every scenario");

  return {sub, [list, catalogue, opt]() -> int {
            if (list->parsed()) return ListScenarios(*catalogue);
            return RunScenarios(*opt);
          }};
}

}  // namespace threadlens::cli
