// `threadlens`: parse the command line, run one subcommand, map errors to exit codes.
#include <cstdio>
#include <exception>
#include <vector>

#include "commands.h"
#include "usage_errors.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings.h"

int main(int argc, char** argv) {
  using namespace threadlens;
  CLI::App app{"threadlens: finds data races, deadlocks, lock-order cycles and hangs in C/C++ "
               "programs, and shows them"};
  app.set_version_flag("--version", THREADLENS_VERSION);
  app.require_subcommand(1);

  std::vector<cli::Command> commands = {
      cli::AddRun(app),    cli::AddDump(app),   cli::AddAnalyze(app),   cli::AddConvert(app),
      cli::AddReport(app), cli::AddCheck(app),  cli::AddScenarios(app), cli::AddTsan(app),
      cli::AddConfirm(app), cli::AddStress(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::ReportUsageError(app, e, argc, argv);
  }
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) return run();
    }
    return kExitBadInput;
  } catch (const Error& e) {
    // Messages may quote the input's bytes: never raw control characters to the terminal.
    std::fprintf(stderr, "threadlens: %s\n", EscapeControls(e.what()).c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threadlens: internal error: %s\n", e.what());
    return kExitInternal;
  }
}
