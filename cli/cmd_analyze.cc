// `threadlens analyze TRACE [--format text|json] [--timeline]`: run every detector over one
// trace and print the findings. Exit 0 even with findings (the gate is `check`); 2 on bad input.
#include <unistd.h>

#include <cstdio>

#include "commands.h"
#include "progress.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/outputs.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::cli {

Command AddAnalyze(CLI::App& app) {
  struct Options {
    std::string trace;
    std::string format = "text";
    std::string color = "auto";
    bool no_races = false;
    bool no_tsan_settings = false;
    std::string release_sequences = "c++20";
    bool no_contention = false;
    bool full_stacks = false;
    bool timeline = false;
    bool predict = false;
    size_t max_cycle_length = 64;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "analyze", "Find races, lock-order cycles, deadlocks, hangs and lock misuse in a trace");
  sub->add_option("trace", o->trace, "Trace file (binary, or RAPID STD text)")->required();
  sub->add_option("--format", o->format, "text (default) or json (stdout stays clean JSON)")
      ->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--color", o->color, "Colour the text: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->add_flag("--no-races", o->no_races, "Skip race detection");
  sub->add_flag("--no-tsan-settings", o->no_tsan_settings,
                "Also show the findings the program's ThreadSanitizer settings turn off (TSAN_OPTIONS "
                "suppressions and report_* flags, __tsan_default_options/_suppressions)");
  AddReleaseSequences(sub, &o->release_sequences);
  sub->add_flag("--no-contention", o->no_contention, "Leave out contention notes");
  sub->add_flag("--full-stacks", o->full_stacks,
                "Show every frame of every stack; by default runs of library frames are "
                "folded into one line");
  sub->add_flag("--timeline", o->timeline,
                "With --format json, add the timeline's lock spans (large on long traces)");
  sub->add_flag("--predict", o->predict,
                "Check each lock-order cycle for a reordering of this run that deadlocks "
                "(sync-preserving, sound): the finding then carries its schedule; cycles with "
                "none become warnings. Also races beyond happens-before (sync-preserving, then "
                "WCP proved by a schedule), lost notifications and deadlocks through a "
                "notification, each with its schedule");
  sub->add_option("--max-cycle-length", o->max_cycle_length,
                  "Longest lock-order cycle searched, in locks (default 64)")
      ->check(CLI::Range(2, 64));
  return {sub, [o]() -> int {
            AnalyzeOptions opts;
            opts.races = !o->no_races;
            opts.contention = !o->no_contention;
            opts.max_cycle_length = o->max_cycle_length;
            opts.predict = o->predict;
            opts.tsan_settings = !o->no_tsan_settings;
            opts.cxx11_release_sequences = OlderReleaseSequences(o->release_sequences);
            // Only the JSON timeline shows lock spans: building them costs a name per span.
            if (!(o->format == "json" && o->timeline)) opts.max_spans = 0;
            Report report;
            {
              Progress progress("analyzing " + o->trace);
              if (progress.enabled())
                opts.progress = [&progress](uint64_t events) { progress.Update(events); };
              report = AnalyzeFile(o->trace, opts);
            }
            for (const std::string& w : report.warnings) {
              std::fprintf(stderr, "threadlens: warning: %s\n", EscapeControls(w).c_str());
            }
            if (o->format == "json") {
              std::string out = ToJson(report, 2, o->timeline);
              out += '\n';
              std::fwrite(out.data(), 1, out.size(), stdout);
            } else {
              reports::TextOptions text;
              text.color = reports::UseColor(reports::ParseColorMode(o->color), STDOUT_FILENO);
              if (o->full_stacks) {
                text.fold_library_frames = false;
                text.max_frames = SIZE_MAX;
              }
              std::string out = reports::RenderText(report, text);
              std::fwrite(out.data(), 1, out.size(), stdout);
            }
            return kExitClean;
          }};
}

}  // namespace threadlens::cli
