// The trace file under the binary reader: an open descriptor and positioned reads. Reads,
// not a mapping: a file truncated while it is read (the same path recorded again) must end
// in an Error naming the offset, where a mapping would die of SIGBUS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

// Reads of a TraceFile in rising order, served from one buffer when they fall inside it. A
// recording of many short threads is tens of thousands of blocks of a few hundred bytes:
// a read per block header, or per thread's first event, was most of opening it.
class ReadBuffer {
 public:
  explicit ReadBuffer(const TraceFile& file) : file_(file) {}
  // As TraceFile::Read; `ahead`: bytes past the read worth taking with it (0: none, when
  // what follows is a large block the caller skips).
  bool Read(uint64_t offset, void* dst, size_t n, size_t ahead);
  // The `ahead` for a read that follows a block of `bytes`: a block header is read on its own
  // after a large block (a tracer's event block is 80 KiB: reading past it would copy the
  // file), with the 64 KiB that follow after a small one.
  static size_t AheadAfter(uint64_t bytes) { return bytes < (16u << 10) ? 64u << 10 : 0; }

 private:
  const TraceFile& file_;
  std::vector<unsigned char> buf_;
  uint64_t start_ = 0;
  size_t have_ = 0;
};

}  // namespace threadlens
