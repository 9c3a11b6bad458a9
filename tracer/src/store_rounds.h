// Store rounds: a poll through a spin lock (test-and-set, read a flag, release store, again)
// is counted on its first rounds (docs/trace-format.md, "Repeats"). What each thread keeps
// for that; the rule itself is in store_rounds.cc. A plain store right after a release fence
// (`__sync_synchronize(); lock = 0;`) gives a lock back as a release store does, and ends a
// round as one does.
#pragma once

#include <cstdint>

namespace threadlens::rt {

struct ThreadState;

// A thread's part. Buffer offsets are kept + 1 (0: none).
struct StoreRounds {
  static constexpr uint32_t kStores = 8, kSeen = 8;
  // Where its latest release-store records end, their size (a plain store's may be packed),
  // and to which address (a ring).
  struct Store {
    uint32_t end;
    uint32_t size;
    uint64_t addr;
  };
  Store rel[kStores];
  uint32_t rel_next;
  // The stripe version each of the last kSeen stripes it did an atomic on was left at by
  // that atomic (past the process's stripes: a count of writes to shared memory's locations,
  // shared_writes.h) (kUnknown: another write was under way).
  static constexpr uint64_t kUnknown = ~0ull;
  struct Seen {
    uint32_t stripe;
    uint64_t version;
  };
  Seen seen[kSeen];
  uint32_t seen_next;
  // End of its latest atomic that found its stripe written by another thread since its own
  // previous atomic there.
  uint32_t not_as_left;
  // The ends (as in `rel`, K's start first) of rounds K and L last found the same: until the
  // buffer is reset, a later fold between them need not compare them again (their records
  // change only in times, numbers and K's count).
  uint32_t same[3];

  void NoteRelease(uint64_t addr, uint32_t end, uint32_t size) {
    rel[rel_next++ % kStores] = {end, size, addr};
  }
  // An atomic on stripe `stripe` found the version `before` and left it at `after`
  // (kUnknown: not settled). True when the thread itself was the stripe's last writer, or
  // nobody wrote it since its own previous atomic there.
  bool NoteAtomic(uint32_t stripe, uint64_t before, uint64_t after, uint32_t end) {
    Seen* s = nullptr;
    for (Seen& k : seen) {
      if (k.stripe == stripe + 1) s = &k;
    }
    const bool as_left = s && before != kUnknown && s->version == before;
    if (!as_left) not_as_left = end;
    if (!s) s = &seen[seen_next++ % kSeen];
    *s = {stripe + 1, before == kUnknown ? kUnknown : after};
    return as_left;
  }
  // The buffer was cut back to `pos` (a lock round left out): the records past it are gone.
  void Rewound(uint32_t pos) {
    while (rel[(rel_next - 1) % kStores].end > pos + 1) {
      rel[(rel_next - 1) % kStores] = {};
      --rel_next;
    }
    same[0] = same[1] = same[2] = 0;
  }
  // The buffer was flushed or the process forked: no store record left in the buffer.
  void Reset() {
    for (Store& s : rel) s = {};
    not_as_left = 0;
    same[0] = same[1] = same[2] = 0;
  }
};

// Drops the round about to end with this release store of `addr` when the thread's two
// rounds before it repeat it (store_rounds.cc): the later of those two then stands for this
// one, at its place in the merged order, and the caller writes no record. `as_left`: the
// store found its stripe as the thread left it.
bool FoldStoreRound(ThreadState* ts, uint64_t addr, uint8_t flags, uint16_t aux16, uint64_t pc,
                    bool as_left);
// The same for a plain store of `size` bytes right after a release fence: its rounds are
// counted on the fence before the kept round's store (it has no number or count of its own).
bool FoldPlainStoreRound(ThreadState* ts, uint64_t addr, uint16_t size, uint64_t pc);

}  // namespace threadlens::rt
