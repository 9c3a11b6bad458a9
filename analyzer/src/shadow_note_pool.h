// The notes of a granule's inline slots past the first (shadow_memory.h): entries of N notes,
// in chunks from the shadow's arena (zeroed, kept for the shadow's life), reused through a
// free list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "huge_arena.h"
#include "shadow_cell.h"

namespace threadlens::analysis {

template <size_t N>
class NotePool {
 public:
  struct Entry {
    CellNote n[N];
  };
  uint32_t Take(HugeArena& arena) {
    if (!free_.empty()) {
      const uint32_t id = free_.back();
      free_.pop_back();
      return id;
    }
    if (made_ % kChunk == 0) {
      chunks_.push_back(static_cast<Entry*>(arena.Allocate(sizeof(Entry) * kChunk)));
    }
    return made_++;
  }
  void Give(uint32_t id) { free_.push_back(id); }
  Entry* At(uint32_t id) const { return chunks_[id / kChunk] + id % kChunk; }

 private:
  static constexpr uint32_t kChunk = 4096;  // entries per arena allocation (128 or 256 KiB)
  std::vector<Entry*> chunks_;
  uint32_t made_ = 0;
  std::vector<uint32_t> free_;
};

}  // namespace threadlens::analysis
