#include "tsan_heap_objects.h"

#include <algorithm>

namespace threadlens {

namespace {

constexpr size_t kPerKey = 16;  // as the analysis keeps per block

}  // namespace

std::string TsanHeapObjects::PathKey(const HeapSight& h) {
  std::string key = std::to_string(h.size);
  if (h.alloc_stack) {
    for (const Frame& f : *h.alloc_stack) key += ":" + f.module + "+" + std::to_string(f.pc);
  }
  return key;
}

void TsanHeapObjects::Learn(Symbolizer& sym, const HeapSight& h) {
  if (h.size == 0) return;
  const std::string path = PathKey(h);
  std::vector<Seen>& known = blocks_[{h.block, path}];
  for (const auto& access : h.accesses) {
    const Frame& frame = access.first;
    const uint64_t addr = access.second;
    if (known.size() >= kPerKey) break;
    if (!in_program_(frame) || addr < h.block || addr - h.block >= h.size) continue;
    // TSan prints the instruction's pc; the site is the check call's return address.
    const uint64_t site = frame.pc + 1;
    const bool seen = std::any_of(known.begin(), known.end(),
                                  [&](const Seen& k) { return k.site == site && k.at == addr; });
    if (seen || sym.ResolveAccessedField(site, addr, addr).empty()) continue;
    known.push_back({site, addr});
    if (sym.ResolveAccessedField(site, addr, h.block).empty() ||
        sym.ResolveAccessedField(site, addr, h.block + h.size - 1).empty()) {
      continue;
    }
    std::vector<Seen>& typed = paths_[{h.size, path}];
    if (typed.size() < kPerKey) typed.push_back({site, addr - h.block});
  }
}

std::string TsanHeapObjects::Name(Symbolizer& sym, const HeapSight& h) const {
  if (h.size == 0 || h.offset >= h.size) return "";
  const std::string path = PathKey(h);
  const uint64_t addr = h.block + h.offset;
  if (auto it = blocks_.find({h.block, path}); it != blocks_.end()) {
    for (const Seen& s : it->second) {
      if (std::string name = sym.ResolveAccessedField(s.site, s.at, addr); !name.empty()) {
        return name;
      }
    }
  }
  if (auto it = paths_.find({h.size, path}); it != paths_.end()) {
    for (const Seen& s : it->second) {
      if (std::string name = sym.ResolveAccessedField(s.site, h.block + s.at, addr);
          !name.empty()) {
        return name;
      }
    }
  }
  return "";
}

}  // namespace threadlens
