// The functions of a compile unit by address (see dwarf_unit_index.h).
#include "dwarf_unit_index.h"

#include <dwarf.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace threadlens::dwarf_scopes {
namespace {

struct Entry {
  uint64_t lo = 0, hi = 0;  // [lo, hi)
  uint32_t order = 0;       // the DIE's place in the unit's walk: the first one wins
  Dwarf_Die die{};
};

struct UnitIndex {
  std::vector<Entry> entries;    // by lo
  std::vector<uint64_t> max_hi;  // the largest hi of entries[0..i]
};

constexpr int kMaxDepth = 64;

void Collect(Dwarf_Die& parent, std::vector<Entry>& out, uint32_t& order, int depth) {
  if (depth > kMaxDepth) return;
  Dwarf_Die child;
  if (dwarf_child(&parent, &child) != 0) return;
  do {
    switch (dwarf_tag(&child)) {
      case DW_TAG_subprogram:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_lexical_block: {
        const uint32_t mine = order++;
        Dwarf_Addr base, lo, hi;
        ptrdiff_t at = 0;
        while ((at = dwarf_ranges(&child, at, &base, &lo, &hi)) > 0) {
          if (lo < hi) out.push_back({lo, hi, mine, child});
        }
        break;
      }
      case DW_TAG_namespace:
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
        Collect(child, out, order, depth + 1);
        break;
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

std::mutex mu;
std::map<std::pair<const void*, const void*>, UnitIndex> indexes;  // by (Dwarf, unit DIE)

}  // namespace

bool UnitScopeAt(Dwarf_Die& cu_die, uint64_t pc, Dwarf_Die& out) {
  std::lock_guard<std::mutex> lock(mu);
  const std::pair<const void*, const void*> key{dwarf_cu_getdwarf(cu_die.cu), cu_die.addr};
  auto [it, fresh] = indexes.try_emplace(key);
  UnitIndex& u = it->second;
  if (fresh) {
    uint32_t order = 0;
    Collect(cu_die, u.entries, order, 0);
    std::sort(u.entries.begin(), u.entries.end(),
              [](const Entry& a, const Entry& b) { return a.lo < b.lo; });
    uint64_t m = 0;
    for (const Entry& e : u.entries) u.max_hi.push_back(m = std::max(m, e.hi));
  }
  // Every entry that starts at or before pc and may still cover it.
  size_t i = std::upper_bound(u.entries.begin(), u.entries.end(), pc,
                              [](uint64_t p, const Entry& e) { return p < e.lo; }) -
             u.entries.begin();
  const Entry* best = nullptr;
  while (i > 0 && u.max_hi[i - 1] > pc) {
    const Entry& e = u.entries[--i];
    if (pc < e.hi && (!best || e.order < best->order)) best = &e;
  }
  if (!best) return false;
  out = best->die;
  return true;
}

void ForgetUnitIndexes() {
  std::lock_guard<std::mutex> lock(mu);
  indexes.clear();
}

}  // namespace threadlens::dwarf_scopes
