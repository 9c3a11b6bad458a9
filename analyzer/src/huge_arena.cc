// HugeArena (see huge_arena.h): anonymous mappings, advised for transparent huge pages.
#include "huge_arena.h"

#include <sys/mman.h>

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
    next_ = static_cast<char*>(Map(kChunk));
    maps_.push_back({next_, kChunk});
    left_ = kChunk;
  }
  void* p = next_;
  next_ += bytes;
  left_ -= bytes;
  return p;
}

}  // namespace threadlens::analysis
