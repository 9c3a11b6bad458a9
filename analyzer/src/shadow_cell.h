// The cells of the shadow memory (shadow_memory.h): what a check reads of an access (its
// key), what a report reads (its note), and the access being made.
#pragma once

#include <cstdint>

#include "analysis_types.h"

namespace threadlens::analysis {

enum CellFlags : uint8_t {
  kCellWrite = 1,
  kCellAtomic = 2,
  kCellFree = 4,   // the block was freed (a write)
  kCellAlloc = 8,  // the block was allocated (a write)
  // Not a cell's: an allocation or free made while its thread ignored its accesses. It
  // reports nothing, and its cells (epoch 0) race with nothing.
  kCellQuiet = 16,
};

// What a check reads of a cell: the access's epoch, bytes and kind. Clock slots fit in
// 20 bits (ShadowMemory::kMaxThreads).
struct CellKey {
  uint32_t clock = 0;       // the accessing thread's clock then
  uint32_t thread : 20 = 0;  // the accessing thread's clock slot
  uint32_t flags : 4 = 0;    // CellFlags
  uint32_t mask : 8 = 0;     // bytes of the granule accessed; 0: a free slot
};
static_assert(sizeof(CellKey) == 8);

// What a report reads of a cell: where and when the access was made. `where` names its
// site, call stack and lock set together (the race detector keeps one of each such triple:
// RaceDetector::Where), so that a note takes 24 bytes.
struct CellNote {
  uint32_t where = 0;
  uint32_t size : 16 = 0;    // the access's size as made (0 = a range)
  uint32_t unused : 16 = 0;  // zero, so equal notes have equal bytes
  uint64_t index = 0;        // position in the merged stream
  uint64_t ts = 0;
};
static_assert(sizeof(CellNote) == 24);

// A whole cell, as reports, summaries and tests see it.
struct ShadowCell : CellKey, CellNote {};
static_assert(sizeof(ShadowCell) == 32);

// The access being made (40 bytes: the race workers copy one per access).
struct ShadowAccess {
  const VectorClock* clock = nullptr;  // the thread's clock
  uint64_t ts = 0;
  uint64_t index : 40 = 0;  // position in the merged stream
  uint64_t size : 16 = 0;
  uint64_t flags : 8 = 0;  // CellFlags
  uint32_t thread = 0;
  uint32_t now = 0;  // clock->Get(thread)
  uint32_t where = 0;  // as in CellNote
  uint32_t unused = 0;
};
static_assert(sizeof(ShadowAccess) == 40);

}  // namespace threadlens::analysis
