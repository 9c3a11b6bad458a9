// `threadlens`: parse the command line, run one subcommand, map errors to exit codes.
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "usage_errors.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens::cli {
namespace {

std::optional<std::vector<std::string>>& Verbatim() {
  static std::optional<std::vector<std::string>> command;
  return command;
}

// The arguments CLI11 parses: up to the `--` of a subcommand that runs a program, then one
// stand-in for the program's command line, which is kept as typed.
std::vector<char*> ParsedArgs(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  static char stand_in[] = "PROGRAM";
  if (argc < 2) return args;
  const std::string_view sub = argv[1];
  if (sub != "run" && sub != "tsan" && sub != "confirm" && sub != "stress") return args;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") != 0) continue;
    if (i + 1 == argc) break;  // nothing after it: CLI11 says what is missing
    SetVerbatimCommand(std::vector<std::string>(argv + i + 1, argv + argc));
    args.resize(i + 2);
    args[i + 1] = stand_in;
    break;
  }
  return args;
}

}  // namespace

void SetVerbatimCommand(std::vector<std::string> command) {
  Verbatim() = std::move(command);
}

void UseVerbatimCommand(std::vector<std::string>& command) {
  if (Verbatim()) command = *Verbatim();
}

}  // namespace threadlens::cli

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

  std::vector<char*> args = cli::ParsedArgs(argc, argv);
  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return cli::ReportUsageError(app, e, static_cast<int>(args.size()), args.data());
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
