// JUnit XML for CI test tabs: one testsuite per traced program, one testcase per failing
// finding with one <failure> (the finding's text report as its body); a clean program is one
// passing testcase.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "threadlens/reports/named_report.h"

namespace threadlens::reports {

// Renders one finding as text for a failure body.
using FindingTextFn = std::function<std::string(const Finding&, const Report&)>;

struct JunitOptions {
  std::string suite_name = "threadlens";
  FindingTextFn finding_text;  // empty: the text report's FindingText
  // Which findings become failures; empty: every finding except contention.
  std::function<bool(const Finding&)> fails;
};

std::string JunitXml(const std::vector<NamedReport>& reports, const JunitOptions& options = {});
// Writes JunitXml to `path`. Throws Error when the file cannot be written.
void WriteJunit(const std::string& path, const std::vector<NamedReport>& reports,
                const JunitOptions& options = {});

}  // namespace threadlens::reports
