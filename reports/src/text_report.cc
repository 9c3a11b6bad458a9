// Text report for terminals (see text_report.h).
#include "threadlens/reports/text_report.h"

#include <algorithm>
#include <sstream>

namespace threadlens::reports {
namespace {

struct Style {
  bool on;
  std::string Paint(const std::string& s, const char* code) const {
    return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  }
  std::string Severity(threadlens::Severity s, const std::string& text) const {
    return Paint(text, s == threadlens::Severity::kError     ? "1;31"
                       : s == threadlens::Severity::kWarning ? "1;33"
                                                             : "1;36");
  }
  std::string Bold(const std::string& s) const { return Paint(s, "1"); }
  std::string Dim(const std::string& s) const { return Paint(s, "2"); }
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

void StackLines(std::ostream& o, const Stack& stack, const std::string& indent,
                const TextOptions& opts) {
  if (stack.empty()) {
    o << indent << "#0 (no site recorded)\n";
    return;
  }
  size_t n = std::min(stack.size(), opts.max_frames);
  for (size_t i = 0; i < n; ++i) o << indent << "#" << i << " " << stack[i].Describe() << "\n";
  if (stack.size() > n) o << indent << "... " << (stack.size() - n) << " more frames\n";
}

void HeldLine(std::ostream& o, const Access& a, const std::string& indent) {
  o << indent << "locks held: " << (a.held.empty() ? "none" : Join(a.held, ", ")) << "\n";
}

std::string Capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

void RaceSides(std::ostream& o, const Finding& f, const TextOptions& opts, const Style& st) {
  // The later access first, as TSan does: it is where the race was seen.
  for (size_t i = f.accesses.size(); i-- > 0;) {
    const Access& a = f.accesses[i];
    std::string what = (i + 1 == f.accesses.size() ? Capitalize(a.op)
                                                   : "Previous " + a.op) +
                       (a.atomic ? " (atomic)" : "") + " of " + a.object;
    if (a.size) what += " (" + std::to_string(a.size) + (a.size == 1 ? " byte)" : " bytes)");
    o << "  " << st.Bold(what + " by thread " + a.thread) << ":\n";
    StackLines(o, a.stack, "    ", opts);
    HeldLine(o, a, "    ");
  }
}

void Scenario(std::ostream& o, const Finding& f) {
  const size_t n = f.cycle.size();
  size_t width = 12;
  for (const CycleEdge& e : f.cycle) {
    width = std::max({width, e.thread.size() + 4, e.from.size() + 10, e.to.size() + 10});
  }
  width = std::min<size_t>(width, 40);
  auto row = [&](size_t col, const std::string& text) {
    std::string line(8, ' ');
    line += std::string(col * width, ' ') + text;
    o << line << "\n";
  };
  o << "\n  Possible unsafe locking scenario:\n\n";
  std::string header(8, ' '), rule(8, ' ');
  for (size_t i = 0; i < n; ++i) {
    std::string name = f.cycle[i].thread;
    header += name + std::string(width > name.size() ? width - name.size() : 1, ' ');
    rule += std::string("----") + std::string(width - 4, ' ');
  }
  while (!header.empty() && header.back() == ' ') header.pop_back();
  while (!rule.empty() && rule.back() == ' ') rule.pop_back();
  o << header << "\n" << rule << "\n";
  for (size_t i = 0; i < n; ++i) row(i, "lock(" + f.cycle[i].from + ");");
  for (size_t i = n; i-- > 0;) row(i, "lock(" + f.cycle[i].to + ");");
  o << "\n   *** DEADLOCK ***\n";
}

void LockOrderSides(std::ostream& o, const Finding& f, const TextOptions& opts,
                    const Style& st) {
  for (const CycleEdge& e : f.cycle) {
    o << "  " << st.Bold(e.thread + " acquires " + e.to + " while holding " + e.from) << ":\n";
    o << "    " << e.from << " acquired at:\n";
    StackLines(o, e.from_site.stack, "      ", opts);
    o << "    " << e.to << " acquired at:\n";
    StackLines(o, e.to_site.stack, "      ", opts);
    HeldLine(o, e.to_site, "    ");
  }
  Scenario(o, f);
}

void DeadlockSides(std::ostream& o, const Finding& f, const TextOptions& opts,
                   const Style& st) {
  for (const CycleEdge& e : f.cycle) {
    if (e.to_site.op == "join") {
      o << "  " << st.Bold(e.from + " waits for thread " + e.to + " to end") << ":\n";
      StackLines(o, e.to_site.stack, "    ", opts);
      continue;
    }
    o << "  " << st.Bold(e.from + " waits for " + e.to_site.object + ", held by " + e.to)
      << ":\n";
    o << "    requested at:\n";
    StackLines(o, e.to_site.stack, "      ", opts);
    HeldLine(o, e.to_site, "    ");
    o << "    " << e.to << " acquired " << e.from_site.object << " at:\n";
    StackLines(o, e.from_site.stack, "      ", opts);
  }
}

void GenericSides(std::ostream& o, const Finding& f, const TextOptions& opts,
                  const Style& st) {
  for (size_t i = 0; i < f.accesses.size(); ++i) {
    const Access& a = f.accesses[i];
    std::string what;
    if (f.kind == "self-deadlock") {
      what = i == 0 ? a.thread + " requests " + a.object
                    : a.thread + " already holds " + a.object + ", acquired";
    } else if (f.kind == "misuse" && a.op == "acquire") {
      what = a.thread + " acquired " + a.object;
    } else if (f.kind == "misuse" && a.op == "exit") {
      what = a.thread + " exits";
    } else if (f.kind == "contention") {
      what = a.object + " first taken by " + a.thread;
    } else if (a.op == "join") {
      what = a.thread + " joins " + a.object;
    } else {
      what = a.thread + " " + a.op + " " + a.object;
    }
    o << "  " << st.Bold(what) << " at:\n";
    StackLines(o, a.stack, "    ", opts);
    HeldLine(o, a, "    ");
  }
  if (f.contention) {
    const ContentionStats& c = *f.contention;
    auto ms = [](uint64_t ns) {
      std::ostringstream s;
      s.precision(3);
      s << std::fixed << static_cast<double>(ns) / 1e6 << " ms";
      return s.str();
    };
    o << "  acquisitions " << c.acquisitions << ", contended " << c.contended << "; wait total "
      << ms(c.total_wait_ns) << ", longest " << ms(c.max_wait_ns) << "; hold total "
      << ms(c.total_hold_ns) << ", longest " << ms(c.max_hold_ns) << "\n";
  }
}

}  // namespace

std::string FindingText(const Finding& f, const Report& report, const TextOptions& opts) {
  Style st{opts.color};
  std::ostringstream o;
  o << st.Severity(f.severity, Upper(SeverityName(f.severity))) << ": " << st.Bold(f.title)
    << "  " << st.Dim("[" + f.kind + (f.subkind.empty() ? "" : "/" + f.subkind) + " " +
                      f.fingerprint + "]")
    << "\n";
  if (!f.detail.empty()) o << "  " << f.detail << "\n";
  if (f.kind == "race") RaceSides(o, f, opts, st);
  else if (f.kind == "lock-order") LockOrderSides(o, f, opts, st);
  else if (f.kind == "deadlock") DeadlockSides(o, f, opts, st);
  else GenericSides(o, f, opts, st);
  return o.str();
}

std::string SummaryLine(const Report& report) {
  static const char* kKinds[] = {"race", "lock-order", "deadlock", "self-deadlock",
                                 "hang", "misuse",     "contention"};
  std::ostringstream o;
  o << "SUMMARY:";
  size_t errors = 0, warnings = 0, notes = 0;
  for (const Finding& f : report.findings) {
    if (f.severity == Severity::kError) ++errors;
    else if (f.severity == Severity::kWarning) ++warnings;
    else ++notes;
  }
  bool first = true;
  for (const char* k : kKinds) {
    size_t n = std::count_if(report.findings.begin(), report.findings.end(),
                             [&](const Finding& f) { return f.kind == k; });
    o << (first ? " " : ", ") << n << " " << k;
    first = false;
  }
  o << " (" << errors << (errors == 1 ? " error, " : " errors, ") << warnings
    << (warnings == 1 ? " warning, " : " warnings, ") << notes << (notes == 1 ? " note" : " notes")
    << ")";
  return o.str();
}

std::string RenderText(const Report& report, const TextOptions& opts) {
  Style st{opts.color};
  std::ostringstream o;
  o << "threadlens: " << (report.trace.empty() ? report.program : report.trace) << ": "
    << report.events << " events, " << report.threads.size() << " threads, "
    << report.locks.size() << " locks\n";
  if (report.watchdog) o << "The watchdog stopped this program: it was blocked.\n";
  for (const std::string& w : report.warnings) o << st.Severity(Severity::kWarning, "warning") << ": " << w << "\n";
  for (const Finding& f : report.findings) {
    if (f.kind == "contention" && !opts.contention) continue;
    o << "\n" << FindingText(f, report, opts);
  }
  if (!report.notes.empty()) o << "\n";
  for (const std::string& n : report.notes) o << "note: " << n << "\n";
  o << "\n" << SummaryLine(report) << "\n";
  return o.str();
}

}  // namespace threadlens::reports
