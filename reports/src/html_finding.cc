// One finding of the HTML report: its scenario, sides with stacks and source snippets, the
// cycle, its graph, its timeline and its text.
#include <algorithm>
#include <sstream>

#include "html_parts.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/graphs.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::reports {

std::string SevBadge(Severity s) {
  std::string n = SeverityName(s);
  return "<span class=\"badge sev-" + n + "\">" + n + "</span>";
}

int SevRank(Severity s) { return static_cast<int>(s); }

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string FindingSite(const Finding& f) {
  for (const Access& a : f.accesses) {
    if (auto s = LongSite(a); s != "?") return s;
  }
  for (const CycleEdge& e : f.cycle) {
    if (auto s = LongSite(e.to_site); s != "?") return s;
  }
  return "";
}

std::string Svg(const std::string& dot) {
  if (dot.empty()) return "";
  try {
    return "<div class=\"graph\">" + RenderSvg(dot) + "</div>";
  } catch (const Error& e) {
    return "<div class=\"warn\">graph could not be drawn: " + H(e.what()) + "</div>";
  }
}

namespace {

// Lockdep's "possible unsafe scenario": one column per thread, one row per step.
std::string Scenario(const Finding& f) {
  std::vector<std::string> cols;
  auto col = [&](const std::string& t) {
    auto it = std::find(cols.begin(), cols.end(), t);
    if (it != cols.end()) return static_cast<size_t>(it - cols.begin());
    cols.push_back(t);
    return cols.size() - 1;
  };
  struct Step {
    size_t col;
    std::string html;
  };
  std::vector<Step> steps;
  std::string heading = "Scenario";
  if (!f.witness.empty()) {
    // A predicted schedule: its steps in order, reads, writes and annotations left out (the
    // JSON has them); the last steps are the blocked requests or the racing accesses.
    heading = "Predicted schedule (" + f.relation + " reordering of this run)";
    for (const WitnessStep& w : f.witness) {
      const size_t c = col(w.thread);
      if (w.op == "read" || w.op == "write" || w.op == "post" || w.op == "pend") continue;
      std::string html = H(w.op) + "(" + H(w.object) + ");" +
                         (w.site.empty() ? "" : " <span class=\"muted\">" + H(w.site) + "</span>");
      if (w.op == "request" || w.op == "wait" || w.op == "join-blocked" || w.op == "sem-wait")
        html = "<span class=\"blocked\">" + html + " *** blocked ***</span>";
      if (w.op.rfind("race-", 0) == 0)
        html = "<span class=\"blocked\">" + html + " *** race ***</span>";
      steps.push_back({c, html});
    }
  } else if (!f.cycle.empty() && f.kind == "lock-order") {
    for (auto& e : f.cycle) col(e.thread);
    for (auto& e : f.cycle) {
      std::string s = ShortSite(e.from_site);
      steps.push_back(
          {col(e.thread), "lock(" + H(e.from) + ");" +
                              (s.empty() ? "" : " <span class=\"muted\">" + H(s) + "</span>")});
    }
    for (auto& e : f.cycle) {
      std::string s = ShortSite(e.to_site);
      steps.push_back(
          {col(e.thread), "lock(" + H(e.to) + ");" +
                              (s.empty() ? "" : " <span class=\"muted\">" + H(s) + "</span>")});
    }
  } else {
    std::vector<const Access*> order;
    for (auto& a : f.accesses) order.push_back(&a);
    std::stable_sort(order.begin(), order.end(), [](const Access* a, const Access* b) {
      return a->event_index < b->event_index;
    });
    // Locks already held come first: that is what makes the later request block.
    for (auto* a : order) {
      for (auto& h : a->held) steps.push_back({col(a->thread), "holds " + H(h)});
    }
    for (auto* a : order) {
      bool blocking = f.kind == "deadlock" || f.kind == "self-deadlock" || f.kind == "hang";
      std::string s = ShortSite(*a);
      std::string html = H(a->op) + (a->object.empty() ? "" : "(" + H(a->object) + ")") + ";" +
                         (s.empty() ? "" : " <span class=\"muted\">" + H(s) + "</span>");
      if (blocking && a->op != "release")
        html = "<span class=\"blocked\">" + html + " *** blocked ***</span>";
      steps.push_back({col(a->thread), html});
    }
  }
  if (cols.empty() || steps.empty()) return "";
  std::ostringstream o;
  o << "<h4>" << H(heading) << "</h4><div class=\"scenario\" style=\"grid-template-columns:repeat("
    << cols.size() << ",1fr)\">";
  for (auto& c : cols) o << "<div class=\"hd\">" << H(c) << "</div>";
  for (auto& s : steps) {
    for (size_t c = 0; c < cols.size(); ++c) o << "<div>" << (c == s.col ? s.html : "") << "</div>";
  }
  o << "</div>";
  return o.str();
}

// The program's own innermost readable frame, else any readable frame: the user wants to
// see their line, not the inside of std::mutex.
std::string BestSnippet(const Access& a, SourceCache& src) {
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& fr : a.stack) {
      if (pass == 0 && IsSystemFrame(fr)) continue;
      if (auto s = src.Snippet(fr); !s.empty()) return s;
    }
  }
  return "";
}

// A stack as an ordered list. Runs of library frames fold into one expandable line, so the
// program's own frames stand out; a stack with no frame of the program's is shown whole.
std::string StackList(const Stack& stack) {
  bool has_program = false;
  for (auto& fr : stack) has_program |= OriginOf(fr) == FrameOrigin::kProgram;
  std::ostringstream o;
  o << "<ol class=\"stack mono\">";
  for (size_t i = 0; i < stack.size();) {
    FrameOrigin origin = OriginOf(stack[i]);
    size_t end = i + 1;
    if (has_program && origin != FrameOrigin::kProgram) {
      while (end < stack.size() && OriginOf(stack[end]) != FrameOrigin::kProgram) ++end;
    }
    if (end - i == 1 || !has_program || origin == FrameOrigin::kProgram) {
      for (; i < end; ++i) {
        o << "<li value=\"" << i + 1 << "\""
          << (OriginOf(stack[i]) == FrameOrigin::kProgram ? "" : " class=\"lib\"") << ">"
          << H(stack[i].Describe()) << "</li>";
      }
      continue;
    }
    std::vector<FrameOrigin> origins;  // in order of first appearance, for the summary
    for (size_t k = i; k < end; ++k) {
      if (std::find(origins.begin(), origins.end(), OriginOf(stack[k])) == origins.end())
        origins.push_back(OriginOf(stack[k]));
    }
    std::string where;
    for (size_t k = 0; k < origins.size(); ++k) {
      where += (k == 0 ? "" : k + 1 == origins.size() ? " and " : ", ");
      where += OriginName(origins[k]);
    }
    o << "<li value=\"" << i + 1 << "\" class=\"lib\"><details><summary>" << end - i
      << " frames in " << H(where) << "</summary><ol class=\"stack mono\" start=\"" << i + 1 << "\">";
    for (; i < end; ++i) o << "<li>" << H(stack[i].Describe()) << "</li>";
    o << "</ol></details></li>";
  }
  o << "</ol>";
  return o.str();
}

std::string Side(const Access& a, const std::string& heading, SourceCache& src) {
  std::ostringstream o;
  o << "<div class=\"side\"><b>" << heading << "</b> ";
  o << "<div>thread <b>" << H(a.thread) << "</b>";
  if (a.tid) o << " <span class=\"muted\">(tid " << a.tid << ")</span>";
  o << ": " << H(a.shown_op());
  if (!a.object.empty()) o << " of <code>" << H(a.object) << "</code>";
  if (a.size && !a.descriptor())
    o << " <span class=\"muted\">(" << a.size << (a.size == 1 ? " byte" : " bytes")
      << (a.atomic ? ", atomic" : "") << ")</span>";
  o << "</div>";
  o << "<div>holding: "
    << (a.held.empty() ? "<span class=\"muted\">no locks</span>"
                       : "<code>" + H(Join(a.held)) + "</code>")
    << "</div>";
  if (!a.stack.empty()) {
    o << StackList(a.stack);
    if (auto s = BestSnippet(a, src); !s.empty()) o << s;
  } else if (a.op == "exit") {
    o << "<div class=\"muted\">its start routine returned</div>";
  }
  o << "</div>";
  return o.str();
}

}  // namespace

std::string FindingSection(const Report& r, const Finding& f, const std::string& id, size_t index,
                           SourceCache& src, const HtmlOptions& options,
                           const std::string& timeline_id) {
  std::ostringstream o;
  std::string sev = SeverityName(f.severity);
  o << "<section class=\"finding sev-" << sev << "-box\" id=\"" << id << "\" data-kind=\""
    << H(f.kind) << "\">";
  o << "<h3>#" << index + 1 << " " << SevBadge(f.severity)
    << " <span class=\"badge\" style=\"background:#eef\">" << H(f.kind)
    << (f.subkind.empty() ? "" : " / " + H(f.subkind)) << "</span> ";
  if (f.confirmed) {
    o << (*f.confirmed ? "<span class=\"badge confirmed\" style=\"background:#d6f5d6\" title=\"" +
                             H(f.confirmed_trace) + "\">confirmed</span> "
                       : std::string("<span class=\"badge unconfirmed\" "
                                     "style=\"background:#eee\">not confirmed</span> "));
    auto run = options.confirming_sections.find(f.confirmed_trace);
    if (*f.confirmed && run != options.confirming_sections.end()) {
      o << "<a class=\"confirming\" href=\"#" << H(run->second) << "\">the confirming run</a> ";
    }
  }
  if (f.predicted && *f.predicted) {
    o << "<span class=\"badge predicted\" style=\"background:#fde2c8\" title=\"" + H(f.relation) +
             " reordering\">predicted</span> ";
  }
  o << H(f.title) << "</h3>";
  if (!f.detail.empty()) o << "<p>" << H(f.detail) << "</p>";
  o << "<div class=\"muted\">";
  if (!f.threads.empty()) o << "threads: " << H(Join(f.threads)) << " &middot; ";
  if (!f.locks.empty()) o << "locks: " << H(Join(f.locks)) << " &middot; ";
  if (!f.variables.empty()) o << "variables: " << H(Join(f.variables)) << " &middot; ";
  o << "fingerprint <code>" << H(f.fingerprint) << "</code></div>";
  o << Scenario(f);
  if (!f.accesses.empty()) {
    o << "<h4>Where</h4><div class=\"sides\">";
    for (size_t i = 0; i < f.accesses.size(); ++i) {
      o << Side(f.accesses[i], f.accesses.size() > 1 ? "Side " + std::to_string(i + 1) : "Site",
                src);
    }
    if (f.allocation) {
      const char* what = f.allocation->descriptor() ? "Opened"
                         : f.allocation->mapping()  ? "Mapped"
                                                    : "Allocation";
      o << Side(*f.allocation, what, src);
    }
    o << "</div>";
  }
  if (!f.cycle.empty()) {
    // Lock-order edges go lock -> lock; wait-for edges (deadlock) go thread -> thread.
    bool wait_for = f.kind != "lock-order";
    if (wait_for) {
      o << "<h4>Cycle</h4><table><thead><tr><th>thread</th><th>waits for</th><th>held by</th>"
           "<th>requested at</th><th>holder took it at</th></tr></thead><tbody>";
    } else {
      o << "<h4>Cycle</h4><table><thead><tr><th>holding</th><th>takes</th><th>thread</th><th>held "
           "since</th>"
           "<th>requested at</th></tr></thead><tbody>";
    }
    for (auto& e : f.cycle) {
      if (wait_for) {
        o << "<tr><td>" << H(e.from) << "</td><td>"
          << (e.to_site.op == "wait"           ? "a notification of "
              : e.to_site.op == "sem-wait"     ? "a post of "
              : e.to_site.op == "wait-process" ? "the end of "
              : e.to_site.op == "pipe-read" && e.to_site.object.starts_with("eventfd:[")
                  ? "a write to "
              : e.to_site.op == "pipe-read"    ? "data or end of file in "
              : e.to_site.op == "pipe-write"   ? "room in "
                                               : "")
          << "<code>"
          << H(e.to_site.object)
          << "</code></td><td>" << H(e.to) << "</td><td class=\"mono\">" << H(LongSite(e.to_site))
          << "</td><td class=\"mono\">" << H(LongSite(e.from_site)) << "</td></tr>";
      } else {
        o << "<tr><td><code>" << H(e.from) << "</code></td><td><code>" << H(e.to)
          << "</code></td><td>" << H(e.thread) << "</td><td class=\"mono\">"
          << H(LongSite(e.from_site)) << "</td><td class=\"mono\">" << H(LongSite(e.to_site))
          << "</td></tr>";
      }
    }
    o << "</tbody></table>";
    // Where each thread asked for what closed the cycle, with source.
    std::vector<std::string> snippets;
    for (auto& e : f.cycle) {
      if (auto s = BestSnippet(e.to_site, src); !s.empty()) {
        std::string caption =
            wait_for ? "<b>" + H(e.from) + "</b> requests <code>" + H(e.to_site.object) + "</code>"
                     : "<b>" + H(e.thread) + "</b> takes <code>" + H(e.to) +
                           "</code> holding <code>" + H(e.from) + "</code>";
        snippets.push_back("<div class=\"side\">" + caption + s + "</div>");
      }
    }
    if (!snippets.empty() && f.accesses.empty())
      o << "<div class=\"sides\">" << Join(snippets, "") << "</div>";
  }
  if (f.contention) {
    auto& c = *f.contention;
    o << "<p>" << c.acquisitions << " acquisitions, " << c.contended << " contended; waited "
      << FormatDuration(c.total_wait_ns, 1'000'000'000) << " in total (max "
      << FormatDuration(c.max_wait_ns, 1'000'000'000) << ").</p>";
  }
  if (auto dot = FindingDot(f, r); !dot.empty()) o << "<h4>Graph</h4>" << Svg(dot);
  if (!r.spans.empty() || !f.accesses.empty()) {
    o << "<h4>Timeline</h4>" << TimelineView(r, timeline_id, &f, options.max_timeline_spans);
  }
  if (!f.witness.empty()) o << "<h4>Predicted schedule, step by step</h4>" << WitnessTimeline(f);
  // The same finding as plain text, to paste into a bug report.
  o << "<details><summary>As text</summary><pre class=\"finding-text\">" << H(FindingText(f, r))
    << "</pre></details>";
  o << "</section>";
  return o.str();
}

}  // namespace threadlens::reports
