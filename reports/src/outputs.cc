// Inputs and outputs shared by `threadlens report` and `threadlens check`.
#include "threadlens/reports/outputs.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "render_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/chrome_trace.h"
#include "threadlens/reports/graphs.h"
#include "threadlens/reports/html_report.h"
#include "threadlens/reports/junit_report.h"
#include "threadlens/reports/sarif_report.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::reports {
namespace {

bool LooksLikeJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c;
  while (in.get(c)) {
    if (!std::isspace(static_cast<unsigned char>(c))) return c == '{' || c == '[';
  }
  return false;
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error("cannot write " + path);
}

// A file-name-safe form of a report name.
std::string FileStem(const std::string& name) {
  std::string s;
  for (char c : name)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  if (s.size() > 60) s.resize(60);
  return s;
}

}  // namespace

std::vector<std::string> WriteFindingDots(const std::string& dir,
                                          const std::vector<NamedReport>& reports) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create " + dir + ": " + ec.message());
  std::vector<std::string> written;
  for (size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i].report;
    // Several traces: each file says which one it belongs to.
    std::string prefix = reports.size() > 1 ? FileStem(reports[i].name) + "-" : "";
    for (size_t j = 0; j < r.findings.size(); ++j) {
      const Finding& f = r.findings[j];
      std::string dot = FindingDot(f, r);
      if (dot.empty()) continue;
      std::string path = (std::filesystem::path(dir) / (prefix + std::to_string(j + 1) + "-" +
                                                        FileStem(f.kind) + ".dot"))
                             .string();
      WriteText(path, dot);
      written.push_back(path);
    }
  }
  return written;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

std::string DisplayName(const Report& r, const std::string& path) {
  if (!r.program.empty()) return std::filesystem::path(r.program).filename().string();
  return std::filesystem::path(path).stem().string();
}

std::vector<NamedReport> LoadReports(const std::vector<std::string>& paths,
                                     const AnalyzeOptions& options, bool progress) {
  std::vector<NamedReport> out;
  std::vector<std::string> origin;  // the file each report came from
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) throw Error(path + ": no such file");
    if (std::filesystem::is_directory(status)) throw Error(path + ": is a directory, not a trace file");
    // A pipe or a device may never end (and opening a FIFO blocks): traces are files.
    if (!std::filesystem::is_regular_file(status)) {
      throw Error(path + ": not a regular file (a pipe or a device); a trace must be a file");
    }
    auto start = std::chrono::steady_clock::now();
    if (progress) {
      std::fprintf(stderr, "threadlens: analyzing %s (%zu/%zu)...", path.c_str(), i + 1,
                   paths.size());
      std::fflush(stderr);
    }
    Report r;
    if (LooksLikeJson(path)) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      // Several reports in one file ({"reports": [...]}, as written for several traces).
      nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.contains("reports") && j["reports"].is_array()) {
        for (auto& one : j["reports"]) {
          Report each = ReportFromJsonValue(one, path);
          std::string name = one.value("name", DisplayName(each, path));
          out.push_back({name, std::move(each)});
          origin.push_back(path);
        }
        if (progress) std::fprintf(stderr, " %zu reports\n", j["reports"].size());
        continue;
      }
      r = ReportFromJson(text.str(), path);
    } else {
      r = AnalyzeFile(path, options);
    }
    if (r.trace.empty()) r.trace = path;
    if (progress) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, " %zu findings, %.1f s\n", r.findings.size(), s);
    }
    out.push_back({DisplayName(r, path), std::move(r)});
    origin.push_back(path);
  }
  // Two traces of one program still need telling apart in an index.
  std::map<std::string, int> seen;
  for (auto& nr : out) seen[nr.name]++;
  for (size_t i = 0; i < out.size(); ++i) {
    if (seen[out[i].name] > 1)
      out[i].name += " (" + std::filesystem::path(origin[i]).filename().string() + ")";
  }
  return out;
}

ColorMode ParseColorMode(const std::string& s) {
  if (s == "auto") return ColorMode::kAuto;
  if (s == "always") return ColorMode::kAlways;
  if (s == "never") return ColorMode::kNever;
  throw Error("--color: expected auto, always or never, not '" + s + "'");
}

bool UseColor(ColorMode mode, int fd) {
  if (mode != ColorMode::kAuto) return mode == ColorMode::kAlways;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(fd) == 1;
}

std::string TextReport(const std::vector<NamedReport>& reports, bool color) {
  TextOptions options;
  options.color = color;
  std::string out;
  for (const NamedReport& nr : reports) {
    if (reports.size() > 1)
      out += (color ? "\033[1m== " : "== ") + nr.name + (color ? " ==\033[0m\n" : " ==\n");
    out += RenderText(nr.report, options);
  }
  return out;
}

std::string ReportsJson(const std::vector<NamedReport>& reports, bool timeline) {
  if (reports.size() == 1) return ToJson(reports[0].report, 2, timeline) + "\n";
  nlohmann::json all = {{"schema", kFindingsSchema}, {"reports", nlohmann::json::array()}};
  for (auto& nr : reports) {
    nlohmann::json j = ToJsonValue(nr.report, timeline);
    j["name"] = nr.name;
    all["reports"].push_back(j);
  }
  return all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void WriteOutputs(const std::vector<NamedReport>& reports, const OutputFiles& files) {
  if (!files.html.empty() || !files.html_dir.empty()) {
    HtmlOptions o;
    o.title = files.title;
    if (!files.source_root.empty()) o.source_roots.push_back(files.source_root);
    const std::vector<NamedReport> shown = WithConfirmingRuns(reports, o);
    if (!files.html.empty()) WriteHtmlReport(files.html, shown, o);
    if (!files.html_dir.empty()) WriteHtmlReportDir(files.html_dir, shown, o);
  }
  if (!files.dot.empty()) WriteText(files.dot, ReportsDot(reports));
  if (!files.dot_dir.empty()) WriteFindingDots(files.dot_dir, reports);
  if (!files.json.empty()) WriteText(files.json, ReportsJson(reports, files.json_timeline));
  if (!files.sarif.empty()) {
    SarifOptions o;
    o.source_root = files.source_root;
#ifdef THREADLENS_VERSION
    o.tool_version = THREADLENS_VERSION;
#endif
    WriteSarif(files.sarif, reports, o);
  }
  if (!files.junit.empty()) {
    JunitOptions o;
    if (files.failing_fingerprints) {
      std::set<std::string> failing(files.failing_fingerprints->begin(),
                                    files.failing_fingerprints->end());
      o.fails = [failing](const Finding& f) { return failing.count(f.fingerprint) > 0; };
    }
    WriteJunit(files.junit, reports, o);
  }
  if (!files.chrome.empty()) WriteChromeTrace(files.chrome, reports);
}

}  // namespace threadlens::reports
