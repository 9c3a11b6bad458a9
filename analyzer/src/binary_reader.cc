// Placeholder until the binary reader lands.
#include "readers.h"
#include "threadlens/analyzer/error.h"
namespace threadlens {
std::unique_ptr<EventSource> OpenBinaryTrace(const std::string& path) {
  throw Error(path + ": binary traces are not supported yet", kExitInternal);
}
}  // namespace threadlens
