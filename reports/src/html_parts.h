// Pieces of the HTML report shared by its source files: escaping, the page frame, source
// snippets, finding sections and timelines. Private to the reports library.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "render_util.h"
#include "threadlens/reports/html_report.h"

namespace threadlens::reports {

inline std::string H(std::string_view s) { return XmlEscape(s); }

inline constexpr const char* kKinds[] = {"deadlock", "self-deadlock", "lock-order", "race",
                                         "hang",     "misuse",        "contention"};

// <!DOCTYPE html> to <body>, with the CSS; and the scripts to </html>.
std::string PageStart(const std::string& title);
std::string PageEnd();

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

std::string SevBadge(Severity s);
int SevRank(Severity s);
std::string Join(const std::vector<std::string>& v, const char* sep = ", ");
// The first site the finding points at, for the table's location column.
std::string FindingSite(const Finding& f);
// A graph as inline SVG, or a note saying why it could not be drawn.
std::string Svg(const std::string& dot);

// One finding: scenario, sides with stacks and snippets, cycle, graph, timeline, text.
// `timeline_id` names the report's span block (TimelineData).
std::string FindingSection(const Report& r, const Finding& f, const std::string& id, size_t index,
                           SourceCache& src, const HtmlOptions& options,
                           const std::string& timeline_id);

// The report's lock spans, once per page, as a JSON block with id `id`.
std::string TimelineData(const Report& r, const std::string& id);
// A predicted finding's schedule as a timeline of its own ("" without a witness).
std::string WitnessTimeline(const Finding& f);
// A timeline drawn by the page's script from the block `data_id`: every thread, or with
// `focus` that finding's threads, zoomed to its accesses, which are marked.
std::string TimelineView(const Report& r, const std::string& data_id, const Finding* focus,
                         size_t max_spans);

}  // namespace threadlens::reports
