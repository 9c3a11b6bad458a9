// The subcommands of `threadlens`, one file each (cmd_<name>.cc). Each Add* function adds its
// subcommand to the app and returns the function that runs it once the command line parsed.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace threadlens::cli {

using Runner = std::function<int()>;
using Command = std::pair<CLI::App*, Runner>;

Command AddRun(CLI::App& app);
Command AddDump(CLI::App& app);
Command AddAnalyze(CLI::App& app);
Command AddConvert(CLI::App& app);
Command AddReport(CLI::App& app);
Command AddCheck(CLI::App& app);
Command AddScenarios(CLI::App& app);
Command AddTsan(CLI::App& app);
Command AddConfirm(CLI::App& app);
Command AddStress(CLI::App& app);

// The program's command line as typed after `--` (run, tsan, confirm, stress), which main
// takes out before CLI11 parses: CLI11 reads an argument such as "[64,64]" as a list and
// would split the program's own arguments. With one, `command` (as CLI11 parsed a stand-in)
// becomes it.
void SetVerbatimCommand(std::vector<std::string> command);
void UseVerbatimCommand(std::vector<std::string>& command);

// `--release-sequences RULE` (analyze, check, report): the release sequences atomics follow.
// True when `rule` is the one before C++20 (AnalyzeOptions::cxx11_release_sequences).
inline void AddReleaseSequences(CLI::App* sub, std::string* rule) {
  sub->add_option("--release-sequences", *rule,
                  "c++20 (default; c++23 the same): only read-modify-writes continue a release "
                  "sequence; c++11 (c++14, c++17 the same): so do its thread's later stores")
      ->check(CLI::IsMember({"c++20", "c++23", "c++11", "c++14", "c++17"}));
}
inline bool OlderReleaseSequences(const std::string& rule) { return rule.starts_with("c++1"); }

}  // namespace threadlens::cli
