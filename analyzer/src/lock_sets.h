// Sets of held locks, kept as sorted lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace threadlens::analysis {

// Whether two sorted lists share no element.
inline bool SortedDisjoint(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) return false;
    if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return true;
}

}  // namespace threadlens::analysis
