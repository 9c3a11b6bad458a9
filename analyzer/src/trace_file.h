// The trace file under the binary reader: an open descriptor and positioned reads. Reads,
// not a mapping: a file truncated while it is read (the same path recorded again) must end
// in an Error naming the offset, where a mapping would die of SIGBUS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace threadlens {

class TraceFile {
 public:
  // Throws Error when the file cannot be opened or is not a regular file.
  explicit TraceFile(const std::string& path);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  // Size when opened.
  uint64_t size() const { return size_; }
  // Copies `n` bytes at `offset` into `dst`; false when the file ends first.
  bool Read(uint64_t offset, void* dst, size_t n) const;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace threadlens
