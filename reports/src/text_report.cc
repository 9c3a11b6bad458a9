// Text report for terminals (see text_report.h).
#include "threadlens/reports/text_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

#include "render_util.h"

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

// A frame as the user reads it: its file with "/usr/bin/../lib/gcc/..." detours removed.
std::string FrameText(const Frame& f) {
  if (f.file.empty()) return f.Describe();
  Frame shown = f;
  shown.file = NormalizePath(f.file);
  return shown.Describe();
}

// "... 3 frames in the C++ standard library"; a run that crosses libraries names each,
// innermost first: "... 8 frames in the C++ standard library and the C library".
std::string FoldLine(const Stack& stack, size_t begin, size_t end) {
  std::vector<FrameOrigin> origins;
  for (size_t i = begin; i < end; ++i) {
    FrameOrigin origin = OriginOf(stack[i]);
    if (std::find(origins.begin(), origins.end(), origin) == origins.end())
      origins.push_back(origin);
  }
  size_t n = end - begin;
  std::string line = "... " + std::to_string(n) + (n == 1 ? " frame in " : " frames in ");
  for (size_t i = 0; i < origins.size(); ++i) {
    if (i > 0) line += i + 1 == origins.size() ? " and " : ", ";
    line += OriginName(origins[i]);
  }
  return line;
}

// The program's own frames, each run of library frames folded into one dim line (frame
// numbers stay those of the full stack). A stack with no frame of the program's is shown
// whole: folding it would leave nothing to read.
void StackLines(std::ostream& o, const Stack& stack, const std::string& indent,
                const TextOptions& opts, const Style& st) {
  if (stack.empty()) {
    o << indent << "#0 (no site recorded)\n";
    return;
  }
  std::vector<bool> library(stack.size(), false);
  bool any_program = false;
  for (size_t i = 0; i < stack.size(); ++i) {
    library[i] = opts.fold_library_frames && OriginOf(stack[i]) != FrameOrigin::kProgram;
    any_program = any_program || !library[i];
  }
  if (!any_program) library.assign(stack.size(), false);
  size_t shown = 0;
  for (size_t i = 0; i < stack.size();) {
    if (shown == opts.max_frames) {
      o << indent << st.Dim("... " + std::to_string(stack.size() - i) + " more frames") << "\n";
      return;
    }
    if (library[i]) {
      size_t end = i;
      while (end < stack.size() && library[end]) ++end;
      o << indent << st.Dim(FoldLine(stack, i, end)) << "\n";
      i = end;
    } else {
      o << indent << "#" << i << " " << FrameText(stack[i]) << "\n";
      ++i;
    }
    ++shown;
  }
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
  const bool ordered = f.FirstSideEarlier();
  for (size_t i = f.accesses.size(); i-- > 0;) {
    const Access& a = f.accesses[i];
    const std::string op = a.shown_op();
    std::string what = (i + 1 == f.accesses.size() || !ordered ? Capitalize(op)
                                                               : "Previous " + op) +
                       (a.atomic ? " (atomic)" : "") + " of " + a.object;
    if (a.size && !a.descriptor()) {
      what += " (" + std::to_string(a.size) + (a.size == 1 ? " byte)" : " bytes)");
    }
    o << "  " << st.Bold(what + " by thread " + a.thread) << ":\n";
    StackLines(o, a.stack, "    ", opts, st);
    HeldLine(o, a, "    ");
  }
  if (const auto& h = f.allocation) {
    char at[32];
    std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(h->address));
    o << "  "
      << st.Bold(Capitalize(h->object) +
                 (h->descriptor() ? " opened"
                                  : std::string(" at ") + at +
                                        (h->mapping() ? " mapped" : " allocated")) +
                 " by thread " + h->thread)
      << ":\n";
    StackLines(o, h->stack, "    ", opts, st);
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

// A predicted schedule as a scenario table: one column per thread, one row per step, in
// order; the last rows are the requests that block. Reads, writes and annotation steps are
// left out (they are many, and the JSON has them); long schedules show their end.
void WitnessTable(std::ostream& o, const Finding& f) {
  constexpr size_t kMaxRows = 40;
  std::vector<const WitnessStep*> rows;
  std::vector<std::string> threads;
  for (const WitnessStep& w : f.witness) {
    if (std::find(threads.begin(), threads.end(), w.thread) == threads.end())
      threads.push_back(w.thread);
    if (w.op != "read" && w.op != "write" && w.op != "post" && w.op != "pend") rows.push_back(&w);
  }
  const uint64_t total = f.witness.size() + f.witness_omitted;
  const uint64_t memory = f.witness.size() - rows.size();
  const size_t first = rows.size() > kMaxRows ? rows.size() - kMaxRows : 0;
  auto cell = [](const WitnessStep& w) {
    const bool blocks =
        w.op == "request" || w.op == "wait" || w.op == "join-blocked" || w.op == "sem-wait";
    return w.op + "(" + w.object + ")" + (blocks ? " blocks" : "") +
           (w.op.rfind("race-", 0) == 0 ? " ready" : "");
  };
  size_t width = 12;
  for (const auto& t : threads) width = std::max(width, t.size() + 4);
  for (size_t i = first; i < rows.size(); ++i) width = std::max(width, cell(*rows[i]).size() + 3);
  width = std::min<size_t>(width, 32);
  o << "\n  Predicted schedule (" << f.relation << " reordering of this run, " << total
    << (total == 1 ? " step" : " steps");
  if (memory > 0) o << ", " << memory << " reads, writes and annotations not shown";
  o << "):\n\n";
  std::string header(8, ' '), rule(8, ' ');
  for (const auto& t : threads) {
    header += t + std::string(width > t.size() ? width - t.size() : 1, ' ');
    rule += std::string("----") + std::string(width - 4, ' ');
  }
  while (!header.empty() && header.back() == ' ') header.pop_back();
  while (!rule.empty() && rule.back() == ' ') rule.pop_back();
  o << header << "\n" << rule << "\n";
  if (first + f.witness_omitted > 0) {
    o << "        ... " << first + f.witness_omitted << " earlier steps (--format json lists "
      << (f.witness_omitted ? "the last " + std::to_string(f.witness.size()) : "them all")
      << ")\n";
  }
  for (size_t i = first; i < rows.size(); ++i) {
    const size_t col = std::find(threads.begin(), threads.end(), rows[i]->thread) - threads.begin();
    o << std::string(8 + col * width, ' ') << cell(*rows[i]) << "\n";
  }
  o << (f.kind == "race"   ? "\n   *** DATA RACE ***\n"
        : f.kind == "hang" ? "\n   *** HANG ***\n"
                           : "\n   *** DEADLOCK ***\n");
}

void LockOrderSides(std::ostream& o, const Finding& f, const TextOptions& opts,
                    const Style& st) {
  for (const CycleEdge& e : f.cycle) {
    o << "  " << st.Bold(e.thread + " acquires " + e.to + " while holding " + e.from) << ":\n";
    o << "    " << e.from << " acquired at:\n";
    StackLines(o, e.from_site.stack, "      ", opts, st);
    o << "    " << e.to << " acquired at:\n";
    StackLines(o, e.to_site.stack, "      ", opts, st);
    HeldLine(o, e.to_site, "    ");
  }
  if (f.witness.empty()) Scenario(o, f);
  else WitnessTable(o, f);
}

void DeadlockSides(std::ostream& o, const Finding& f, const TextOptions& opts,
                   const Style& st) {
  for (const CycleEdge& e : f.cycle) {
    if (e.to_site.op == "join") {
      o << "  " << st.Bold(e.from + " waits for thread " + e.to + " to end") << ":\n";
      StackLines(o, e.to_site.stack, "    ", opts, st);
      continue;
    }
    // A wait for something other than a lock's holder to give it up.
    const std::string& op = e.to_site.op;
    const std::string waits =
        op == "wait-process" ? e.from + " waits for " + e.to_site.object + " to end (" + e.to +
                                   " is stuck)"
        : op == "wait"       ? e.from + " waits on " + e.to_site.object + " for " + e.to +
                             " to notify it"
        : op == "sem-wait"   ? e.from + " waits on semaphore " + e.to_site.object + " for " +
                                 e.to + " to post it"
        : op == "pipe-read"  ? e.from + " waits to read " + e.to_site.object + " until " + e.to +
                                  (e.to_site.object.starts_with("eventfd:[")  // no end of file
                                       ? " writes to it"
                                       : " writes to it or closes it")
        : op == "pipe-write" ? e.from + " waits to write to " + e.to_site.object + " until " +
                                   e.to + " reads it"
                             : "";
    if (!waits.empty()) {
      o << "  " << st.Bold(waits) << ":\n";
      StackLines(o, e.to_site.stack, "    ", opts, st);
      HeldLine(o, e.to_site, "    ");
      continue;
    }
    o << "  " << st.Bold(e.from + " waits for " + e.to_site.object + ", held by " + e.to)
      << ":\n";
    o << "    requested at:\n";
    StackLines(o, e.to_site.stack, "      ", opts, st);
    HeldLine(o, e.to_site, "    ");
    o << "    " << e.to << " acquired " << e.from_site.object << " at:\n";
    StackLines(o, e.from_site.stack, "      ", opts, st);
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
    } else if (a.op == "ignore-begin") {
      what = a.thread + " began ignoring " + a.object;
    } else if (f.kind == "contention") {
      what = a.object + " first taken by " + a.thread;
    } else if (a.op == "join") {
      what = a.thread + " joins " + a.object;
    } else if (a.op == "wait-process") {
      what = a.thread + " waits for " + a.object + " to end";
    } else if (a.op == "signal-wait") {
      what = a.thread + " waits for " + a.object;
    } else if (a.op == "pipe-read" || a.op == "pipe-write") {
      what = a.thread + (a.op == "pipe-read" ? " waits to read " : " waits to write to ") +
             a.object;
    } else {
      what = a.thread + " " + a.op + " " + a.object;
    }
    if (a.op == "exit" && a.stack.empty()) {
      // Recorded after the start routine returned: no frame of the thread is left.
      o << "  " << st.Bold(what) << ": its start routine returned\n";
    } else {
      o << "  " << st.Bold(what) << " at:\n";
      StackLines(o, a.stack, "    ", opts, st);
    }
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

// Control characters escaped in every string: names come from the traced program, and an
// escape sequence or a newline in one must not act on the terminal or forge report lines.
void EscapeAll(Report& r) {
  ForEachText(r, [](std::string& s) {
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) {
        s = EscapeControls(s);
        return;
      }
    }
  });
}

std::string EscapedFindingText(const Finding& f, const TextOptions& opts) {
  Style st{opts.color};
  std::ostringstream o;
  o << st.Severity(f.severity, Upper(SeverityName(f.severity))) << ": " << st.Bold(f.title)
    << "  " << st.Dim("[" + f.kind + (f.subkind.empty() ? "" : "/" + f.subkind) + " " +
                      f.fingerprint + "]")
    << "\n";
  if (!f.detail.empty()) o << "  " << f.detail << "\n";
  if (f.confirmed) {
    o << (*f.confirmed ? "  CONFIRMED: a steered run made it happen (" + f.confirmed_trace + ")\n"
                       : std::string("  not confirmed: no steered run made it happen\n"));
  }
  if (f.kind == "race") {
    RaceSides(o, f, opts, st);
    if (!f.witness.empty()) WitnessTable(o, f);
  }
  else if (f.kind == "lock-order") LockOrderSides(o, f, opts, st);
  else if (f.kind == "deadlock") DeadlockSides(o, f, opts, st);
  else GenericSides(o, f, opts, st);
  if ((f.kind == "deadlock" || f.kind == "hang") && !f.witness.empty()) WitnessTable(o, f);
  return o.str();
}

}  // namespace

std::string FindingText(const Finding& finding, const Report&, const TextOptions& opts) {
  Report one;
  one.findings.push_back(finding);
  EscapeAll(one);
  return EscapedFindingText(one.findings[0], opts);
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
  if (report.truncated) {
    o << "; INCOMPLETE trace: the tracer stopped early (size cap or disk full), later events "
         "are missing";
  } else if (report.signal_flushed) {
    o << "; INCOMPLETE trace: the program died of a fatal signal (its events up to then were "
         "all written)";
  } else if (!report.complete) {
    o << "; INCOMPLETE trace: the program was killed or the file cut short, later events are "
         "missing";
  }
  return o.str();
}

std::string RenderText(const Report& original, const TextOptions& opts) {
  Report report = original;
  EscapeAll(report);
  Style st{opts.color};
  std::ostringstream o;
  o << "threadlens: " << (report.trace.empty() ? report.program : report.trace) << ": "
    << report.events << " events, " << report.threads.size() << " threads, "
    << report.locks.size() << " locks";
  if (!report.pids.empty()) {
    // One pid per program image: a process that called exec has two.
    std::vector<uint32_t> pids;
    for (uint32_t pid : report.pids) {
      if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
    }
    o << ", " << pids.size() << (pids.size() == 1 ? " process (pid" : " processes (pid");
    for (uint32_t pid : pids) o << " " << pid;
    o << ")";
    if (pids.size() != report.pids.size()) {
      o << " running " << report.pids.size() << " program images (exec starts one)";
    }
  }
  o << "\n";
  if (report.watchdog) {
    bool timeout = std::any_of(report.findings.begin(), report.findings.end(),
                               [](const Finding& f) { return f.kind == "timeout"; });
    o << (timeout ? "The run's time limit (--timeout) stopped this program.\n"
                  : "The watchdog stopped this program: it was blocked.\n");
  }
  for (const std::string& w : report.warnings) o << st.Severity(Severity::kWarning, "warning") << ": " << w << "\n";
  for (const Finding& f : report.findings) {
    if (f.kind == "contention" && !opts.contention) continue;
    o << "\n" << EscapedFindingText(f, opts);
  }
  if (!report.notes.empty()) o << "\n";
  for (const std::string& n : report.notes) o << "note: " << n << "\n";
  o << "\n" << SummaryLine(report) << "\n";
  return o.str();
}

}  // namespace threadlens::reports
