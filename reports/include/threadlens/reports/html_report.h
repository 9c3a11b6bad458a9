// The HTML report: one self-contained page (inline CSS, SVG and a little JS; nothing is
// fetched) with counts by kind, a sortable and filterable findings table, each finding's
// scenario, stacks with source snippets, graph and timeline, and the contention table.
// Every name that came from the traced program is escaped. A trace's lock spans are in the
// page once; the page's script draws every timeline from them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "threadlens/analyzer/findings.h"
#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

struct HtmlOptions {
  std::string title = "threadlens report";
  // Folders tried, in order, for source files named by relative paths (after the path as is).
  std::vector<std::string> source_roots;
  bool source_snippets = true;
  int snippet_context = 3;           // lines shown each side of the highlighted line
  size_t max_timeline_spans = 4000;  // drawn per timeline; the rest are counted, not drawn
  // A confirmed finding's badge links to its confirming run's section: trace path -> id.
  std::map<std::string, std::string> confirming_sections;
};

// The reports, then one more per confirming run their confirmed findings name (a trace that
// exists and is not among them already), analyzed, for the HTML page to show its graph and
// timeline; `options` learns where each one's section is.
std::vector<NamedReport> WithConfirmingRuns(const std::vector<NamedReport>& reports,
                                            HtmlOptions& options);

// One page; several reports get an index and one section each.
std::string HtmlReport(const std::vector<NamedReport>& reports, const HtmlOptions& options = {});
// Writes HtmlReport to `path`. Throws Error when the file cannot be written.
void WriteHtmlReport(const std::string& path, const std::vector<NamedReport>& reports,
                     const HtmlOptions& options = {});
// Writes `dir`/index.html (one row per report, with its counts) and one page per report,
// named after the report. Creates `dir`. Returns the paths written, index first.
std::vector<std::string> WriteHtmlReportDir(const std::string& dir,
                                            const std::vector<NamedReport>& reports,
                                            const HtmlOptions& options = {});

}  // namespace threadlens::reports
