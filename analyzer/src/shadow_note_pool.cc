// NotePool (see shadow_note_pool.h): whole entries and halves, each on a free list.
#include "shadow_note_pool.h"

namespace threadlens::analysis {

uint32_t NotePool::NewEntry(HugeArena& arena) {
  while (!free_entries_.empty()) {
    const uint32_t e = free_entries_.back();
    free_entries_.pop_back();
    state_[e] &= ~kListedEntry;
    if ((state_[e] & 3) == 0) return e;  // else taken by halves since it was listed
  }
  const auto e = static_cast<uint32_t>(state_.size());
  if (e % kChunk == 0) {
    chunks_.push_back(static_cast<Entry*>(arena.Allocate(sizeof(Entry) * kChunk)));
  }
  state_.push_back(0);
  return e;
}

uint32_t NotePool::TakeHalf(HugeArena& arena) {
  while (!free_halves_.empty()) {
    const uint32_t h = free_halves_.back();
    free_halves_.pop_back();
    uint8_t& s = state_[h >> 1];
    const uint8_t used = 1u << (h & 1);
    s &= ~(kListedHalf << (h & 1));
    // Free, and its entry not free whole (then it is the entries' list's).
    if (!(s & used) && (s & 3)) {
      s |= used;
      return h;
    }
  }
  const uint32_t e = NewEntry(arena);
  state_[e] |= 1 | kListedHalf << 1;
  free_halves_.push_back(e << 1 | 1);
  return e << 1;
}

uint32_t NotePool::TakePair(HugeArena& arena) {
  const uint32_t e = NewEntry(arena);
  state_[e] |= 3;
  return e;
}

void NotePool::GiveHalf(uint32_t h) {
  uint8_t& s = state_[h >> 1];
  s &= ~(1u << (h & 1));
  if ((s & 3) == 0) {
    if (!(s & kListedEntry)) {
      s |= kListedEntry;
      free_entries_.push_back(h >> 1);
    }
  } else if (!(s & (kListedHalf << (h & 1)))) {
    s |= kListedHalf << (h & 1);
    free_halves_.push_back(h);
  }
}

void NotePool::GivePair(uint32_t e) {
  state_[e] &= ~3;
  if (!(state_[e] & kListedEntry)) {
    state_[e] |= kListedEntry;
    free_entries_.push_back(e);
  }
}

uint32_t NotePool::PairInPlace(uint32_t h) {
  const uint32_t e = h >> 1;
  if (state_[e] & (1u << ((h & 1) ^ 1))) return ~0u;
  if (h & 1) At(e)->n[0] = At(e)->n[1];
  state_[e] |= 3;
  return e;
}

}  // namespace threadlens::analysis
