// What `threadlens report` and `threadlens check` share: turning inputs (traces, or JSON
// findings reports written earlier) into named reports, writing every requested output
// file, colour decisions for the terminal, and progress on stderr.
#pragma once

#include <string>
#include <vector>

#include "threadlens/analyzer/analyze.h"
#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

// Analyzes each trace (or reads each JSON findings report). With `progress`, says on
// stderr what it is doing, for runs long enough to wonder about. Throws Error.
std::vector<NamedReport> LoadReports(const std::vector<std::string>& paths,
                                     const AnalyzeOptions& options = {}, bool progress = false);

// The name a report is shown under: the program's file name, else the trace's stem.
std::string DisplayName(const Report& r, const std::string& path);

struct OutputFiles {
  std::string html;      // one self-contained page
  std::string html_dir;  // index + one page per trace
  std::string dot;      // one graph: the whole-trace lock-order and wait-for graphs
  std::string dot_dir;  // one graph per finding, N-kind.dot (N: the finding's number)
  std::string json;
  bool json_timeline = false;  // the JSON gets the lock spans too
  std::string sarif;
  std::string junit;
  std::string chrome;
  std::string source_root;  // SARIF URIs and HTML snippets resolve relative paths here
  std::string title = "threadlens report";
  // Fingerprints that count as failures in JUnit; empty: every non-contention finding.
  const std::vector<std::string>* failing_fingerprints = nullptr;
};

// Writes every non-empty output of `files`. Throws Error when one cannot be written.
void WriteOutputs(const std::vector<NamedReport>& reports, const OutputFiles& files);

// Writes one DOT file per finding that has a graph into `dir` (created): N-kind.dot, N
// numbering the report's findings from 1; several reports prefix their names. Returns the paths.
std::vector<std::string> WriteFindingDots(const std::string& dir,
                                          const std::vector<NamedReport>& reports);

enum class ColorMode { kAuto, kAlways, kNever };
// "auto" | "always" | "never"; throws Error on anything else.
ColorMode ParseColorMode(const std::string& s);
// Whether to colour output to `fd`: always/never win; auto means a terminal and no
// NO_COLOR in the environment (https://no-color.org).
bool UseColor(ColorMode mode, int fd);

// The text report of `reports` for a terminal or a log: each finding with its sides and
// stacks, then a SUMMARY line.
std::string TextReport(const std::vector<NamedReport>& reports, bool color);

// The findings of a report as JSON (schema in docs/findings.md); several reports go into
// {"reports": [...]}. With `timeline`, the lock spans too.
std::string ReportsJson(const std::vector<NamedReport>& reports, bool timeline = false);

// True when stderr is a terminal (progress lines are only for people watching).
bool StderrIsTerminal();

}  // namespace threadlens::reports
