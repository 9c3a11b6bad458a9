// The subcommands of `threadlens`, one file each (cmd_<name>.cc). Each Add* function adds its
// subcommand to the app and returns the function that runs it once the command line parsed.
#pragma once

#include <functional>
#include <utility>

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

}  // namespace threadlens::cli
