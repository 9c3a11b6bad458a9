// Command-line mistakes as one line each: what was wrong, a "did you mean" when a command or
// option is a few letters off, and where the help is; never CLI11's internal error names.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace threadlens::cli {

// Prints the message for `e` to stderr (help and version to stdout) and returns the exit code.
int ReportUsageError(CLI::App& app, const CLI::ParseError& e, int argc, char** argv);

// The candidate closest to `word` by edit distance, "" when none is close enough to be a typo.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace threadlens::cli
