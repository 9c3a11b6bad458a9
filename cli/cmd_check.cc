// `threadlens check` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddCheck(CLI::App& app) {
  auto* sub = app.add_subcommand("check", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("check: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
