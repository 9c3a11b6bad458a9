// Shadow memory for the race detector (see shadow_memory.h for the model).
#include "shadow_memory.h"

#include <algorithm>

namespace threadlens::analysis {

ShadowMemory::Granule& ShadowMemory::GranuleAt(uint64_t addr) {
  const uint64_t page = addr >> kPageShift;
  if (page != last_page_) {
    bool inserted;
    uint32_t& idx = page_index_.FindOrInsert(page, inserted);
    if (inserted) {
      idx = static_cast<uint32_t>(pages_.size());
      pages_.push_back(std::make_unique<Page>());
    }
    last_page_ = page;
    last_ = pages_[idx].get();
  }
  return last_->g[(addr >> 3) & (kGranulesPerPage - 1)];
}

const ShadowMemory::Granule* ShadowMemory::FindGranule(uint64_t addr) const {
  const uint64_t page = addr >> kPageShift;
  const Page* p = nullptr;
  if (page == last_page_) {
    p = last_;
  } else {
    const uint32_t* idx = const_cast<FlatMap<uint32_t>&>(page_index_).Find(page);
    if (!idx) return nullptr;
    p = pages_[*idx].get();
  }
  return &p->g[(addr >> 3) & (kGranulesPerPage - 1)];
}

void ShadowMemory::Prefetch(uint64_t addr) const {
  if (const Granule* g = FindGranule(addr)) __builtin_prefetch(g);
}

std::vector<ShadowCell> ShadowMemory::CellsAt(uint64_t addr) const {
  const Granule* g = FindGranule(addr);
  if (!g) return {};
  if (g->count == kSpilled) return spills_[g->spill];
  return std::vector<ShadowCell>(g->cells, g->cells + g->count);
}

void ShadowMemory::Append(Granule& g, const ShadowCell& c) {
  if (g.count != kSpilled) {
    if (g.count < kInline) {
      g.cells[g.count++] = c;
      return;
    }
    // A fourth live cell: the granule moves to a side list.
    uint32_t id;
    if (!free_spills_.empty()) {
      id = free_spills_.back();
      free_spills_.pop_back();
    } else {
      id = static_cast<uint32_t>(spills_.size());
      spills_.emplace_back();
    }
    spills_[id].assign(g.cells, g.cells + g.count);
    g.spill = id;
    g.count = kSpilled;
  }
  spills_[g.spill].push_back(c);
}

bool ShadowMemory::Step(Granule& g, uint64_t base, uint8_t m, const ShadowAccess& a, Mode mode) {
  std::vector<ShadowCell>* spill = g.count == kSpilled ? &spills_[g.spill] : nullptr;
  ShadowCell* cells = spill ? spill->data() : g.cells;
  size_t n = spill ? spill->size() : g.count;
  const bool write = a.flags & kCellWrite;
  const bool atomic = a.flags & kCellAtomic;
  const VectorClock& clock = *a.clock;

  if (mode == Mode::kAccess) {
    // The same thread in the same epoch already made an access at least as strong on
    // these bytes: whatever races with this one races with that one. (Not an allocation or
    // a free: a reallocation drops those cells, and a report should name the real access.
    // Atomic only by atomic: the cell also says where release sequences live.)
    for (size_t i = 0; i < n; ++i) {
      const ShadowCell& s = cells[i];
      if (s.thread == a.thread && s.clock == a.now && (s.mask & m) == m &&
          !(s.flags & (kCellAlloc | kCellFree | kCellKept)) &&
          (!write || (s.flags & kCellWrite)) && ((s.flags & kCellAtomic) != 0) == atomic) {
        return false;
      }
    }
  }

  if (mode != Mode::kAlloc) {
    for (size_t i = 0; i < n; ++i) {
      const ShadowCell& s = cells[i];
      const uint8_t overlap = s.mask & m;
      if (!overlap) continue;
      if (s.thread == a.thread || s.clock <= clock.Get(s.thread)) continue;
      if ((write || (s.flags & kCellWrite)) && !(atomic && (s.flags & kCellAtomic))) {
        sink_.Race(s, base, overlap, a);
      }
    }
  }

  // Drop the bytes this access makes redundant (see the header for the rule).
  size_t out = 0;
  bool met_atomic = false;
  for (size_t i = 0; i < n; ++i) {
    ShadowCell s = cells[i];
    if (s.mask & m) {
      met_atomic |= (s.flags & kCellAtomic) != 0;
      const bool ordered = s.thread == a.thread || s.clock <= clock.Get(s.thread);
      const bool cell_atomic = s.flags & kCellAtomic;
      bool drop;
      if (mode == Mode::kAlloc) {
        drop = ordered || (s.flags & kCellFree);
      } else if (write && !atomic) {
        drop = true;  // ordered cells are superseded; unordered ones were just reported
      } else if (write) {
        // An atomic write supersedes ordered atomic cells, never plain ones (a later atomic
        // access races with those but not with it); unordered plain cells were reported.
        drop = ordered ? cell_atomic : !cell_atomic;
      } else {
        drop = ordered && !(s.flags & kCellWrite) && (cell_atomic || !atomic);
      }
      if (drop) {
        s.mask &= ~m;
        if (!s.mask) continue;
      } else if (mode == Mode::kAlloc) {
        // It no longer stands for later accesses of its thread: those race with the
        // allocation, which was never checked against it.
        s.flags |= kCellKept;
      }
    }
    cells[out++] = s;
  }

  // One access made byte by byte (a loop, a range cut into granules) stays one cell.
  ShadowCell fresh;
  fresh.clock = a.now;
  fresh.thread = a.thread;
  fresh.mask = m;
  fresh.flags = a.flags;
  fresh.stack = a.stack;
  fresh.lockset = a.lockset;
  fresh.site = a.site;
  fresh.index = a.index;
  fresh.size = a.size;
  fresh.ts = a.ts;
  bool merged = false;
  for (size_t i = 0; i < out; ++i) {
    ShadowCell& s = cells[i];
    if (s.thread == fresh.thread && s.clock == fresh.clock && s.flags == fresh.flags &&
        s.site == fresh.site && s.stack == fresh.stack && s.lockset == fresh.lockset) {
      s.mask |= m;
      merged = true;
      break;
    }
  }
  if (spill) {
    spill->resize(out);
    if (out + !merged <= kInline) {
      // Back to inline cells: the side list is free again.
      std::copy(spill->begin(), spill->end(), g.cells);
      spill->clear();
      free_spills_.push_back(g.spill);
      g.spill = 0;
      g.count = static_cast<uint8_t>(out);
    }
  } else {
    g.count = static_cast<uint8_t>(out);
  }
  if (!merged) Append(g, fresh);
  return met_atomic && (mode != Mode::kAccess || (write && !atomic));
}

namespace {

// Calls f(granule base, byte mask) for each granule of [addr, addr+size).
template <typename F>
void ForGranules(uint64_t addr, uint64_t size, F f) {
  const uint64_t end = addr + size < addr ? ~0ull : addr + size;
  for (uint64_t g = addr & ~7ull; g < end; g += 8) {
    const uint64_t lo = std::max(addr, g), hi = std::min(end, g + 8);
    const uint8_t mask = static_cast<uint8_t>(((1u << (hi - lo)) - 1) << (lo - g));
    f(g, mask);
    if (g + 8 < g) break;
  }
}

}  // namespace

bool ShadowMemory::Access(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  bool met = false;
  ForGranules(addr, size, [&](uint64_t g, uint8_t mask) {
    met |= Step(GranuleAt(g), g, mask, a, Mode::kAccess);
  });
  return met;
}

bool ShadowMemory::Alloc(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  bool met = false;
  ForGranules(addr, size, [&](uint64_t g, uint8_t mask) {
    met |= Step(GranuleAt(g), g, mask, a, Mode::kAlloc);
  });
  return met;
}

bool ShadowMemory::Free(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  bool met = false;
  ForGranules(addr, size, [&](uint64_t g, uint8_t mask) {
    met |= Step(GranuleAt(g), g, mask, a, Mode::kFree);
  });
  return met;
}

}  // namespace threadlens::analysis
