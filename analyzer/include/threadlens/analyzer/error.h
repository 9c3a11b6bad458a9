// The one error type of the analyzer, reports and CLI: caught once in main and mapped to an
// exit code. A race or a cycle is a finding, never an Error.
#pragma once

#include <stdexcept>
#include <string>

namespace threadlens {

enum ExitCode : int {
  kExitClean = 0,      // nothing failed
  kExitFindings = 1,   // findings fail the gate (`check`)
  kExitBadInput = 2,   // bad usage, missing file, corrupt trace
  kExitInternal = 3,   // a bug in threadlens
  kExitUnrelated = 4,  // traces of different recordings given as one: never merged
};

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, int exit_code = kExitBadInput)
      : std::runtime_error(std::move(message)), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace threadlens
