// OpenTrace: picks the reader by the file's first bytes.
#include <cstring>
#include <fstream>

#include "readers.h"
#include "threadlens/analyzer/error.h"

namespace threadlens {

std::unique_ptr<EventSource> OpenTrace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (does the file exist and is it readable?)");
  char magic[sizeof(trace::kMagic)] = {};
  in.read(magic, sizeof magic);
  if (in.gcount() == sizeof magic && std::memcmp(magic, trace::kMagic, sizeof magic) == 0) {
    return OpenBinaryTrace(path);
  }
  return OpenStdTrace(path);
}

}  // namespace threadlens
