// Each thread's last plain access of an 8-byte granule of its own stack in its current
// epoch, kept where the accesses are read, so that one the shadow would ignore never
// reaches it.
//
// A thread's access of bytes its own earlier access of the same epoch covered, no stronger
// (a read after a read or a write, a write after a write), changes nothing in the shadow:
// the earlier access's cell subsumes it (FastTrack's same-epoch case, Flanagan & Freund
// PLDI 2009). The cell may be gone by then only when another thread's access unordered with
// it replaced it, and that access raced with the earlier one on the same bytes: the bytes
// are reported racing either way. No other thread orders after an access of this epoch
// until the thread releases, which ends the epoch.
//
// The thread's own stack only: an allocation or free replaces the cells of its block with
// one that a later access must meet (a use after free), and the heap is where a thread's
// blocks come and go between its synchronizations. A block that overlaps a stack anyway
// (one the program gave the thread, freed by another) forgets that thread's entries. The
// tracer drops such repeats at the source already: what is left here are those its smaller
// cache had forgotten, and the repeats in traces of older tracers.
//
// Direct-mapped: a collision forgets an entry, which only sends an access on.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <type_traits>
#include <vector>

namespace threadlens::analysis {

class RecentAccesses {
 public:
  // Whether `addr` is on thread t's own stack (only there are its accesses kept).
  bool OnOwnStack(uint32_t t, uint64_t addr) const {
    return t < threads_.size() && addr - threads_[t].lo < threads_[t].size;
  }
  // For an access on thread t's own stack (OnOwnStack): true when the thread (at clock slot
  // `slot`, epoch `now`) made an access covering bytes `mask` of the granule at `granule`, a
  // write if `write`, since its epoch began; else remembers this access as the granule's.
  bool Covered(uint32_t t, uint32_t slot, uint32_t now, uint64_t granule, uint8_t mask,
               bool write) {
    const uint64_t epoch = uint64_t{now} | uint64_t{slot} << 32;
    const uint32_t life = threads_[t].life;
    Entry& e = table_[Index(granule, t)];
    if (e.granule == granule && e.epoch == epoch && e.t == t && e.life == life &&
        (e.mask & mask) == mask && (e.write || !write)) {
      return true;
    }
    e = Entry{granule, epoch, t, life, mask, write};
    return false;
  }
  // Thread t's stack is [lo, lo + size) (a later record replaces it).
  void SetStack(uint32_t t, uint64_t lo, uint64_t size) {
    // Zero-filled, touched as used: an empty entry's granule 0 is on no stack.
    if (!table_) table_.reset(static_cast<Entry*>(std::calloc(kEntries, sizeof(Entry))));
    if (!table_ || size == 0) return;  // no memory, or no stack: nothing is left out
    if (t >= threads_.size()) threads_.resize(t + 1);
    Thread& th = threads_[t];
    if (auto it = stacks_.find(th.lo); th.size && it != stacks_.end() && it->second == t) {
      stacks_.erase(it);
    }
    th.lo = lo;
    th.size = size;
    ++th.life;
    stacks_[lo] = t;  // (a thread that had this range before has ended)
  }
  // A block [addr, addr + size) was allocated or freed (by any thread).
  void Lifetime(uint64_t addr, uint64_t size) {
    if (stacks_.empty() || size == 0) return;
    const uint64_t last = addr + size - 1 < addr ? ~0ull : addr + size - 1;
    // The stacks that start at or below the block's last byte, from the highest down, while
    // they reach into it (stacks do not overlap: the first that ends below it is the last).
    for (auto it = stacks_.upper_bound(last); it != stacks_.begin();) {
      --it;
      Thread& th = threads_[it->second];
      if (th.lo < addr && addr - th.lo >= th.size) break;
      ++th.life;
    }
  }

 private:
  static constexpr uint64_t kEntries = 1u << 13;  // 256 KiB
  struct Entry {
    uint64_t granule;
    uint64_t epoch;
    uint32_t t, life;
    uint8_t mask;
    bool write;
  };
  static_assert(std::is_trivial_v<Entry>);
  struct Free {
    void operator()(Entry* p) const { std::free(p); }
  };
  static uint64_t Index(uint64_t granule, uint32_t t) {
    return ((granule >> 3) ^ (uint64_t{t} * 0x9E3779B1u)) & (kEntries - 1);
  }
  struct Thread {
    uint64_t lo = 0, size = 0;  // its stack (size 0: none recorded)
    uint32_t life = 0;          // changes when its entries are forgotten
  };

  std::unique_ptr<Entry[], Free> table_;  // made with the first stack
  std::vector<Thread> threads_;
  std::map<uint64_t, uint32_t> stacks_;  // each stack's low end -> its thread
};

}  // namespace threadlens::analysis
