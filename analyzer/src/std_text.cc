// Placeholder until the STD reader lands.
#include "readers.h"
#include "threadlens/analyzer/error.h"
namespace threadlens {
std::unique_ptr<EventSource> OpenStdTrace(const std::string& path) {
  throw Error(path + ": STD traces are not supported yet", kExitInternal);
}
}  // namespace threadlens
