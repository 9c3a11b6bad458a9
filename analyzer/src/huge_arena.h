// Memory for the race detector's large tables (shadow pages and granules, batch lanes) in
// 2 MiB-aligned chunks that the kernel may back with transparent huge pages: one page fault
// per 2 MiB touched instead of 512. On a 1.5 M-event trace the 4 KiB faults of the shadow
// and the lanes cost more CPU than checking the trace's small accesses did.
//
// Memory comes zero-filled (fresh anonymous mappings) and goes back only when the arena is
// destroyed: the shadow keeps a page for the whole analysis.
//
// A fresh chunk's first touch is the kernel zeroing it: on a virtual machine that was a fifth
// of a race worker's time on a leveldb trace. A ChunkReserve lets a thread with time to spare
// (the caller, while it waits for the workers) fault chunks in ahead of the arena's need.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

namespace threadlens::analysis {

// Chunks of HugeArena::kChunk bytes, already faulted in (zeroed), for an arena to take.
// Thread-safe: one thread takes, one other thread refills.
class ChunkReserve {
 public:
  ChunkReserve() = default;
  ~ChunkReserve();  // unmaps the chunks no arena took
  ChunkReserve(const ChunkReserve&) = delete;
  ChunkReserve& operator=(const ChunkReserve&) = delete;

  // A faulted-in chunk, or null when none is ready.
  void* Take();
  // Faults in one more chunk when the reserve holds fewer than were taken so far, less the
  // first (up to kMaxReady): an arena that never grew past its first chunk gets none made
  // for it (a 1.7 M-event trace's shadow fits in one: a second, faulted in and never used,
  // was 2 MiB of its peak memory). After a failure (a kernel without MADV_POPULATE_WRITE,
  // no memory) it does nothing.
  void Refill();
  size_t taken() const { return taken_.load(std::memory_order_relaxed); }
  size_t made() const { return made_.load(std::memory_order_relaxed); }

  static constexpr size_t kMaxReady = 2;

 private:
  std::mutex mu_;
  std::vector<void*> ready_;
  std::atomic<size_t> taken_{0}, made_{0};
  bool failed_ = false;  // the refilling thread's alone
};

class HugeArena {
 public:
  HugeArena() = default;
  ~HugeArena();
  HugeArena(const HugeArena&) = delete;
  HugeArena& operator=(const HugeArena&) = delete;

  // `bytes` of zeroed memory, 64-byte aligned. Blocks over a chunk get a mapping of their own.
  void* Allocate(size_t bytes);

  // New chunks come from `r` while it has some ready (null: always mapped here).
  void UseReserve(ChunkReserve* r) { reserve_ = r; }

  // A zeroed mapping of `bytes`, huge-page backed where the kernel allows; Unmap frees it.
  static void* Map(size_t bytes);
  static void Unmap(void* p, size_t bytes);

  static constexpr size_t kChunk = 2u << 20;

 private:
  struct Mapping {
    void* p;
    size_t bytes;
  };
  std::vector<Mapping> maps_;
  ChunkReserve* reserve_ = nullptr;
  char* next_ = nullptr;
  size_t left_ = 0;
};

}  // namespace threadlens::analysis
