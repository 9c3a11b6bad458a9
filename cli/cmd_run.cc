// `threadlens run` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddRun(CLI::App& app) {
  auto* sub = app.add_subcommand("run", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("run: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
