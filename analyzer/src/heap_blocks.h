// Heap blocks by address: the live ones, and freed ones until their memory is reused, so a
// race on memory already freed still names the block it was in.
//
// Blocks are kept in address order (a race names the block that holds its address) with a
// hash index by base in front: an allocation or free nearly always finds its block's entry
// (the allocator hands a freed block's address out again), and then only the entry's
// neighbours are looked at, not a search of the tree.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <vector>

#include "analysis_types.h"
#include "flat_map.h"

namespace threadlens::analysis {

class HeapBlocks {
 public:
  // A block allocated over one never freed (free not traced) replaces it; freed blocks it
  // overlaps are gone for good. An entry at the same address is reused.
  void Alloc(const HeapRef& block) {
    const uint64_t at = block.base, size = block.Extent();
    Map::iterator it;
    if (Map::iterator* known = index_.Find(at)) {
      it = *known;
      if (replaced_) replaced_(it->second, block);
      it->second = block;
    } else {
      it = blocks_.emplace_hint(blocks_.lower_bound(at), at, block);
      bool inserted;
      index_.FindOrInsert(at, it, inserted);
    }
    if (it != blocks_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second.Extent() > at) Erase(prev, block);
    }
    for (++it; it != blocks_.end() && it->first < at + size;) it = Erase(it, block);
  }
  // Told of each block an allocation (`by`) makes the memory of another, and of the blocks
  // it overlaps, before they are forgotten.
  using Replaced = std::function<void(const HeapRef& old, const HeapRef& by)>;
  void OnReplaced(Replaced f) { replaced_ = std::move(f); }
  // The live blocks in [from, from + span) are live from `to` on too (a fork child's copy of
  // its parent's heap).
  void Copy(uint64_t from, uint64_t span, uint64_t to) {
    // Kept between forks: a fresh vector per fork faulted its pages in again each time.
    std::vector<HeapRef>& copies = copies_;
    copies.clear();
    for (auto it = blocks_.lower_bound(from); it != blocks_.end() && it->first - from < span;
         ++it) {
      if (it->second.freed) continue;
      copies.push_back(it->second);
      copies.back().base = it->first - from + to;
    }
    for (const HeapRef& c : copies) Alloc(c);
  }
  // Every block in [from, from + span) is gone (the process whose memory that was ended);
  // `by` stands for what ended them (its stream position) to OnReplaced.
  void Drop(uint64_t from, uint64_t span, const HeapRef& by) {
    for (auto it = blocks_.lower_bound(from); it != blocks_.end() && it->first - from < span;) {
      it = Erase(it, by);
    }
  }
  size_t size() const { return blocks_.size(); }
  // The live block at `base` (a free's address), or null.
  HeapRef* Live(uint64_t base) {
    Map::iterator* known = index_.Find(base);
    return known == nullptr || (*known)->second.freed ? nullptr : &(*known)->second;
  }
  // The block, live or freed, that holds `addr`, or null.
  const HeapRef* Containing(uint64_t addr) const {
    auto it = blocks_.upper_bound(addr);
    if (it == blocks_.begin()) return nullptr;
    --it;
    return addr < it->first + it->second.Extent() ? &it->second : nullptr;
  }

 private:
  using Map = std::map<uint64_t, HeapRef>;
  Map::iterator Erase(Map::iterator it, const HeapRef& by) {
    if (replaced_) replaced_(it->second, by);
    index_.Erase(it->first);
    return blocks_.erase(it);
  }
  Map blocks_;
  FlatMap<Map::iterator> index_;  // base -> its entry
  Replaced replaced_;
  std::vector<HeapRef> copies_;  // Copy's
};

}  // namespace threadlens::analysis
