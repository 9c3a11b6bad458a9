// Shadow memory for the race detector (see shadow_memory.h for the model).
#include "shadow_memory.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace threadlens::analysis {

ShadowMemory::Page& ShadowMemory::NewPage(uint64_t addr) {
  Page*& slot = table_.Slot(addr >> kPageShift);
  if (!slot) {
    slot = new (arena_.Allocate(sizeof(Page))) Page();
    pages_.push_back(slot);
  }
  return *slot;
}

const ShadowMemory::Granule* ShadowMemory::FindGranule(uint64_t addr) const {
  const Page* p = FindPage(addr);
  if (!p) return nullptr;
  const Granule* line = p->g[(addr >> 6) & (kLinesPerPage - 1)];
  return line ? &line[(addr >> 3) & (kLineGranules - 1)] : nullptr;
}

void ShadowMemory::Prefetch(uint64_t addr) const {
  if (const Granule* g = FindGranule(addr)) {
    __builtin_prefetch(g);
    __builtin_prefetch(reinterpret_cast<const char*>(g) + 64);  // the second and third cells
  }
}

void ShadowMemory::ReportRace(const ShadowCell& prior, uint64_t base, uint8_t overlap,
                              const ShadowAccess& a) {
  ++races_;
  for (uint32_t k = 0; k < span_; ++k) sink_.Race(prior, base + 8 * k, overlap, a);
}

void ShadowMemory::Fill(ShadowCell& c, uint8_t mask, const ShadowAccess& a) {
  c.clock = a.now;
  c.thread = a.thread;
  c.mask = mask;
  c.flags = a.flags;
  c.stack = a.stack;
  c.lockset = a.lockset;
  c.site = a.site;
  c.index = a.index;
  c.size = a.size;
  c.ts = a.ts;
}

bool ShadowMemory::Step(Granule& g, uint64_t base, uint8_t m, const ShadowAccess& a, Mode mode) {
  std::vector<ShadowCell>* spill = nullptr;
  ShadowCell* cells = g.cells;
  size_t n = g.count;
  if (g.count > kInline) {
    if (g.count == kSpilled) {
      spill = &spills_[g.spill];
      cells = spill->data();
      n = spill->size();
    } else {
      cells = Block(g.spill);
    }
  }
  const bool write = a.flags & kCellWrite;
  const bool atomic = a.flags & kCellAtomic;
  const VectorClock& clock = *a.clock;

  if (mode == Mode::kAccess) {
    // The same thread in the same epoch already made an access at least as strong on
    // these bytes: whatever races with this one races with that one. (Not an allocation or
    // a free: a reallocation drops a free cell, and a report should name the real access.
    // Atomic only by atomic: the cell also says where release sequences live.)
    for (size_t i = 0; i < n; ++i) {
      const ShadowCell& s = cells[i];
      if (s.thread == a.thread && s.clock == a.now && (s.mask & m) == m &&
          !(s.flags & (kCellAlloc | kCellFree)) &&
          (!write || (s.flags & kCellWrite)) && ((s.flags & kCellAtomic) != 0) == atomic) {
        return false;
      }
    }
  }

  // Fast paths for memory no other thread touched: an empty granule, or a single cell of
  // this thread that a plain write, a free or an allocation replaces whole.
  if (!spill && n <= 1) {
    const bool replace = n == 1 && cells[0].thread == a.thread && (cells[0].mask & ~m) == 0 &&
                         (mode != Mode::kAccess || (write && !atomic));
    if (n == 0 || replace) {
      const bool met_atomic = n == 1 && (cells[0].flags & kCellAtomic);
      Fill(cells[0], m, a);
      g.count = 1;
      return met_atomic;
    }
  }

  // One pass: report the races, drop the bytes this access makes redundant (see the header
  // for the rule), and find a cell of this same access to merge into.
  size_t out = 0, merge_at = n;
  bool met_atomic = false;
  for (size_t i = 0; i < n; ++i) {
    ShadowCell& s = cells[i];
    if (const uint8_t overlap = s.mask & m) {
      const bool ordered = s.thread == a.thread || s.clock <= clock.Get(s.thread);
      const bool cell_atomic = s.flags & kCellAtomic;
      // (The allocator ordered a block's free before its reallocation.)
      if (!ordered && !(mode == Mode::kAlloc && (s.flags & kCellFree)) &&
          (write || (s.flags & kCellWrite)) && !(atomic && cell_atomic)) {
        ReportRace(s, base, overlap, a);
      }
      met_atomic |= cell_atomic;
      bool drop;
      if (write && !atomic) {
        // Ordered cells are superseded, unordered ones were just reported (an allocation
        // drops the block's free cells too).
        drop = true;
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
      }
    }
    if (out != i) cells[out] = s;
    // One access made byte by byte (a loop, a range cut into granules) stays one cell.
    const ShadowCell& kept = cells[out];
    if (merge_at == n && kept.thread == a.thread && kept.clock == a.now &&
        kept.flags == a.flags && kept.site == a.site && kept.stack == a.stack &&
        kept.lockset == a.lockset) {
      merge_at = out;
    }
    ++out;
  }
  const bool merged = merge_at != n;
  if (merged) cells[merge_at].mask |= m;
  ShadowCell fresh;
  if (!merged) Fill(fresh, m, a);
  const size_t total = out + !merged;
  if (total <= kInline) {
    if (cells != g.cells) {
      // Back to inline cells: the block or side list is free again.
      std::copy(cells, cells + out, g.cells);
      if (spill) {
        spill->clear();
        free_spills_.push_back(g.spill);
      } else {
        free_blocks_.push_back(g.spill);
      }
      g.spill = 0;
    }
    g.count = static_cast<uint8_t>(out);
    if (!merged) g.cells[g.count++] = fresh;
  } else if (spill) {
    spill->resize(out);
    if (!merged) spill->push_back(fresh);
  } else {
    Spill(g, cells, out, merged ? nullptr : &fresh);
  }
  return met_atomic && (mode != Mode::kAccess || (write && !atomic));
}

namespace {

// Field by field: a call to memcmp costs more than the comparison.
bool SameCell(const ShadowCell& a, const ShadowCell& b) {
  uint64_t x[5], y[5];
  static_assert(sizeof x == sizeof(ShadowCell));
  std::memcpy(x, &a, sizeof x);
  std::memcpy(y, &b, sizeof y);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

}  // namespace

uint32_t ShadowMemory::SlotRun(const Page& p, uint8_t s, uint32_t from) {
  uint64_t same = 0;  // bit L: line L's sid is s
#if defined(__SSE2__)
  const __m128i want = _mm_set1_epi8(static_cast<char>(s));
  for (uint32_t k = 0; k < kLinesPerPage; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p.sid + k));
    same |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want))))
            << k;
  }
#else
  for (uint32_t k = 0; k < kLinesPerPage; ++k) same |= static_cast<uint64_t>(p.sid[k] == s) << k;
#endif
  const uint64_t other = ~((same & p.uniform) >> from);
  return other ? static_cast<uint32_t>(__builtin_ctzll(other)) : kLinesPerPage;
}

void ShadowMemory::FreeSlot(Page& p, uint8_t s) {
  p.free_slots |= 1ull << s;
  if (&p == memo_page_) {  // the slot may come back with another cell
    if (s == memo_in_) memo_in_ = kNoSlot;
    if (s == prev_) prev_ = kNoSlot;
  }
}

void ShadowMemory::SetSummary(Page& p, uint32_t line, const ShadowCell& c) {
  // The line is not uniform: at most 63 slots are in use.
  const uint8_t s = static_cast<uint8_t>(__builtin_ctzll(p.free_slots));
  p.free_slots &= ~(1ull << s);
  p.cell[s] = c;
  p.refs[s] = 1;
  p.sid[line] = s;
  p.uniform |= 1ull << line;
}

void ShadowMemory::DropSummary(Page& p, uint32_t line) {
  const uint8_t s = p.sid[line];
  if (--p.refs[s] == 0) FreeSlot(p, s);
  p.uniform &= ~(1ull << line);
}

ShadowCell& ShadowMemory::OwnSummary(Page& p, uint32_t line) {
  const uint8_t s = p.sid[line];
  if (p.refs[s] == 1) return p.cell[s];
  // Shared: at least two lines use the slot, so another one is free.
  --p.refs[s];
  const ShadowCell c = p.cell[s];
  p.uniform &= ~(1ull << line);
  SetSummary(p, line, c);
  return p.cell[p.sid[line]];
}

void ShadowMemory::ShareWithPrevious(Page& p, uint32_t line) {
  const uint8_t s = p.sid[line];
  if (prev_ == kNoSlot || &p != memo_page_ || prev_ == s || !(p.uniform >> line & 1) ||
      !SameCell(p.cell[s], p.cell[prev_])) {
    return;
  }
  p.sid[line] = prev_;
  ++p.refs[prev_];
  if (--p.refs[s] == 0) FreeSlot(p, s);
}

ShadowMemory::Granule* ShadowMemory::Granules(Page& p, uint32_t line, bool empty) {
  Granule* gs;
  if (!free_lines_.empty()) {
    gs = free_lines_.back();
    free_lines_.pop_back();
    if (empty) {
      for (uint32_t k = 0; k < kLineGranules; ++k) gs[k].count = 0;
    }
  } else {  // the arena's memory is zero: empty granules
    gs = static_cast<Granule*>(arena_.Allocate(sizeof(Granule) * kLineGranules));
  }
  p.g[line] = gs;
  return gs;
}

void ShadowMemory::Materialize(Page& p, uint32_t line) {
  if (p.empty >> line & 1) {
    Granules(p, line, true);
    p.empty &= ~(1ull << line);
    return;
  }
  Granule* gs = Granules(p, line, false);
  const ShadowCell c = p.cell[p.sid[line]];
  for (uint32_t k = 0; k < kLineGranules; ++k) {
    gs[k].count = 1;
    gs[k].spill = 0;
    gs[k].cells[0] = c;
  }
  DropSummary(p, line);
}

bool ShadowMemory::WholeLine(Page& p, uint32_t line, uint64_t base, const ShadowAccess& a,
                             Mode mode) {
  if (p.empty >> line & 1) {
    // Eight steps on empty granules: each takes the access as its one cell.
    ShadowCell c;
    Fill(c, 0xff, a);
    p.empty &= ~(1ull << line);
    SetSummary(p, line, c);
    return false;
  }
  if (p.uniform >> line & 1) {
    // Step's first two cases on the summary itself: the same thread's access no stronger
    // than its cell, or one that replaces it.
    const ShadowCell& sum = p.cell[p.sid[line]];
    const bool write = a.flags & kCellWrite, atomic = a.flags & kCellAtomic;
    if (sum.thread == a.thread) {
      if (mode == Mode::kAccess && sum.clock == a.now &&
          !(sum.flags & (kCellAlloc | kCellFree)) && (!write || (sum.flags & kCellWrite)) &&
          ((sum.flags & kCellAtomic) != 0) == atomic) {
        return false;
      }
      if (mode != Mode::kAccess || (write && !atomic)) {
        const bool met = sum.flags & kCellAtomic;
        Fill(OwnSummary(p, line), 0xff, a);
        return met;
      }
    }
    Granule v;  // stands for all eight granules
    v.count = 1;
    v.cells[0] = sum;
    span_ = kLineGranules;
    const bool met = Step(v, base, 0xff, a, mode);
    span_ = 1;
    if (v.count == 1 && v.cells[0].mask == 0xff) {
      OwnSummary(p, line) = v.cells[0];
    } else {
      // Starting from one cell, a step leaves at most two: never a spilled granule.
      DropSummary(p, line);
      Granule* gs = Granules(p, line, false);
      for (uint32_t k = 0; k < kLineGranules; ++k) {
        gs[k].count = v.count;
        gs[k].spill = 0;
        std::copy(v.cells, v.cells + v.count, gs[k].cells);
      }
    }
    return met;
  }
  Granule* gs = p.g[line];  // neither empty nor uniform: allocated
  bool met = false;
  for (uint32_t k = 0; k < kLineGranules; ++k) met |= Step(gs[k], base + 8 * k, 0xff, a, mode);
  const ShadowCell& first = gs[0].cells[0];
  for (uint32_t k = 0; k < kLineGranules; ++k) {
    if (gs[k].count != 1 || gs[k].cells[0].mask != 0xff || !SameCell(gs[k].cells[0], first)) {
      return met;
    }
  }
  SetSummary(p, line, first);
  ReleaseGranules(p, line);
  return met;
}

bool ShadowMemory::Range(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode) {
  if (size && (addr & 7) + size <= 8) {  // most accesses: one granule
    if (!Owns(addr)) return false;
    Page& p = PageAt(addr);
    const uint32_t line = (addr >> 6) & (kLinesPerPage - 1);
    if ((p.uniform | p.empty) >> line & 1) Materialize(p, line);
    const uint8_t mask = static_cast<uint8_t>(((1u << size) - 1) << (addr & 7));
    return Step(GranuleAt(p, addr), addr & ~7ull, mask, a, mode);
  }
  const uint64_t end = addr + size < addr ? ~0ull : addr + size;
  bool met = false;
  // Lines that held the same summary before this operation end the same after it: the
  // first one's outcome is reused (unless it reported a race, which each line reports).
  // Within a page that is a slot move; on the next page the first equal cell starts again.
  ShadowCell memo_in, memo_out;
  bool memo = false, memo_met = false;
  memo_page_ = nullptr;
  memo_in_ = memo_out_ = prev_ = kNoSlot;
  for (uint64_t g = addr & ~7ull; g < end;) {
    if (!Owns(g)) {  // another shard's page
      const uint64_t next = ((g >> kPageShift) + 1) << kPageShift;
      if (next <= g) break;
      g = next;
      continue;
    }
    Page& p = PageAt(g);
    const uint32_t line = (g >> 6) & (kLinesPerPage - 1);
    if ((g & 63) == 0 && addr <= g && end - g >= 64) {
      if (&p != memo_page_) {
        memo_page_ = &p;
        memo_in_ = prev_ = kNoSlot;
      }
      // The whole lines of this page the range covers.
      const uint32_t last = static_cast<uint32_t>(
          std::min<uint64_t>(kLinesPerPage, line + (end - g) / 64));
      uint32_t moved = 0;  // lines moved from memo_in_ to memo_out_, not yet counted in refs
      auto settle = [&] {
        if (!moved) return;
        p.refs[memo_out_] += moved;
        p.refs[memo_in_] -= moved;
        if (p.refs[memo_in_] == 0) FreeSlot(p, memo_in_);
        moved = 0;
      };
      for (uint32_t l = line; l < last; ++l) {
        const uint64_t gl = g + 64 * (l - line);
        const uint8_t s = p.sid[l];
        const bool uniform = p.uniform >> l & 1;
        if (uniform && s == memo_in_) {
          // This line and the ones after it that hold the same slot move at once.
          const uint32_t run = std::min(last - l, SlotRun(p, s, l));
          std::memset(p.sid + l, memo_out_, run);
          if (memo_out_ != s) moved += run;
          met |= memo_met;
          prev_ = memo_out_;
          l += run - 1;
          continue;
        }
        settle();
        if (!uniform) {
          met |= WholeLine(p, l, gl, a, mode);
          ShareWithPrevious(p, l);
        } else if (memo && SameCell(p.cell[s], memo_in)) {
          const bool same = SameCell(memo_in, memo_out);
          if (!same) OwnSummary(p, l) = memo_out;
          ShareWithPrevious(p, l);
          met |= memo_met;
          const uint8_t now = p.sid[l];
          // The old slot still holds memo_in while other lines keep it.
          memo_in_ = same ? now : (now != s && !(p.free_slots >> s & 1) ? s : kNoSlot);
          memo_out_ = now;
        } else {
          const ShadowCell before = p.cell[s];
          const uint64_t races = races_;
          const bool m = WholeLine(p, l, gl, a, mode);
          ShareWithPrevious(p, l);
          met |= m;
          memo = (p.uniform >> l & 1) && races_ == races;
          memo_in_ = kNoSlot;
          if (memo) {
            memo_in = before;
            memo_out = p.cell[p.sid[l]];
            memo_met = m;
            const uint8_t now = p.sid[l];
            if (SameCell(memo_in, memo_out)) {
              memo_in_ = now;
            } else if (now != s && !(p.free_slots >> s & 1)) {
              memo_in_ = s;  // other lines keep the old cell there
            }
            memo_out_ = now;
          }
        }
        prev_ = (p.uniform >> l & 1) ? p.sid[l] : kNoSlot;
      }
      settle();
      const uint64_t next = g + 64 * (last - line);
      if (next < g) break;
      g = next;
      continue;
    }
    if ((p.uniform | p.empty) >> line & 1) Materialize(p, line);
    const uint64_t lo = std::max(addr, g), hi = std::min(end, g + 8);
    const uint8_t mask = static_cast<uint8_t>(((1u << (hi - lo)) - 1) << (lo - g));
    met |= Step(GranuleAt(p, g), g, mask, a, mode);
    if (g + 8 < g) break;
    g += 8;
  }
  memo_page_ = nullptr;
  return met;
}

bool ShadowMemory::Access(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  return Range(addr, size, a, Mode::kAccess);
}

bool ShadowMemory::Alloc(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  return Range(addr, size, a, Mode::kAlloc);
}

bool ShadowMemory::Free(uint64_t addr, uint64_t size, const ShadowAccess& a) {
  return Range(addr, size, a, Mode::kFree);
}

}  // namespace threadlens::analysis
