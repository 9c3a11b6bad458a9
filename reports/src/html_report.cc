// The one-page HTML report. Layout: index (several traces) -> per trace: summary, findings
// table, whole-trace graphs and timeline, one section per finding (html_finding.cc),
// contention table. Every program-derived string goes through H() (XmlEscape); SVG from
// Graphviz is safe because labels are escaped for DOT and Graphviz escapes them again for XML.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "html_parts.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/graphs.h"

namespace threadlens::reports {
namespace {

std::map<std::string, int> CountByKind(const Report& r) {
  std::map<std::string, int> m;
  for (auto& f : r.findings) m[f.kind]++;
  return m;
}

std::string TraceSection(const NamedReport& nr, size_t ri, bool with_heading,
                         const HtmlOptions& options) {
  const Report& r = nr.report;
  SourceCache src(options);
  std::ostringstream o;
  std::string p = "r" + std::to_string(ri);
  // One copy of the spans per report; every timeline of the report draws from it.
  const std::string timeline_id = p + "-timeline";
  o << "<section class=\"trace\" id=\"" << p << "\">";
  o << TimelineData(r, timeline_id);
  if (with_heading) o << "<h2>" << H(nr.name) << "</h2>";
  o << "<div class=\"muted\">trace <code>" << H(r.trace) << "</code>";
  if (!r.program.empty()) o << " &middot; program <code>" << H(r.program) << "</code>";
  o << " &middot; " << r.events << " events &middot; " << r.threads.size() << " threads &middot; "
    << r.locks.size() << " locks";
  if (r.end_ticks > r.begin_ticks)
    o << " &middot; " << FormatDuration(r.end_ticks - r.begin_ticks, r.ticks_per_second);
  o << "</div>";
  if (r.watchdog) o << "<div class=\"warn\">The watchdog ended this program: it was blocked.</div>";
  if (!r.complete)
    o << "<div class=\"warn\">The trace is incomplete (the program did not close it "
         "cleanly).</div>";
  for (auto& w : r.warnings) o << "<div class=\"warn\">" << H(w) << "</div>";
  for (auto& n : r.notes) o << "<div class=\"muted\">note: " << H(n) << "</div>";

  auto counts = CountByKind(r);
  o << "<div class=\"counts\">";
  for (const char* k : kKinds) {
    o << "<div class=\"count\" data-kind=\"" << k << "\"><b>" << (counts.count(k) ? counts[k] : 0)
      << "</b>" << k << "</div>";
  }
  o << "</div>";

  std::vector<size_t> bugs, contention;
  for (size_t i = 0; i < r.findings.size(); ++i) {
    (r.findings[i].kind == "contention" ? contention : bugs).push_back(i);
  }
  std::string table_id = p + "-findings";
  if (bugs.empty()) {
    o << "<p><b>No concurrency bugs found.</b></p>";
  } else {
    o << "<h3>Findings</h3><div class=\"filters\" data-table=\"" << table_id
      << "\"><input type=\"search\" placeholder=\"filter findings\" aria-label=\"filter findings\">"
         "<select aria-label=\"kind\"><option value=\"\">all kinds</option>";
    for (const char* k : kKinds) {
      if (counts.count(k) && std::string(k) != "contention")
        o << "<option value=\"" << k << "\">" << k << "</option>";
    }
    o << "</select></div>";
    o << "<table class=\"sortable findings\" id=\"" << table_id
      << "\"><thead><tr><th class=\"num\">#</th>"
         "<th>severity</th><th>kind</th><th>title</th><th>threads</th><th>locks / "
         "variables</th><th>where</th>"
         "</tr></thead><tbody>";
    for (size_t i : bugs) {
      auto& f = r.findings[i];
      std::vector<std::string> objs = f.locks;
      objs.insert(objs.end(), f.variables.begin(), f.variables.end());
      o << "<tr data-kind=\"" << H(f.kind) << "\"><td class=\"num\" data-sort=\"" << i + 1 << "\">"
        << i + 1 << "</td><td data-sort=\"" << SevRank(f.severity) << "\">" << SevBadge(f.severity)
        << "</td><td>" << H(f.kind) << "</td><td><a href=\"#" << p << "-f" << i << "\">"
        << H(f.title) << "</a></td><td>" << H(Join(f.threads)) << "</td><td><code>" << H(Join(objs))
        << "</code></td><td class=\"mono\">" << H(FindingSite(f)) << "</td></tr>";
    }
    o << "</tbody></table>";
  }

  std::string lo = r.lock_order.empty() ? "" : TraceLockOrderDot(r);
  std::string wf = TraceWaitForDot(r);
  if (!lo.empty() || !wf.empty() || !r.spans.empty()) {
    o << "<details" << (bugs.empty() ? "" : " open")
      << "><summary>Whole trace: graphs and timeline</summary>";
    if (!lo.empty()) o << "<h4>Lock-order graph</h4>" << Svg(lo);
    if (!wf.empty()) o << "<h4>Wait-for graph at the end of the trace</h4>" << Svg(wf);
    if (!r.spans.empty()) {
      o << "<h4>Timeline</h4>" << TimelineView(r, timeline_id, nullptr, options.max_timeline_spans);
      if (r.spans_truncated)
        o << "<div class=\"muted\">The analyzer kept only part of the lock spans.</div>";
    }
    o << "</details>";
  }

  for (size_t i : bugs) {
    o << FindingSection(r, r.findings[i], p + "-f" + std::to_string(i), i, src, options,
                        timeline_id);
  }

  if (!contention.empty()) {
    o << "<h3>Contention</h3><table class=\"sortable contention\"><thead><tr><th>lock</th>"
         "<th class=\"num\">acquisitions</th><th class=\"num\">contended</th><th "
         "class=\"num\">contended %</th>"
         "<th class=\"num\">total wait</th><th class=\"num\">max wait</th><th class=\"num\">total "
         "hold</th>"
         "<th class=\"num\">max hold</th></tr></thead><tbody>";
    for (size_t i : contention) {
      auto& f = r.findings[i];
      ContentionStats c = f.contention.value_or(ContentionStats{});
      std::string lock = !f.locks.empty() ? f.locks.front() : f.title;
      if (c.locks > 1) lock += " and " + std::to_string(c.locks - 1) + " more";
      double pct = c.acquisitions ? 100.0 * c.contended / c.acquisitions : 0.0;
      char pbuf[16];
      std::snprintf(pbuf, sizeof pbuf, "%.1f", pct);
      auto ns = [](uint64_t v) { return FormatDuration(v, 1'000'000'000); };
      o << "<tr id=\"" << p << "-f" << i << "\"><td><code>" << H(lock)
        << "</code></td><td class=\"num\">" << c.acquisitions << "</td><td class=\"num\">"
        << c.contended << "</td><td class=\"num\">" << pbuf << "</td><td class=\"num\" data-sort=\""
        << c.total_wait_ns << "\">" << ns(c.total_wait_ns) << "</td><td class=\"num\" data-sort=\""
        << c.max_wait_ns << "\">" << ns(c.max_wait_ns) << "</td><td class=\"num\" data-sort=\""
        << c.total_hold_ns << "\">" << ns(c.total_hold_ns) << "</td><td class=\"num\" data-sort=\""
        << c.max_hold_ns << "\">" << ns(c.max_hold_ns) << "</td></tr>";
    }
    o << "</tbody></table>";
  }
  o << "</section>";
  return o.str();
}

std::string IndexTable(const std::vector<NamedReport>& reports,
                       const std::vector<std::string>& links) {
  std::ostringstream o;
  o << "<table class=\"sortable index\"><thead><tr><th>trace</th>";
  for (const char* k : kKinds) o << "<th class=\"num\">" << k << "</th>";
  o << "<th class=\"num\">events</th></tr></thead><tbody>";
  for (size_t i = 0; i < reports.size(); ++i) {
    auto counts = CountByKind(reports[i].report);
    o << "<tr><td><a href=\"" << H(links[i]) << "\">" << H(reports[i].name) << "</a></td>";
    for (const char* k : kKinds)
      o << "<td class=\"num\">" << (counts.count(k) ? counts[k] : 0) << "</td>";
    o << "<td class=\"num\">" << reports[i].report.events << "</td></tr>";
  }
  o << "</tbody></table>";
  return o.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error("cannot write " + path);
}

std::string PageFileName(const std::string& name, size_t i) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  if (s.size() > 60) s.resize(60);
  return std::to_string(i + 1) + "-" + s + ".html";
}

}  // namespace

std::vector<NamedReport> WithConfirmingRuns(const std::vector<NamedReport>& reports,
                                            HtmlOptions& options) {
  std::vector<NamedReport> out = reports;
  std::set<std::string> have;
  for (const NamedReport& nr : reports) have.insert(nr.report.trace);
  for (const NamedReport& nr : reports) {
    for (const Finding& f : nr.report.findings) {
      const std::string& t = f.confirmed_trace;
      if (f.confirmed != true || t.empty() || options.confirming_sections.count(t)) continue;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(t, ec)) continue;  // moved or deleted since
      if (!have.count(t)) {
        try {
          out.push_back({"confirming run of " + f.fingerprint + " (" + nr.name + ")",
                         AnalyzeFile(t, AnalyzeOptions{})});
        } catch (const Error&) {
          continue;  // damaged: the badge still names it
        }
        out.back().report.trace = t;
        have.insert(t);
      }
      for (size_t i = 0; i < out.size(); ++i) {
        if (out[i].report.trace == t) options.confirming_sections[t] = "r" + std::to_string(i);
      }
    }
  }
  return out;
}

std::string HtmlReport(const std::vector<NamedReport>& reports, const HtmlOptions& options) {
  std::ostringstream o;
  o << PageStart(options.title);
  o << "<header class=\"top\"><h1>" << H(options.title) << "</h1><div class=\"muted\">";
  size_t total = 0, errors = 0;
  for (auto& nr : reports) {
    for (auto& f : nr.report.findings) {
      if (f.kind == "contention") continue;
      ++total;
      errors += f.severity == Severity::kError;
    }
  }
  o << reports.size() << (reports.size() == 1 ? " trace" : " traces") << " &middot; " << total
    << " findings, " << errors << " errors</div></header>";
  if (reports.size() > 1) {
    std::vector<std::string> links;
    for (size_t i = 0; i < reports.size(); ++i) links.push_back("#r" + std::to_string(i));
    o << "<h2>Traces</h2>" << IndexTable(reports, links);
  }
  for (size_t i = 0; i < reports.size(); ++i)
    o << TraceSection(reports[i], i, reports.size() > 1 || !reports[i].name.empty(), options);
  o << PageEnd();
  return o.str();
}

void WriteHtmlReport(const std::string& path, const std::vector<NamedReport>& reports,
                     const HtmlOptions& options) {
  WriteFile(path, HtmlReport(reports, options));
}

std::vector<std::string> WriteHtmlReportDir(const std::string& dir,
                                            const std::vector<NamedReport>& reports,
                                            const HtmlOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create " + dir + ": " + ec.message());
  std::vector<std::string> names, written;
  for (size_t i = 0; i < reports.size(); ++i) names.push_back(PageFileName(reports[i].name, i));
  std::ostringstream idx;
  idx << PageStart(options.title) << "<header class=\"top\"><h1>" << H(options.title)
      << "</h1><div class=\"muted\">" << reports.size() << " traces</div></header>"
      << IndexTable(reports, names) << PageEnd();
  std::string index_path = (std::filesystem::path(dir) / "index.html").string();
  WriteFile(index_path, idx.str());
  written.push_back(index_path);
  for (size_t i = 0; i < reports.size(); ++i) {
    HtmlOptions page = options;
    page.title = reports[i].name;
    std::string html = HtmlReport({reports[i]}, page);
    // A way back to the index, right under the heading.
    auto pos = html.find("</header>");
    if (pos != std::string::npos)
      html.insert(pos, "<div><a href=\"index.html\">&larr; all traces</a></div>");
    std::string path = (std::filesystem::path(dir) / names[i]).string();
    WriteFile(path, html);
    written.push_back(path);
  }
  return written;
}

}  // namespace threadlens::reports
