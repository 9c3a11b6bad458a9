// The bytes of a trace file for the binary reader: mapped read-only (no copy), or read into
// memory where the file cannot be mapped. Pages the reader is done with are handed back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace threadlens {

class TraceBytes {
 public:
  // Throws Error when the file cannot be opened or is not a regular file.
  explicit TraceBytes(const std::string& path);
  ~TraceBytes();
  TraceBytes(const TraceBytes&) = delete;
  TraceBytes& operator=(const TraceBytes&) = delete;

  const unsigned char* data() const { return data_; }
  uint64_t size() const { return size_; }

  // The bytes below `offset` will not be read again: their pages leave this process's
  // resident set (they stay in the page cache). Touching them again reloads them, so a
  // wrong guess costs time, never correctness.
  void Release(uint64_t offset);
  // Copies `n` bytes at `offset` without mapping their page; false past the end.
  bool Read(uint64_t offset, void* dst, size_t n) const;

 private:
  int fd_ = -1;
  const unsigned char* data_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  uint64_t released_ = 0;             // pages below this are released
  std::vector<unsigned char> copy_;   // when not mapped
};

}  // namespace threadlens
