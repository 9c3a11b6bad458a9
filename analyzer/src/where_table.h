// Where accesses were made: each distinct (site, call stack, lock set) gets a 32-bit id, so
// that a shadow cell's note keeps 4 bytes for them instead of 16 (shadow_cell.h). Ids are
// given on the race detector's calling thread; the shadow only copies and compares them.
// A direct-mapped table of recent triples answers most accesses (a loop's, a function's)
// without hashing all of them. Memory: one entry per distinct triple, for the analysis's
// length (a few thousand on real programs), and the fixed table of recent ones (96 KiB).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace threadlens::analysis {

class WhereTable {
 public:
  struct Where {
    uint64_t site = 0;
    uint32_t stack = 0, lockset = 0;
    bool operator==(const Where&) const = default;
  };

  uint32_t Id(uint64_t site, uint32_t stack, uint32_t lockset) {
    const uint64_t slot = Hash(site, stack, lockset) >> (64 - kRecentBits);
    const Recent& r = recent_[slot];
    if (r.site == site && r.stack == stack && r.lockset == lockset) [[likely]] return r.id;
    return Slow({site, stack, lockset}, slot);
  }
  const Where& At(uint32_t id) const { return all_[id]; }
  size_t size() const { return all_.size(); }

 private:
  static constexpr unsigned kRecentBits = 12;
  static uint64_t Hash(uint64_t site, uint32_t stack, uint32_t lockset) {
    return site * 0x9E3779B97F4A7C15ull ^ (stack | uint64_t{lockset} << 32) * 0xC2B2AE3D27D4EB4Full;
  }
  uint32_t Slow(const Where& w, uint64_t slot) {
    const auto [it, fresh] = ids_.try_emplace(w, static_cast<uint32_t>(all_.size()));
    if (fresh) all_.push_back(w);
    recent_[slot] = {w.site, w.stack, w.lockset, it->second};
    return it->second;
  }
  struct Recent {
    uint64_t site = 0;
    uint32_t stack = 0, lockset = 0, id = 0;  // (all zero: Where{}, whose id is 0)
  };
  struct WhereHash {
    size_t operator()(const Where& w) const {
      return static_cast<size_t>(Hash(w.site, w.stack, w.lockset));
    }
  };
  std::vector<Recent> recent_ = std::vector<Recent>(1u << kRecentBits);
  std::vector<Where> all_ = {Where{}};  // by id
  std::unordered_map<Where, uint32_t, WhereHash> ids_ = {{Where{}, 0}};
};

}  // namespace threadlens::analysis
