// The notes of a granule's inline slots past the first (shadow_memory.h). 48-byte entries,
// each either a pair (the notes of slots 1 and 2 of one granule) or two halves (slot 1's
// note alone, of two granules), in chunks from the shadow's arena (zeroed, kept for the
// shadow's life). A half whose granule needs its third slot becomes a pair where it is when
// the other half is free, else moves; an entry whose halves are both free is whole again,
// so granules going from two cells to three reuse what they gave up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "huge_arena.h"
#include "shadow_cell.h"

namespace threadlens::analysis {

class NotePool {
 public:
  struct Entry {
    CellNote n[2];
  };
  // A half (its id: entry << 1 | side), and a whole entry for a pair.
  uint32_t TakeHalf(HugeArena& arena);
  uint32_t TakePair(HugeArena& arena);
  void GiveHalf(uint32_t h);
  void GivePair(uint32_t e);
  // Half `h` becomes the pair of its entry when the other half is free (its note moved to the
  // pair's first slot): the entry, or ~0u when the other half is in use.
  uint32_t PairInPlace(uint32_t h);
  CellNote& Half(uint32_t h) const { return At(h >> 1)->n[h & 1]; }
  Entry* At(uint32_t e) const { return chunks_[e / kChunk] + e % kChunk; }
  size_t entries() const { return state_.size(); }  // made so far

 private:
  static constexpr uint32_t kChunk = 4096;  // entries per arena allocation (192 KiB)
  // Per entry: bits 0 and 1, its halves in use (both: a pair); 2 and 3, the half listed in
  // free_halves_; 4, the entry listed in free_entries_. A listing may be stale (the half or
  // the entry taken since another way): Take checks it.
  enum : uint8_t { kListedHalf = 4, kListedEntry = 16 };
  uint32_t NewEntry(HugeArena& arena);
  std::vector<Entry*> chunks_;
  std::vector<uint8_t> state_;
  std::vector<uint32_t> free_entries_, free_halves_;
};

}  // namespace threadlens::analysis
