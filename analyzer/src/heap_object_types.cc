#include "heap_object_types.h"

#include <algorithm>

namespace threadlens {

void HeapObjectTypes::Learn(const std::string& block, const std::string& path, uint64_t base,
                            uint64_t size, uint64_t site, uint64_t at) {
  std::vector<Seen>& known = blocks_[block];
  if (known.size() >= kPerKey) return;
  const bool seen = std::any_of(known.begin(), known.end(),
                                [&](const Seen& k) { return k.site == site && k.at == at; });
  if (seen || resolve_(site, at, at).empty()) return;
  known.push_back({site, at});
  // An object over the whole block: its first and last bytes are in it.
  if (size == 0 || resolve_(site, at, base).empty() ||
      resolve_(site, at, base + size - 1).empty()) {
    return;
  }
  std::vector<Seen>& typed = paths_[path];
  if (typed.size() < kPerKey) typed.push_back({site, at - base});
}

std::string HeapObjectTypes::Name(const std::string& block, const std::string& path, uint64_t base,
                                  uint64_t addr) const {
  if (auto it = blocks_.find(block); it != blocks_.end()) {
    for (const Seen& s : it->second) {
      if (std::string name = resolve_(s.site, s.at, addr); !name.empty()) return name;
    }
  }
  if (auto it = paths_.find(path); it != paths_.end()) {
    for (const Seen& s : it->second) {
      if (std::string name = resolve_(s.site, base + s.at, addr); !name.empty()) return name;
    }
  }
  return "";
}

}  // namespace threadlens
