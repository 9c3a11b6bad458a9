// FrameDecoder on libzstd (see block_frame.h).
#include "block_frame.h"

#include <zstd.h>

#include "threadlens/trace_packed.h"

namespace threadlens {

struct FrameDecoder::Context {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~Context() { ZSTD_freeDCtx(dctx); }
};

FrameDecoder::FrameDecoder() = default;
FrameDecoder::~FrameDecoder() = default;

FrameDecoder::Status FrameDecoder::Decode(const unsigned char* frame, size_t n, uint32_t count,
                                          size_t max_bytes, std::vector<unsigned char>& out,
                                          size_t* size) {
  const unsigned long long bytes = ZSTD_getFrameContentSize(frame, n);
  const uint64_t lo = static_cast<uint64_t>(count) * trace::kPackedSize;
  const uint64_t hi = static_cast<uint64_t>(count) * sizeof(trace::Event);
  if (bytes == ZSTD_CONTENTSIZE_ERROR || bytes == ZSTD_CONTENTSIZE_UNKNOWN || bytes > max_bytes ||
      bytes < lo || bytes > hi || bytes % 8 != 0) {
    return Status::kBadSize;
  }
  if (!ctx_) ctx_ = std::make_unique<Context>();
  if (!ctx_->dctx) return Status::kBadFrame;
  if (out.size() < bytes) out.resize(bytes);
  const size_t got = ZSTD_decompressDCtx(ctx_->dctx, out.data(), bytes, frame, n);
  if (ZSTD_isError(got) || got != bytes) return Status::kBadFrame;
  *size = bytes;
  return Status::kOk;
}

}  // namespace threadlens
