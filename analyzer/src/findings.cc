// Small helpers of the findings model.
#include "threadlens/analyzer/findings.h"

#include <cstdio>

namespace threadlens {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

std::string Frame::Describe() const {
  std::string out = function;
  if (!file.empty()) {
    if (!out.empty()) out += " at ";
    out += file;
    if (line > 0) out += ":" + std::to_string(line);
  }
  if (out.empty() && pc != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(pc));
    out = buf;
    if (!module.empty()) out += " (" + module + ")";
  }
  if (out.empty()) out = "?";
  return out;
}

}  // namespace threadlens
