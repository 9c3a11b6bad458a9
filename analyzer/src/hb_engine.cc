// Happens-before engine (see hb_engine.h).
#include "hb_engine.h"

#include <algorithm>

#include "threadlens/trace_format.h"

namespace threadlens::analysis {

bool HappensBefore::IsAcquire(uint8_t mo) {
  auto o = static_cast<trace::MemoryOrder>(mo);
  return o == trace::MemoryOrder::kConsume || o == trace::MemoryOrder::kAcquire ||
         o == trace::MemoryOrder::kAcqRel || o == trace::MemoryOrder::kSeqCst;
}

bool HappensBefore::IsRelease(uint8_t mo) {
  auto o = static_cast<trace::MemoryOrder>(mo);
  return o == trace::MemoryOrder::kRelease || o == trace::MemoryOrder::kAcqRel ||
         o == trace::MemoryOrder::kSeqCst;
}

uint32_t HappensBefore::NewSlot(uint32_t t) {
  const uint32_t s = slots_.Add(t);
  clocks_.emplace_back();
  clocks_[s].Set(s, 1);
  versions_.push_back(1);
  accessed_.push_back(0);
  return s;
}

void HappensBefore::FreeSlot(uint32_t t, uint32_t last) {
  const uint32_t s = slots_.Find(t);
  slots_.Free(t, last);
  clocks_[s].Clear();
}

void HappensBefore::Fork(uint32_t parent, uint32_t child) {
  const uint32_t p = Slot(parent);
  if (!slots_.Has(child)) {
    if (auto taken = slots_.Take(child, clocks_[p])) {
      const auto [s, epoch] = *taken;
      clocks_[s].Clear();
      Mut(s).Set(s, epoch);
      if (s < fences_.size()) fences_[s] = Fences();
    }
  }
  const uint32_t c = Slot(child);
  Mut(c).Join(clocks_[p]);
  Mut(p).Tick(p);
}

void HappensBefore::End(uint32_t t) {
  if (!slots_.Has(t)) return;
  const uint32_t s = slots_.Find(t), now = clocks_[s].Get(s);
  // Every publication ticks after it: without an access at `now`, nothing holds it.
  FreeSlot(t, accessed_[s] >= now ? now : now - 1);
}

void HappensBefore::Join(uint32_t joiner, uint32_t child, bool ended) {
  if (slots_.Released(child)) return;  // joined already
  const uint32_t j = Slot(joiner), c = Slot(child);
  Mut(j).Join(clocks_[c]);
  if (!ended) {
    Mut(c).Tick(c);
    return;
  }
  // The joiner holds the child's last epoch: threads that know it may take the slot.
  FreeSlot(child, clocks_[c].Get(c));
}

void HappensBefore::Acquire(uint32_t thread, uint64_t lock, bool shared) {
  const uint32_t t = Slot(thread);
  auto it = locks_.find(lock);
  if (it == locks_.end()) return;
  Mut(t).Join(it->second.writes);
  if (!shared) clocks_[t].Join(it->second.reads);
}

void HappensBefore::Release(uint32_t thread, uint64_t lock, bool shared) {
  const uint32_t t = Slot(thread);
  LockClocks& l = locks_[lock];
  (shared ? l.reads : l.writes).Join(clocks_[t]);
  Mut(t).Tick(t);
}

void HappensBefore::SyncAcquire(uint32_t thread, uint64_t key) {
  const uint32_t t = Slot(thread);
  auto it = sync_.find(key);
  if (it != sync_.end()) Mut(t).Join(it->second);
}

void HappensBefore::SyncRelease(uint32_t thread, uint64_t key) {
  const uint32_t t = Slot(thread);
  sync_[key].Join(clocks_[t]);
  Mut(t).Tick(t);
}

HappensBefore::AtomicRef& HappensBefore::AtomicSlot(uint64_t addr) {
  bool inserted;
  AtomicRef& ref = atomics_.FindOrInsert(addr, inserted);
  uint32_t& idx = ref.idx;
  if (inserted) {
    bool fresh;
    uint32_t& pi = atomic_pages_.FindOrInsert(addr >> 12, fresh);
    if (fresh) {
      if (!free_page_atomics_.empty()) {
        pi = free_page_atomics_.back();
        free_page_atomics_.pop_back();
      } else {
        pi = static_cast<uint32_t>(page_atomics_.size());
        page_atomics_.emplace_back();
      }
    }
    PageAtomics& pa = page_atomics_[pi];
    const uint32_t line = (addr >> 6) & 63;
    pa.starts[line] |= 1ull << (addr & 63);
    pa.lines |= 1ull << line;
    if (!free_atomic_clocks_.empty()) {
      idx = free_atomic_clocks_.back();
      free_atomic_clocks_.pop_back();
    } else {
      idx = static_cast<uint32_t>(atomic_clocks_.size());
      atomic_clocks_.emplace_back();
    }
  }
  return ref;
}

void HappensBefore::Publish(uint64_t addr, const VectorClock& x, uint32_t u, bool replace) {
  AtomicRef& r = AtomicSlot(addr);
  VectorClock& c = atomic_clocks_[r.idx];
  // Joined into a clock x already holds, the sequence's clock is x: x heads it.
  const bool headed = replace || (!r.mixed && x.Get(r.thread) >= r.epoch);
  if (replace) {
    c = x;
  } else {
    c.Join(x);
  }
  r.mixed = !headed;
  r.thread = u;
  r.epoch = x.Get(u);
}

void HappensBefore::EraseAtomic(uint64_t addr) {
  if (const AtomicRef* ref = atomics_.Find(addr)) EraseAtomic(addr, *ref);
}

void HappensBefore::EraseAtomic(uint64_t addr, const AtomicRef& found) {
  const uint32_t idx = found.idx;  // `found` goes with the erase
  atomic_clocks_[idx].Clear();
  free_atomic_clocks_.push_back(idx);
  atomics_.Erase(addr);
  const uint32_t pi = *atomic_pages_.Find(addr >> 12);
  PageAtomics& pa = page_atomics_[pi];
  const uint32_t line = (addr >> 6) & 63;
  pa.starts[line] &= ~(1ull << (addr & 63));
  if (pa.starts[line] == 0) pa.lines &= ~(1ull << line);
  if (pa.lines == 0) {
    free_page_atomics_.push_back(pi);
    atomic_pages_.Erase(addr >> 12);
  }
}

HappensBefore::Fences* HappensBefore::FencesOf(uint32_t s) {
  return s < fences_.size() ? &fences_[s] : nullptr;
}

void HappensBefore::AtomicLoad(uint32_t thread, uint64_t addr, uint8_t mo) {
  if (atomics_.size() == 0) return;
  const AtomicRef* ref = atomics_.Find(addr);
  if (!ref) return;
  const uint32_t t = Slot(thread);
  if (!ref->mixed && clocks_[t].Get(ref->thread) >= ref->epoch) return;  // nothing new
  if (IsAcquire(mo)) {
    Mut(t).Join(atomic_clocks_[ref->idx]);
  } else {
    // What a relaxed load read is acquired at the thread's next acquire fence.
    if (t >= fences_.size()) fences_.resize(t + 1);
    fences_[t].pending.Join(atomic_clocks_[ref->idx]);
  }
}

void HappensBefore::AtomicStore(uint32_t thread, uint64_t addr, uint8_t mo) {
  const uint32_t t = Slot(thread);
  // The older rule: a store of the thread that alone heads the sequence continues it.
  const AtomicRef* r = !IsRelease(mo) && atomics_.size() ? atomics_.Find(addr) : nullptr;
  bool continues = false;
  if (r && !r->mixed && r->thread == t && r->epoch != 0) {
    ++own_sequence_stores_;
    continues = same_thread_stores_continue_;
  }
  if (IsRelease(mo)) {
    // A new release sequence: what earlier sequences carried is no longer visible (under
    // the older rule this thread's earlier one, which continues, is in its clock anyway).
    Publish(addr, clocks_[t], t, true);
    Mut(t).Tick(t);
  } else if (const Fences* f = FencesOf(t); f && f->released.size()) {
    // After a release fence a relaxed store heads a sequence that carries the fence's clock.
    Publish(addr, f->released, t, !continues);
  } else if (r && !continues) {
    EraseAtomic(addr, *r);
  }
}

void HappensBefore::AtomicRmwStore(uint32_t thread, uint64_t addr, uint8_t mo) {
  const uint32_t t = Slot(thread);
  if (!IsRelease(mo)) {
    // A relaxed RMW continues the sequence; after a release fence it adds the fence's clock.
    if (const Fences* f = FencesOf(t); f && f->released.size()) {
      Publish(addr, f->released, t, false);
    }
    return;
  }
  Publish(addr, clocks_[t], t, false);
  Mut(t).Tick(t);
}

void HappensBefore::Fence(uint32_t thread, uint8_t mo) {
  const bool acquire = IsAcquire(mo), release = IsRelease(mo);
  if (!acquire && !release) return;
  const uint32_t t = Slot(thread);
  if (t >= fences_.size()) fences_.resize(t + 1);
  Fences& f = fences_[t];
  if (acquire && f.pending.size()) {
    Mut(t).Join(f.pending);
    f.pending = VectorClock();
  }
  if (release) {
    f.released = clocks_[t];  // never empty: the thread's own entry is at least 1
    Mut(t).Tick(t);
  }
}

void HappensBefore::EndOrCarry(uint64_t addr, uint64_t size, const VectorClock* carry,
                               uint32_t u) {
  if (atomics_.size() == 0 || size == 0) return;
  const uint64_t end = addr + size < addr ? ~0ull : addr + size;
  const uint64_t first_page = addr >> 12, last_page = (end - 1) >> 12;
  if (last_page - first_page > atomic_pages_.size()) {
    // A huge block: look at each page that holds sequences once.
    std::vector<uint64_t> pages;
    atomic_pages_.ForEach([&](uint64_t page, uint32_t) {
      if (page - first_page <= last_page - first_page) pages.push_back(page);
    });
    for (uint64_t page : pages) EndInPage(page, addr, end - 1, carry, u);
    return;
  }
  for (uint64_t page = first_page; page <= last_page; ++page) {
    EndInPage(page, addr, end - 1, carry, u);
  }
}

void HappensBefore::EndInPage(uint64_t page, uint64_t first, uint64_t last,
                              const VectorClock* carry, uint32_t u) {
  const uint32_t* pi = atomic_pages_.Find(page);
  if (!pi) return;
  const uint32_t idx = *pi;
  const uint64_t lo = std::max(first, page << 12), hi = std::min(last, (page << 12) | 4095);
  for (uint64_t line = (lo >> 6) & 63; line <= ((hi >> 6) & 63); ++line) {
    // The sequences starting in [a, b] of this line, one erase each (erasing the page's
    // last one frees its PageAtomics, whose bits are all clear by then).
    const uint64_t a = std::max(lo, (page << 12) | (line << 6)) & 63;
    const uint64_t b = std::min(hi, (page << 12) | (line << 6) | 63) & 63;
    const uint64_t span = b - a == 63 ? ~0ull : ((1ull << (b - a + 1)) - 1) << a;
    uint64_t doomed = page_atomics_[idx].starts[line] & span;
    while (doomed) {
      const uint64_t at = (page << 12) | (line << 6) | __builtin_ctzll(doomed);
      if (carry) {
        Publish(at, *carry, u, true);
      } else {
        EraseAtomic(at);
      }
      doomed &= doomed - 1;
    }
  }
}

}  // namespace threadlens::analysis
