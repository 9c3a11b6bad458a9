// The zstd frame of a compressed event block (trace_format.h, kCompressedEvents): checked
// against the records its block header counts before anything is decompressed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace threadlens {

class FrameDecoder {
 public:
  FrameDecoder();
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  enum class Status { kOk, kBadSize, kBadFrame };
  // Decompresses the `n` bytes of `frame` into `out` (grown as needed): the packed records
  // of `count` records, whose bytes (`*size`) the frame must say, a multiple of 8 between
  // 16 and 40 per record and at most `max_bytes`.
  Status Decode(const unsigned char* frame, size_t n, uint32_t count, size_t max_bytes,
                std::vector<unsigned char>& out, size_t* size);

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;  // made at the first frame
};

}  // namespace threadlens
