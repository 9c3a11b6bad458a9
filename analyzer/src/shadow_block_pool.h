// Fixed-size blocks of the shadow memory's cells (shadow_memory.h), by 32-bit id: taken
// from the arena a chunk at a time, given back to a free list for the next granule that
// needs one. The arena keeps them until the shadow goes.
#pragma once

#include <cstdint>
#include <vector>

#include "huge_arena.h"

namespace threadlens::analysis {

template <typename B>
class BlockPool {
 public:
  B* At(uint32_t id) const { return chunks_[id / kChunk] + id % kChunk; }
  uint32_t Take(HugeArena& arena) {
    if (!free_.empty()) {
      const uint32_t id = free_.back();
      free_.pop_back();
      return id;
    }
    if (made_ % kChunk == 0) chunks_.push_back(static_cast<B*>(arena.Allocate(sizeof(B) * kChunk)));
    return made_++;
  }
  void Give(uint32_t id) { free_.push_back(id); }
  uint32_t in_use() const { return made_ - static_cast<uint32_t>(free_.size()); }

 private:
  static constexpr uint32_t kChunk = 1024;  // blocks per arena allocation
  std::vector<B*> chunks_;
  uint32_t made_ = 0;  // blocks handed out so far
  std::vector<uint32_t> free_;
};

}  // namespace threadlens::analysis
