// Heap blocks by address: the live ones, and freed ones until their memory is reused, so a
// race on memory already freed still names the block it was in.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>

#include "analysis_types.h"

namespace threadlens::analysis {

class HeapBlocks {
 public:
  // A block allocated over one never freed (free not traced) replaces it; freed blocks it
  // overlaps are gone for good. Most often the allocator hands out a freed block's address
  // again: that entry is reused.
  void Alloc(const HeapRef& block) {
    const uint64_t at = block.base, size = std::max<uint64_t>(block.size, 1);
    auto it = blocks_.lower_bound(at);
    if (it != blocks_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + std::max<uint64_t>(prev->second.size, 1) > at) blocks_.erase(prev);
    }
    if (it != blocks_.end() && it->first == at) {
      it->second = block;
      ++it;
    } else {
      it = std::next(blocks_.emplace_hint(it, at, block));
    }
    while (it != blocks_.end() && it->first < at + size) it = blocks_.erase(it);
  }
  // The live block at `base` (a free's address), or null.
  HeapRef* Live(uint64_t base) {
    auto it = blocks_.find(base);
    return it == blocks_.end() || it->second.freed ? nullptr : &it->second;
  }
  // The block, live or freed, that holds `addr`, or null.
  const HeapRef* Containing(uint64_t addr) const {
    auto it = blocks_.upper_bound(addr);
    if (it == blocks_.begin()) return nullptr;
    --it;
    return addr < it->first + std::max<uint64_t>(it->second.size, 1) ? &it->second : nullptr;
  }

 private:
  std::map<uint64_t, HeapRef> blocks_;
};

}  // namespace threadlens::analysis
