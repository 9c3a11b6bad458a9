// `threadlens analyze` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddAnalyze(CLI::App& app) {
  auto* sub = app.add_subcommand("analyze", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("analyze: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
