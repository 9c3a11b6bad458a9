// `threadlens check TRACE... [--fail-on KINDS] [--baseline F] [--suppressions F]
// [--exit-zero]`: the CI gate. Prints what fails and exits 1 when anything does.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "commands.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/reports/gate.h"
#include "threadlens/reports/outputs.h"

namespace threadlens::cli {

Command AddCheck(CLI::App& app) {
  struct Options {
    std::vector<std::string> traces;
    std::string fail_on = "error";
    std::string baseline;
    std::string suppressions;
    bool exit_zero = false;
    bool allow_incomplete = false;
    bool require_confirmed = false;
    bool quiet = false;
    bool predict = false;
    bool no_tsan_settings = false;
    std::string release_sequences = "c++20";
    std::string color = "auto";
    reports::OutputFiles files;
  };
  auto o = std::make_shared<Options>();
  auto* sub =
      app.add_subcommand("check", "The CI gate: exit 1 when a trace has findings that fail it");
  sub->add_option("traces", o->traces, "Trace files, or JSON findings reports")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option(
         "--fail-on", o->fail_on,
         "Comma-separated finding kinds (race, lock-order, deadlock, self-deadlock, hang, misuse, "
         "contention) and/or severities (error, warning, note), all or none")
      ->capture_default_str();
  sub->add_option("--baseline", o->baseline,
                  "An earlier JSON (or SARIF) report: only new fingerprints fail");
  sub->add_option("--suppressions", o->suppressions,
                  "Suppressions file: KIND:PATTERN lines, # comments (a ThreadSanitizer suppressions file works as it is)");
  sub->add_flag("--exit-zero", o->exit_zero, "Report, but exit 0 even when findings fail the gate");
  sub->add_flag("--require-confirmed", o->require_confirmed,
                "Lock-order cycles fail only when `threadlens confirm` made them happen (give "
                "its --json report)");
  sub->add_flag("--allow-incomplete", o->allow_incomplete,
                "Pass traces the program did not close (killed, size cap, cut short); by "
                "default they fail: events after the cut are missing");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the summary line");
  sub->add_flag("--predict", o->predict,
                "Check each lock-order cycle for a deadlocking reordering of the run: cycles "
                "with none become warnings; predicted races, lost notifications and deadlocks "
                "through a notification fail it");
  sub->add_flag("--no-tsan-settings", o->no_tsan_settings,
                "Also show the findings the program's ThreadSanitizer settings turn off (TSAN_OPTIONS "
                "suppressions and report_* flags, __tsan_default_options/_suppressions)");
  AddReleaseSequences(sub, &o->release_sequences);
  sub->add_option("--color", o->color, "auto, always, never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_option("--html", o->files.html, "Also write the HTML report");
  sub->add_option("--json", o->files.json,
                  "Also write the findings as JSON (a baseline for later runs)");
  sub->add_flag("--timeline", o->files.json_timeline,
                "With --json, add the timeline's lock spans (large on long traces)");
  sub->add_option("--sarif", o->files.sarif, "Also write SARIF 2.1.0");
  sub->add_option("--junit", o->files.junit,
                  "Also write JUnit XML (failures = what fails the gate)");
  sub->add_option("--chrome", o->files.chrome, "Also write Chrome trace events");
  sub->add_option("--dot", o->files.dot,
                  "Also write the whole-trace lock-order and wait-for graphs as one DOT graph");
  sub->add_option("--dot-dir", o->files.dot_dir, "Also write one DOT file per finding here");
  sub->add_option("--source-root", o->files.source_root, "Folder source paths are relative to");
  return {sub, [o]() -> int {
            reports::GateOptions gate;
            gate.fail_on = reports::ParseFailOn(o->fail_on);
            gate.require_confirmed = o->require_confirmed;
            if (!o->baseline.empty()) gate.baseline = reports::LoadBaseline(o->baseline);
            if (!o->suppressions.empty())
              gate.suppressions = reports::Suppressions::Load(o->suppressions);
            AnalyzeOptions analyze;
            analyze.predict = o->predict;
            analyze.tsan_settings = !o->no_tsan_settings;
            analyze.cxx11_release_sequences = OlderReleaseSequences(o->release_sequences);
            auto all = reports::LoadReports(o->traces, analyze, reports::StderrIsTerminal());

            auto result = reports::EvaluateGate(all, gate);
            // Suppressed findings are gone from every output; baselined ones stay visible.
            // What failed, for the text report: traces with nothing failing are left out.
            auto kept = reports::Filter(all, result, reports::Verdict::kFails);
            std::erase_if(
                kept, [](const reports::NamedReport& nr) { return nr.report.findings.empty(); });
            auto shown = all;
            std::vector<std::string> failing;
            for (size_t i = 0; i < all.size(); ++i) {
              shown[i].report.findings.clear();
              for (size_t j = 0; j < all[i].report.findings.size(); ++j) {
                if (result.verdicts[i][j] != reports::Verdict::kSuppressed) {
                  shown[i].report.findings.push_back(all[i].report.findings[j]);
                }
                if (result.verdicts[i][j] == reports::Verdict::kFails) {
                  failing.push_back(all[i].report.findings[j].fingerprint);
                }
              }
            }
            o->files.failing_fingerprints = &failing;
            reports::WriteOutputs(shown, o->files);

            bool color = reports::UseColor(reports::ParseColorMode(o->color), STDOUT_FILENO);
            if (!o->quiet && result.failing > 0)
              std::fputs(reports::TextReport(kept, color).c_str(), stdout);
            if (result.suppressed > 0) {
              std::printf("threadlens check: suppressions removed %zu finding%s:",
                          result.suppressed, result.suppressed == 1 ? "" : "s");
              for (auto& rule : gate.suppressions.rules()) {
                if (rule.hits)
                  std::printf(" %s:%s (%zu)", rule.kind.c_str(), rule.pattern.c_str(), rule.hits);
              }
              std::printf("\n");
            }
            size_t by_settings = 0;
            for (const auto& nr : all) by_settings += nr.report.tsan_settings_removed;
            if (by_settings > 0) {
              std::printf("threadlens check: the program's ThreadSanitizer settings left out %zu "
                          "finding%s (the report's notes say which; --no-tsan-settings shows "
                          "them)\n",
                          by_settings, by_settings == 1 ? "" : "s");
            }
            if (result.baselined > 0) {
              std::printf("threadlens check: %zu finding%s already in the baseline\n",
                          result.baselined, result.baselined == 1 ? " is" : "s are");
            }
            // Missing events may hide any finding: an incomplete trace is no evidence of a pass.
            size_t incomplete = 0;
            for (const auto& nr : all) {
              if (nr.report.complete || o->allow_incomplete) continue;
              ++incomplete;
              const std::string name =
                  EscapeControls(nr.report.trace.empty() ? nr.name : nr.report.trace);
              // No events: imported (`threadlens tsan`), whose warnings say what ended it.
              if (nr.report.events == 0 && !nr.report.warnings.empty()) {
                std::printf("threadlens check: %s is incomplete: %s. Run it again, or pass "
                            "--allow-incomplete\n",
                            name.c_str(), EscapeControls(nr.report.warnings.back()).c_str());
                continue;
              }
              if (!nr.report.truncated && nr.report.signal_flushed) {
                std::printf("threadlens check: %s is incomplete: the program died of a fatal "
                            "signal (its events up to then were written). Fix the crash, or "
                            "pass --allow-incomplete\n",
                            name.c_str());
                continue;
              }
              std::printf("threadlens check: %s is incomplete (%s); its later events "
                          "are missing. Record it again, or pass --allow-incomplete\n",
                          name.c_str(),
                          nr.report.truncated ? "the tracer stopped early: size cap or disk full"
                                              : "the program was killed or the file cut short");
            }
            const bool fails = result.fails() || incomplete > 0;
            const char* verdict_color = !color ? "" : fails ? "\033[1;31m" : "\033[1;32m";
            std::printf(
                "%sthreadlens check: %s%s: %zu failing, %zu passing, %zu baselined, %zu suppressed "
                "in %zu trace%s (fail on %s)\n",
                verdict_color, fails ? "FAILED" : "passed", color ? "\033[0m" : "",
                result.failing, result.passing, result.baselined, result.suppressed, all.size(),
                all.size() == 1 ? "" : "s", o->fail_on.c_str());
            std::fflush(stdout);
            if (fails && !o->exit_zero) return kExitFindings;
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
