// The one-page HTML report. Layout: index (several traces) -> per trace: summary, findings
// table, whole-trace graphs and timeline, one section per finding, contention table.
// Every program-derived string goes through H() (XmlEscape); SVG from Graphviz is safe
// because labels are escaped for DOT and Graphviz escapes them again for XML.
#include "threadlens/reports/html_report.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "render_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/graphs.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::reports {
namespace {

std::string H(std::string_view s) { return XmlEscape(s); }

constexpr const char* kKinds[] = {"deadlock", "self-deadlock", "lock-order", "race",
                                  "hang",     "misuse",        "contention"};

constexpr const char* kCss = R"CSS(
:root{--fg:#1d2330;--muted:#5f6b7a;--line:#dfe3ea;--bg:#fff;--soft:#f6f8fb;--red:#c62828;
--orange:#e67e22;--blue:#2f6fd6;--green:#2e7d32}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg);margin:0;padding:0 24px 48px}
header.top{border-bottom:1px solid var(--line);padding:16px 0;margin-bottom:16px}
h1{font-size:22px;margin:0}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0 0 6px}h4{font-size:13px;margin:12px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.muted{color:var(--muted)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.counts{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 12px}
.count{border:1px solid var(--line);border-radius:6px;padding:6px 10px;background:var(--soft)}
.count b{font-size:18px;margin-right:4px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}
.sev-error{background:#fde7e7;color:var(--red)}.sev-warning{background:#fff1dc;color:#a15c00}.sev-note{background:#e6eefc;color:var(--blue)}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[data-dir=asc]::after{content:" \25B2"}table.sortable th[data-dir=desc]::after{content:" \25BC"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.filters{display:flex;gap:8px;align-items:center;margin:6px 0}
.filters input{padding:4px 8px;min-width:260px;border:1px solid var(--line);border-radius:4px}
section.finding{border:1px solid var(--line);border-left:4px solid var(--red);border-radius:6px;padding:12px 16px;margin:16px 0}
section.finding.sev-warning-box{border-left-color:var(--orange)}section.finding.sev-note-box{border-left-color:var(--blue)}
.scenario{display:grid;gap:0;border:1px solid var(--line);border-radius:4px;overflow:hidden;margin:6px 0}
.scenario div{padding:3px 10px;border-bottom:1px solid var(--line);min-height:1.6em}
.scenario .hd{background:var(--soft);font-weight:600}.scenario .blocked{color:var(--red);font-weight:600}
.sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px}
.side{border:1px solid var(--line);border-radius:4px;padding:8px 10px;background:#fcfdff}
ol.stack{margin:4px 0;padding-left:22px}ol.stack li{margin:1px 0}ol.stack li.lib{color:var(--muted,#6b7280)}ol.stack summary{cursor:pointer}
pre.snippet{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:4px 0;overflow:auto;margin:4px 0}
pre.finding-text{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px;overflow:auto}
pre.snippet span{display:block;padding:0 8px}pre.snippet span.hl{background:#ffe3a3;font-weight:600}
.graph,.timeline{overflow:auto;border:1px solid var(--line);border-radius:4px;padding:6px;margin:6px 0;background:#fff}
.graph svg{max-width:100%;height:auto}
details>summary{cursor:pointer;color:var(--blue);margin:6px 0}
.warn{background:#fff6e0;border:1px solid #f3d48a;border-radius:4px;padding:6px 10px;margin:6px 0}
a{color:var(--blue);text-decoration:none}a:hover{text-decoration:underline}
)CSS";

// Sorting (click a header; numbers sort as numbers, data-sort overrides the text) and
// filtering (free text and kind) of the findings tables. No libraries, nothing fetched.
constexpr const char* kJs = R"JS(
(function(){
function key(td){var v=td.getAttribute('data-sort');if(v===null)v=td.textContent.trim();
 var n=Number(v);return (v!==''&&!isNaN(n))?{n:n}:{s:v.toLowerCase()};}
function cmp(a,b){if('n' in a&&'n' in b)return a.n-b.n;var x=('s' in a)?a.s:String(a.n),y=('s' in b)?b.s:String(b.n);return x<y?-1:x>y?1:0;}
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('thead th').forEach(function(th,i){th.addEventListener('click',function(){
  var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';
  t.querySelectorAll('thead th').forEach(function(o){o.removeAttribute('data-dir');});
  th.setAttribute('data-dir',dir);var tb=t.tBodies[0];var rows=Array.prototype.slice.call(tb.rows);
  rows.sort(function(r1,r2){var c=cmp(key(r1.cells[i]),key(r2.cells[i]));return dir==='asc'?c:-c;});
  rows.forEach(function(r){tb.appendChild(r);});});});});
document.querySelectorAll('.filters').forEach(function(f){
 var t=document.getElementById(f.getAttribute('data-table'));var q=f.querySelector('input');var k=f.querySelector('select');
 function apply(){var text=q.value.toLowerCase(),kind=k.value;
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
   var ok=(!kind||r.getAttribute('data-kind')===kind)&&(!text||r.textContent.toLowerCase().indexOf(text)>=0);
   r.style.display=ok?'':'none';});}
 q.addEventListener('input',apply);k.addEventListener('change',apply);});
})();
)JS";

// Reads source files once per report, trying the path as given, then each source root.
class SourceCache {
 public:
  explicit SourceCache(const HtmlOptions& o) : options_(o) {}

  const std::vector<std::string>* Lines(const std::string& file) {
    if (!options_.source_snippets || file.empty()) return nullptr;
    auto it = cache_.find(file);
    if (it != cache_.end()) return it->second.empty() ? nullptr : &it->second;
    std::vector<std::string>& lines = cache_[file];
    std::vector<std::filesystem::path> candidates{file};
    if (std::filesystem::path(file).is_relative()) {
      for (auto& root : options_.source_roots)
        candidates.push_back(std::filesystem::path(root) / file);
    }
    for (auto& p : candidates) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(p, ec)) continue;
      // Refuse huge files: a snippet is a few lines, not a reason to read a blob.
      if (std::filesystem::file_size(p, ec) > (8u << 20)) continue;
      std::ifstream in(p);
      std::string line;
      while (std::getline(in, line)) lines.push_back(line);
      break;
    }
    return lines.empty() ? nullptr : &lines;
  }

  std::string Snippet(const Frame& f) {
    if (f.line <= 0) return "";
    const auto* lines = Lines(f.file);
    if (lines == nullptr || f.line > static_cast<int>(lines->size())) return "";
    int first = std::max(1, f.line - options_.snippet_context);
    int last = std::min(static_cast<int>(lines->size()), f.line + options_.snippet_context);
    std::ostringstream o;
    o << "<pre class=\"snippet\">";
    for (int n = first; n <= last; ++n) {
      char num[16];
      std::snprintf(num, sizeof num, "%5d  ", n);
      o << "<span" << (n == f.line ? " class=\"hl\"" : "") << ">" << num << H((*lines)[n - 1])
        << "</span>";
    }
    o << "</pre>";
    return o.str();
  }

 private:
  const HtmlOptions& options_;
  std::map<std::string, std::vector<std::string>> cache_;
};

std::string SevBadge(Severity s) {
  std::string n = SeverityName(s);
  return "<span class=\"badge sev-" + n + "\">" + n + "</span>";
}

int SevRank(Severity s) { return static_cast<int>(s); }

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// The first site the finding points at, for the table's location column.
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
  if (!f.cycle.empty() && f.kind == "lock-order") {
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
  o << "<h4>Scenario</h4><div class=\"scenario\" style=\"grid-template-columns:repeat("
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
  o << ": " << H(a.op);
  if (!a.object.empty()) o << " of <code>" << H(a.object) << "</code>";
  if (a.size)
    o << " <span class=\"muted\">(" << a.size << " bytes" << (a.atomic ? ", atomic" : "")
      << ")</span>";
  o << "</div>";
  o << "<div>holding: "
    << (a.held.empty() ? "<span class=\"muted\">no locks</span>"
                       : "<code>" + H(Join(a.held)) + "</code>")
    << "</div>";
  if (!a.stack.empty()) {
    o << StackList(a.stack);
    if (auto s = BestSnippet(a, src); !s.empty()) o << s;
  }
  o << "</div>";
  return o.str();
}

std::string FindingSection(const Report& r, const Finding& f, const std::string& id, size_t index,
                           SourceCache& src, const HtmlOptions& options) {
  std::ostringstream o;
  std::string sev = SeverityName(f.severity);
  o << "<section class=\"finding sev-" << sev << "-box\" id=\"" << id << "\" data-kind=\""
    << H(f.kind) << "\">";
  o << "<h3>#" << index + 1 << " " << SevBadge(f.severity)
    << " <span class=\"badge\" style=\"background:#eef\">" << H(f.kind)
    << (f.subkind.empty() ? "" : " / " + H(f.subkind)) << "</span> " << H(f.title) << "</h3>";
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
        o << "<tr><td>" << H(e.from) << "</td><td><code>" << H(e.to_site.object)
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
    o << "<h4>Timeline</h4><div class=\"timeline\">"
      << TimelineSvg(r, &f, options.max_timeline_spans) << "</div>";
  }
  // The same finding as plain text, to paste into a bug report.
  o << "<details><summary>As text</summary><pre class=\"finding-text\">" << H(FindingText(f, r))
    << "</pre></details>";
  o << "</section>";
  return o.str();
}

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
  o << "<section class=\"trace\" id=\"" << p << "\">";
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
      o << "<h4>Timeline</h4><div class=\"timeline\">"
        << TimelineSvg(r, nullptr, options.max_timeline_spans) << "</div>";
      if (r.spans_truncated)
        o << "<div class=\"muted\">The analyzer kept only part of the lock spans.</div>";
    }
    o << "</details>";
  }

  for (size_t i : bugs) {
    o << FindingSection(r, r.findings[i], p + "-f" + std::to_string(i), i, src, options);
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

std::string PageStart(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         // No network: the page may only use what it carries inline.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
         "<title>" +
         H(title) + "</title><style>" + kCss + "</style></head><body>";
}

std::string PageEnd() { return std::string("<script>") + kJs + "</script></body></html>\n"; }

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

std::string TimelineSvg(const Report& r, const Finding* focus, size_t max_spans) {
  // Lanes: every thread, or only the focus finding's threads (by tid or name).
  std::vector<const ThreadInfo*> lanes;
  std::set<uint32_t> focus_tids;
  std::set<std::string> focus_names;
  if (focus) {
    for (auto& a : focus->accesses) focus_tids.insert(a.tid), focus_names.insert(a.thread);
    for (auto& e : focus->cycle) focus_tids.insert(e.tid), focus_names.insert(e.thread);
    for (auto& t : focus->threads) focus_names.insert(t);
  }
  for (auto& t : r.threads) {
    if (!focus || focus_names.count(t.name) || (t.tid && focus_tids.count(t.tid)))
      lanes.push_back(&t);
  }
  // Threads the report does not list still get a lane for their marks.
  std::vector<ThreadInfo> extra;
  if (focus) {
    for (auto& a : focus->accesses) {
      bool known =
          std::any_of(lanes.begin(), lanes.end(), [&](auto* t) { return t->name == a.thread; }) ||
          std::any_of(extra.begin(), extra.end(), [&](auto& t) { return t.name == a.thread; });
      if (!known) extra.push_back({a.tid, a.thread, 0, 0, 0, false});
    }
  }
  for (auto& t : extra) lanes.push_back(&t);

  uint64_t t0 = r.begin_ticks, t1 = r.end_ticks;
  auto widen = [&](uint64_t v) {
    if (t0 == 0 && t1 == 0) t0 = t1 = v;
    t0 = std::min(t0, v);
    t1 = std::max(t1, v);
  };
  if (t1 <= t0) {
    for (auto& s : r.spans) widen(s.begin), widen(s.end);
    if (focus)
      for (auto& a : focus->accesses) widen(a.ts);
  }
  if (t1 <= t0) t1 = t0 + 1;
  const uint64_t trace_begin = t0;
  // A finding's timeline zooms to its accesses (with a margin), so that two racing accesses
  // a microsecond apart in a minute-long trace are still two marks, not one.
  if (focus) {
    uint64_t lo = UINT64_MAX, hi = 0;
    auto take = [&](const Access& a) {
      if (a.ts == 0) return;
      lo = std::min(lo, a.ts);
      hi = std::max(hi, a.ts);
    };
    for (auto& a : focus->accesses) take(a);
    for (auto& e : focus->cycle) take(e.from_site), take(e.to_site);
    if (lo <= hi) {
      uint64_t margin = std::max((hi - lo) / 5, (t1 - t0) / 20);
      uint64_t w0 = lo > t0 + margin ? lo - margin : t0;
      uint64_t w1 = std::min(t1, hi + margin);
      if (w1 > w0 && (w1 - w0) * 2 < (t1 - t0)) t0 = w0, t1 = w1;
    }
  }

  const int kLabelW = 140, kPlotW = 760, kLaneH = 26, kTop = 22;
  int height = kTop + static_cast<int>(lanes.size()) * kLaneH + 8;
  auto X = [&](uint64_t t) {
    t = std::clamp(t, t0, t1);
    return kLabelW + static_cast<double>(t - t0) * kPlotW / static_cast<double>(t1 - t0);
  };
  std::map<uint32_t, int> lane_of_tid;
  std::map<std::string, int> lane_of_name;
  for (size_t i = 0; i < lanes.size(); ++i) {
    lane_of_tid[lanes[i]->tid] = static_cast<int>(i);
    lane_of_name[lanes[i]->name] = static_cast<int>(i);
  }
  std::set<std::string> focus_locks;
  if (focus) {
    focus_locks.insert(focus->locks.begin(), focus->locks.end());
    for (auto& a : focus->accesses) focus_locks.insert(a.held.begin(), a.held.end());
  }

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline-svg\" width=\""
    << kLabelW + kPlotW + 10 << "\" height=\"" << height << "\" viewBox=\"0 0 "
    << kLabelW + kPlotW + 10 << " " << height
    << "\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">";
  o << "<text x=\"" << kLabelW << "\" y=\"12\" fill=\"#5f6b7a\">"
    << (t0 == trace_begin ? "0" : H(FormatDuration(t0 - trace_begin, r.ticks_per_second)))
    << "</text><text x=\"" << kLabelW + kPlotW
    << "\" y=\"12\" text-anchor=\"end\" fill=\"#5f6b7a\">"
    << H(FormatDuration(t1 - trace_begin, r.ticks_per_second)) << "</text>";
  // Legend, between the two axis labels.
  int lx = kLabelW + kPlotW / 2 - 110;
  o << "<g class=\"legend\" fill=\"#5f6b7a\"><rect x=\"" << lx
    << "\" y=\"4\" width=\"14\" height=\"8\" fill=\"#2f6fd6\"/>"
    << "<text x=\"" << lx + 18 << "\" y=\"12\">hold</text><rect x=\"" << lx + 60
    << "\" y=\"4\" width=\"14\" height=\"8\" fill=\"#e67e22\"/><text x=\"" << lx + 78
    << "\" y=\"12\">wait</text>";
  if (focus) {
    o << "<path d=\"M" << lx + 130 << " 3 l5 0 l-5 9 l-5 -9 z\" fill=\"#c62828\"/><text x=\""
      << lx + 140 << "\" y=\"12\">this finding</text>";
  }
  o << "</g>";
  for (size_t i = 0; i < lanes.size(); ++i) {
    int y = kTop + static_cast<int>(i) * kLaneH;
    o << "<rect x=\"" << kLabelW << "\" y=\"" << y + 3 << "\" width=\"" << kPlotW << "\" height=\""
      << kLaneH - 6 << "\" fill=\"" << (i % 2 ? "#f6f8fb" : "#fbfcfe") << "\"/>";
    o << "<text x=\"4\" y=\"" << y + 17 << "\">"
      << H(lanes[i]->name.empty() ? "T" + std::to_string(lanes[i]->tid) : lanes[i]->name)
      << (lanes[i]->blocked_at_end ? " (blocked)" : "") << "</text>";
  }
  size_t drawn = 0, skipped = 0;
  for (auto& s : r.spans) {
    auto it = lane_of_tid.find(s.tid);
    if (it == lane_of_tid.end()) continue;
    if (s.end < t0 || s.begin > t1) continue;
    if (drawn >= max_spans) {
      ++skipped;
      continue;
    }
    ++drawn;
    int y = kTop + it->second * kLaneH;
    bool wait = s.kind == "wait";
    bool hot = focus_locks.count(s.object) > 0;
    double x = X(s.begin), w = std::max(1.5, X(s.end) - x);
    const char* fill = wait                      ? "#e67e22"
                       : s.kind == "hold-shared" ? "#8fb5ef"
                       : hot                     ? "#2f6fd6"
                                                 : "#9bbbe9";
    o << "<rect class=\"" << (wait ? "wait" : "hold") << "\" x=\"" << x << "\" y=\""
      << y + (wait ? 14 : 6) << "\" width=\"" << w << "\" height=\"8"
      << "\" fill=\"" << fill << "\" rx=\"1\"><title>"
      << H(s.kind + " " + s.object + " for " + FormatDuration(s.end - s.begin, r.ticks_per_second))
      << "</title></rect>";
  }
  if (focus) {
    for (auto& a : focus->accesses) {
      int lane = lane_of_name.count(a.thread) ? lane_of_name[a.thread]
                 : lane_of_tid.count(a.tid)   ? lane_of_tid[a.tid]
                                              : -1;
      if (lane < 0) continue;
      int y = kTop + lane * kLaneH;
      double x = X(a.ts);
      o << "<path class=\"mark\" d=\"M" << x << " " << y + 2
        << " l5 -0 l-5 9 l-5 -9 z\" fill=\"#c62828\"><title>"
        << H(a.op + " " + a.object + " " + LongSite(a)) << "</title></path>";
      o << "<line x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << y + 3 << "\" y2=\""
        << y + kLaneH - 3 << "\" stroke=\"#c62828\" stroke-width=\"1.5\"/>";
    }
  }
  o << "</svg>";
  if (skipped) o << "<div class=\"muted\">" << skipped << " more spans not drawn.</div>";
  return o.str();
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
