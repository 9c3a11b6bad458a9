// Escaping and formatting helpers shared by the renderers.
#include "render_util.h"

#include <cstdio>

namespace threadlens::reports {

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 forbids most control characters even as references; show them as '?'.
        if (c < 0x20 && c != '\n' && c != '\t')
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string DotEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (c < 0x20)
          out += ' ';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

bool IsSystemFrame(const Frame& f) {
  if (f.file.empty()) return true;
  return f.file.rfind("/usr/", 0) == 0 || f.file.find("/include/c++/") != std::string::npos ||
         f.file.rfind("./csu/", 0) == 0 || f.file.rfind("./nptl/", 0) == 0;
}

const Frame& TopFrame(const Access& a) {
  static const Frame kEmpty;
  for (const Frame& f : a.stack) {
    if (!IsSystemFrame(f)) return f;
  }
  return a.stack.empty() ? kEmpty : a.stack.front();
}

std::string ShortSite(const Access& a) {
  const Frame& f = TopFrame(a);
  if (!f.file.empty()) {
    std::string base = f.file.substr(f.file.find_last_of('/') + 1);
    return f.line > 0 ? base + ":" + std::to_string(f.line) : base;
  }
  if (!f.function.empty()) return f.function;
  return "";
}

std::string LongSite(const Access& a) { return TopFrame(a).Describe(); }

std::string FormatDuration(uint64_t ticks, uint64_t ticks_per_second) {
  if (ticks_per_second == 0) ticks_per_second = 1'000'000'000;
  double ns = static_cast<double>(ticks) * 1e9 / static_cast<double>(ticks_per_second);
  char buf[64];
  if (ns < 1e3)
    std::snprintf(buf, sizeof buf, "%.0f ns", ns);
  else if (ns < 1e6)
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  else if (ns < 1e9)
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", ns / 1e9);
  return buf;
}

}  // namespace threadlens::reports
