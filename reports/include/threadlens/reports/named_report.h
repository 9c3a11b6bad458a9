// A report with the name it is shown under (a program or scenario name): the unit the
// multi-trace renderers (HTML index, SARIF, JUnit, Chrome trace, check) take.
#pragma once

#include <string>

#include "threadlens/analyzer/findings.h"

namespace threadlens::reports {

struct NamedReport {
  std::string name;
  Report report;
};

}  // namespace threadlens::reports
