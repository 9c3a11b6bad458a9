// `threadlens report TRACE... [--html F] [--dot F] [--json F] [--sarif F] [--junit F]
// [--chrome F]`: analyze traces (or read JSON findings reports) and write the views; with no
// output file, print the text report.
#include <unistd.h>

#include <cstdio>

#include "commands.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/outputs.h"

namespace threadlens::cli {

Command AddReport(CLI::App& app) {
  struct Options {
    std::vector<std::string> traces;
    reports::OutputFiles files;
    std::string color = "auto";
    bool no_races = false;
    bool no_tsan_settings = false;
    std::string release_sequences = "c++20";
    bool predict = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "report", "Analyze traces and write HTML, DOT, JSON, SARIF, JUnit or Chrome trace views");
  sub->add_option("traces", o->traces,
                  "Trace files, or JSON findings reports from `analyze --format json`")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--html", o->files.html,
                  "One self-contained HTML page (several traces: one section each)");
  sub->add_option("--html-dir", o->files.html_dir,
                  "An index page and one HTML page per trace, in this folder");
  sub->add_option("--dot", o->files.dot,
                  "Graphviz DOT: one graph with the whole-trace lock-order and wait-for graphs");
  sub->add_option("--dot-dir", o->files.dot_dir,
                  "Graphviz DOT: one file per finding (N-kind.dot) in this folder");
  sub->add_option("--json", o->files.json, "The findings as JSON");
  sub->add_flag("--timeline", o->files.json_timeline,
                "With --json, add the timeline's lock spans (large on long traces)");
  sub->add_option("--sarif", o->files.sarif, "SARIF 2.1.0 for code scanning");
  sub->add_option("--junit", o->files.junit,
                  "JUnit XML: a testsuite per trace, a testcase with one failure per finding");
  sub->add_option("--chrome", o->files.chrome, "Chrome trace events (open in ui.perfetto.dev)");
  sub->add_option("--source-root", o->files.source_root,
                  "Folder source paths are relative to (SARIF URIs, HTML snippets)");
  sub->add_option("--title", o->files.title, "Title of the HTML report");
  sub->add_option("--color", o->color,
                  "Colour the text report: auto, always, never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_flag("--no-races", o->no_races, "Skip race detection (faster on huge traces)");
  sub->add_flag("--no-tsan-settings", o->no_tsan_settings,
                "Also show the findings the program's ThreadSanitizer settings turn off (TSAN_OPTIONS "
                "suppressions and report_* flags, __tsan_default_options/_suppressions)");
  AddReleaseSequences(sub, &o->release_sequences);
  sub->add_flag("--predict", o->predict,
                "Check each lock-order cycle for a deadlocking reordering of the run, with its "
                "schedule; also races, lost notifications and deadlocks through a notification");
  return {sub, [o]() -> int {
            AnalyzeOptions analyze;
            analyze.races = !o->no_races;
            analyze.predict = o->predict;
            analyze.tsan_settings = !o->no_tsan_settings;
            analyze.cxx11_release_sequences = OlderReleaseSequences(o->release_sequences);
            auto reports = reports::LoadReports(o->traces, analyze, reports::StderrIsTerminal());
            reports::WriteOutputs(reports, o->files);
            const auto& f = o->files;
            bool wrote =
                !(f.html.empty() && f.html_dir.empty() && f.dot.empty() && f.dot_dir.empty() &&
                  f.json.empty() &&
                  f.sarif.empty() && f.junit.empty() && f.chrome.empty());
            if (!wrote) {
              bool color = reports::UseColor(reports::ParseColorMode(o->color), STDOUT_FILENO);
              std::fputs(reports::TextReport(reports, color).c_str(), stdout);
            }
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
