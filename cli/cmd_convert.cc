// `threadlens convert` (placeholder until implemented).
#include "commands.h"
#include "threadlens/analyzer/error.h"

namespace threadlens::cli {

Command AddConvert(CLI::App& app) {
  auto* sub = app.add_subcommand("convert", "(not implemented yet)");
  sub->allow_extras();
  return {sub, [] () -> int { throw Error("convert: not implemented yet", kExitInternal); }};
}

}  // namespace threadlens::cli
