// JUnit XML writer (the Ant/Jenkins dialect that GitLab, GitHub test reporters and ctest's
// consumers read). One testsuite per trace and one testcase per failing finding with a single
// <failure>: Jenkins shows only the first failure of a testcase.
#include "threadlens/reports/junit_report.h"

#include <fstream>
#include <sstream>

#include "render_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::reports {
namespace {

double Seconds(const Report& r) {
  return r.end_ticks > r.begin_ticks && r.ticks_per_second
             ? static_cast<double>(r.end_ticks - r.begin_ticks) / r.ticks_per_second
             : 0.0;
}

}  // namespace

std::string JunitXml(const std::vector<NamedReport>& reports, const JunitOptions& options) {
  auto fails =
      options.fails ? options.fails : [](const Finding& f) { return f.kind != "contention"; };
  auto text = options.finding_text ? options.finding_text : [](const Finding& f, const Report& r) {
    return FindingText(f, r);
  };
  size_t total_tests = 0, total_failures = 0;
  std::ostringstream suites;
  for (const NamedReport& nr : reports) {
    const Report& r = nr.report;
    // The classname groups a trace's testcases in the CI's test tab.
    std::string classname = XmlEscape(options.suite_name + "." + nr.name);
    std::ostringstream cases;
    size_t failures = 0;
    for (const Finding& f : r.findings) {
      if (!fails(f)) continue;
      ++failures;
      // The fingerprint keeps the name stable across runs, so CI histories line up.
      std::string name = f.title + (f.fingerprint.empty() ? "" : " [" + f.fingerprint + "]");
      cases << "    <testcase classname=\"" << classname << "\" name=\"" << XmlEscape(name)
            << "\" time=\"0\">\n"
            << "      <failure type=\"" << XmlEscape(f.kind) << "\" message=\""
            << XmlEscape(f.title) << "\">" << XmlEscape(text(f, r)) << "</failure>\n"
            << "    </testcase>\n";
    }
    size_t tests = failures;
    if (failures == 0) {
      // A clean trace is one passing test, so the trace still shows up.
      cases << "    <testcase classname=\"" << classname << "\" name=\"" << XmlEscape(nr.name)
            << "\" time=\"" << Seconds(r) << "\"/>\n";
      tests = 1;
    }
    total_tests += tests;
    total_failures += failures;
    suites << "  <testsuite name=\"" << XmlEscape(nr.name) << "\" tests=\"" << tests
           << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"0\" time=\"" << Seconds(r)
           << "\">\n";
    suites << "    <properties><property name=\"trace\" value=\"" << XmlEscape(r.trace)
           << "\"/><property name=\"events\" value=\"" << r.events << "\"/></properties>\n";
    suites << cases.str();
    if (!r.warnings.empty()) {
      suites << "    <system-err>";
      for (auto& w : r.warnings) suites << XmlEscape(w) << "\n";
      suites << "</system-err>\n";
    }
    suites << "  </testsuite>\n";
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"" << XmlEscape(options.suite_name) << "\" tests=\"" << total_tests
    << "\" failures=\"" << total_failures << "\" errors=\"0\">\n";
  o << suites.str();
  o << "</testsuites>\n";
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
