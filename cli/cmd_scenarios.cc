// `threadlens scenarios` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddScenarios(CLI::App& app) {
  auto* sub = app.add_subcommand("scenarios", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("scenarios: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
