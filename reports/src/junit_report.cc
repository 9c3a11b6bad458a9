// JUnit XML writer (the Ant/Jenkins dialect that GitLab, GitHub test reporters and ctest's
// consumers read). Several <failure> elements per testcase: readers list each one.
#include "threadlens/reports/junit_report.h"

#include <fstream>
#include <sstream>

#include "render_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::reports {

std::string JunitXml(const std::vector<NamedReport>& reports, const JunitOptions& options) {
  auto fails =
      options.fails ? options.fails : [](const Finding& f) { return f.kind != "contention"; };
  auto text = options.finding_text ? options.finding_text : [](const Finding& f, const Report& r) {
    return FindingText(f, r);
  };
  size_t total_failures = 0;
  std::ostringstream cases;
  for (const NamedReport& nr : reports) {
    const Report& r = nr.report;
    size_t failures = 0;
    std::ostringstream body;
    for (const Finding& f : r.findings) {
      if (!fails(f)) continue;
      ++failures;
      body << "      <failure type=\"" << XmlEscape(f.kind) << "\" message=\"" << XmlEscape(f.title)
           << "\">" << XmlEscape(text(f, r)) << "</failure>\n";
    }
    total_failures += failures;
    double seconds = r.end_ticks > r.begin_ticks && r.ticks_per_second
                         ? static_cast<double>(r.end_ticks - r.begin_ticks) / r.ticks_per_second
                         : 0.0;
    cases << "    <testcase classname=\"" << XmlEscape(options.suite_name) << "\" name=\""
          << XmlEscape(nr.name) << "\" time=\"" << seconds << "\">\n";
    cases << "      <properties><property name=\"trace\" value=\"" << XmlEscape(r.trace)
          << "\"/><property name=\"events\" value=\"" << r.events << "\"/></properties>\n";
    cases << body.str();
    if (!r.warnings.empty()) {
      cases << "      <system-err>";
      for (auto& w : r.warnings) cases << XmlEscape(w) << "\n";
      cases << "</system-err>\n";
    }
    cases << "    </testcase>\n";
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"" << XmlEscape(options.suite_name) << "\" tests=\"" << reports.size()
    << "\" failures=\"" << total_failures << "\" errors=\"0\">\n";
  o << "  <testsuite name=\"" << XmlEscape(options.suite_name) << "\" tests=\"" << reports.size()
    << "\" failures=\"" << total_failures << "\" errors=\"0\" skipped=\"0\">\n";
  o << cases.str();
  o << "  </testsuite>\n</testsuites>\n";
  return o.str();
}

void WriteJunit(const std::string& path, const std::vector<NamedReport>& reports,
                const JunitOptions& options) {
  std::ofstream out(path, std::ios::binary);
  out << JunitXml(reports, options);
  out.close();
  if (!out) throw Error("cannot write " + path);
}

}  // namespace threadlens::reports
