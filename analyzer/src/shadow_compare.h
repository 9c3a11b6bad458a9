// Comparisons of whole shadow cells and line summaries (shadow_memory.h), shared by the
// shadow's files.
#pragma once

#include <cstdint>
#include <cstring>

#include "shadow_memory.h"

namespace threadlens::analysis::shadow_detail {

// Field by field: a call to memcmp costs more than the comparison.
inline bool SameCell(const ShadowCell& a, const ShadowCell& b) {
  uint64_t x[4], y[4];
  static_assert(sizeof x == sizeof(ShadowCell));
  std::memcpy(x, &a, sizeof x);
  std::memcpy(y, &b, sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
}

template <typename S>
inline bool SameSummary(const S& a, const S& b) {
  return SameCell(a.c[0], b.c[0]) && SameCell(a.c[1], b.c[1]);
}

// The same two cells, in either order.
template <typename S>
inline bool SamePair(const S& a, const S& b) {
  return SameSummary(a, b) || (SameCell(a.c[0], b.c[1]) && SameCell(a.c[1], b.c[0]));
}

}  // namespace threadlens::analysis::shadow_detail
