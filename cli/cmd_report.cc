// `threadlens report` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddReport(CLI::App& app) {
  auto* sub = app.add_subcommand("report", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("report: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
