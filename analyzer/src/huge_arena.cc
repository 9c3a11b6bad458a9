// HugeArena (see huge_arena.h): anonymous mappings, advised for transparent huge pages.
#include "huge_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace threadlens::analysis {

void* HugeArena::Map(size_t bytes) {
  constexpr size_t kHuge = 2u << 20;
  bytes = (bytes + kHuge - 1) & ~(kHuge - 1);
  // Over-map by one huge page, then trim, so the mapping starts on a 2 MiB boundary (the
  // kernel backs only aligned 2 MiB ranges with huge pages).
  void* raw = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + bytes + kHuge;
  if (end > aligned + bytes) munmap(reinterpret_cast<void*>(aligned + bytes), end - aligned - bytes);
  void* p = reinterpret_cast<void*>(aligned);
  madvise(p, bytes, MADV_HUGEPAGE);  // advice only: without THP the mapping still works
  return p;
}

void HugeArena::Unmap(void* p, size_t bytes) {
  constexpr size_t kHuge = 2u << 20;
  if (p) munmap(p, (bytes + kHuge - 1) & ~(kHuge - 1));
}

ChunkReserve::~ChunkReserve() {
  for (void* p : ready_) HugeArena::Unmap(p, HugeArena::kChunk);
}

void* ChunkReserve::Take() {
  taken_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  if (ready_.empty()) return nullptr;
  void* p = ready_.back();
  ready_.pop_back();
  return p;
}

void ChunkReserve::Refill() {
#ifdef MADV_POPULATE_WRITE
  if (failed_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t taken = taken_.load(std::memory_order_relaxed);
    const size_t want = std::min(kMaxReady, taken > 0 ? taken - 1 : 0);
    if (ready_.size() >= want) return;
  }
  void* p;
  try {
    p = HugeArena::Map(HugeArena::kChunk);
  } catch (const std::bad_alloc&) {
    failed_ = true;  // the arena will try for itself, and fail where it would have
    return;
  }
  // Faults the pages in as a write would, without writing: the zeroing happens here.
  if (madvise(p, HugeArena::kChunk, MADV_POPULATE_WRITE) != 0) {
    // An older kernel, or no memory: not tried again at every wait.
    HugeArena::Unmap(p, HugeArena::kChunk);
    failed_ = true;
    return;
  }
  made_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  ready_.push_back(p);
#endif  // else headers older than Linux 5.14: the arena maps its own chunks
}

HugeArena::~HugeArena() {
  for (const Mapping& m : maps_) Unmap(m.p, m.bytes);
}

void* HugeArena::Allocate(size_t bytes) {
  bytes = (bytes + 63) & ~size_t{63};
  if (bytes > kChunk / 4) {
    void* p = Map(bytes);
    maps_.push_back({p, bytes});
    return p;
  }
  if (bytes > left_) {
    void* chunk = reserve_ ? reserve_->Take() : nullptr;
    next_ = static_cast<char*>(chunk ? chunk : Map(kChunk));
    maps_.push_back({next_, kChunk});
    left_ = kChunk;
  }
  void* p = next_;
  next_ += bytes;
  left_ -= bytes;
  return p;
}

}  // namespace threadlens::analysis
