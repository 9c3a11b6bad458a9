// `threadlens tsan` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddTsan(CLI::App& app) {
  auto* sub = app.add_subcommand("tsan", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("tsan: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
