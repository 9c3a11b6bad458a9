// `threadlens`: parse the command line, run one subcommand, map errors to exit codes.
#include <cstdio>
#include <exception>
#include <vector>

#include "commands.h"
#include "threadlens/analyzer/error.h"

int main(int argc, char** argv) {
  using namespace threadlens;
  CLI::App app{"threadlens: finds data races, deadlocks, lock-order cycles and hangs in C/C++ "
               "programs, and shows them"};
  app.set_version_flag("--version", THREADLENS_VERSION);
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::help);

  std::vector<cli::Command> commands = {
      cli::AddRun(app),    cli::AddDump(app),   cli::AddAnalyze(app),   cli::AddConvert(app),
      cli::AddReport(app), cli::AddCheck(app),  cli::AddScenarios(app), cli::AddTsan(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitClean : kExitBadInput;
  }
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) return run();
    }
    return kExitBadInput;
  } catch (const Error& e) {
    std::fprintf(stderr, "threadlens: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threadlens: internal error: %s\n", e.what());
    return kExitInternal;
  }
}
