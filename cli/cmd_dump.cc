// `threadlens dump` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddDump(CLI::App& app) {
  auto* sub = app.add_subcommand("dump", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("dump: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
