// Blocks read ahead of the binary reader: a thread of its own reads, checksums and (for
// compressed blocks) decompresses a trace's event blocks in file order, a few blocks ahead,
// while the reader merges the blocks before. Decompression is two thirds of reading a
// compressed trace (zstd), the kernel's copy and the checksum a third of reading a plain one;
// the merge then takes most blocks ready.
//
// The merge does not take blocks in file order exactly (a thread that records slowly fills
// its block late), so a block the helper has not reached yet is read by the reader itself,
// and the helper skips it. A block the helper finds damaged (a bad checksum or frame, a file
// cut short meanwhile) is left to the reader too, whose own reading then names the damage
// at the point of the stream where it stops. Memory: at most `window` blocks held ahead.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "block_frame.h"
#include "trace_file.h"

namespace threadlens {

class BlockPrefetch {
 public:
  struct Job {
    uint64_t offset;  // of the block header
    uint32_t bytes;   // of the frame
    uint32_t count;   // records
    uint32_t checksum;
    bool compressed;  // else the payload is read as it is
  };
  // `jobs` in file order; `max_bytes`: the largest decoded payload accepted. The helper
  // holds up to `window` blocks ahead, or more while they hold less than `window_bytes`
  // (small blocks: a recording of many short threads), kMaxReady at most.
  BlockPrefetch(const TraceFile& file, std::vector<Job> jobs, size_t max_bytes, size_t window,
                size_t window_bytes = 0);
  // One, unless kMaxLive run already (a recording of many processes opens a reader for each):
  // null then.
  static std::unique_ptr<BlockPrefetch> Start(const TraceFile& file, std::vector<Job> jobs,
                                              size_t max_bytes, size_t window,
                                              size_t window_bytes = 0);
  static constexpr int kMaxLive = 4;
  ~BlockPrefetch();
  BlockPrefetch(const BlockPrefetch&) = delete;
  BlockPrefetch& operator=(const BlockPrefetch&) = delete;

  // The decoded payload of the block at `offset`, swapped into `out` with its size in
  // `*size`; false when the caller decodes it itself.
  bool Take(uint64_t offset, std::vector<unsigned char>& out, size_t* size);

  size_t taken() const { return taken_; }  // blocks handed over decoded
  // Reads of the file so far: blocks close together are read at once.
  size_t reads() const { return reads_.load(); }
  static constexpr size_t kMaxReady = 4096;
  // For tests: waits until the helper can do nothing more (every block past it taken or
  // done, or the window full).
  void Settle();

 private:
  enum State : uint8_t { kPending, kWorking, kReady, kFailed, kTaken };
  struct Item {  // a block of the helper's current read
    size_t i;
    std::vector<unsigned char> out;
    size_t size = 0;
    bool ok = false;
  };
  // Blocks within kGapBytes of each other go in one read, of kBatchBytes at most.
  static constexpr uint64_t kGapBytes = 4096, kBatchBytes = 256 << 10;
  void Run();
  // Checks and decodes the block of `it` at `p` (the file's bytes) into it.out.
  void Decode(FrameDecoder& frames, const unsigned char* p, Item& it) const;
  void Publish(Item& it);  // hands it over (mu_ held)
  bool Full() const;  // the helper waits (mu_ held)
  bool Low() const;   // until this (mu_ held)

  const TraceFile& file_;
  std::vector<Job> jobs_;
  const size_t max_bytes_, window_, window_bytes_;
  std::mutex mu_;
  std::condition_variable done_, space_;
  std::vector<State> state_;
  std::vector<std::vector<unsigned char>> decoded_;
  std::vector<size_t> sizes_;
  std::vector<std::vector<unsigned char>> spare_;  // buffers handed back, for reuse
  size_t next_ = 0, ready_ = 0, taken_ = 0;
  uint64_t ready_bytes_ = 0;  // decoded bytes of the blocks ready
  std::atomic<size_t> reads_{0};
  bool stop_ = false;
  bool counted_ = false;  // made by Start: one of the kMaxLive
  bool idle_ = false;     // the helper waits for space, or has ended
  std::thread thread_;
};

}  // namespace threadlens
