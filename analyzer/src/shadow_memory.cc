// Shadow memory for the race detector (see shadow_memory.h for the model).
#include "shadow_memory.h"

#include <algorithm>
#include <cstring>

#include "shadow_compare.h"

namespace threadlens::analysis {

using shadow_detail::SamePair;
using shadow_detail::SameSummary;

ShadowMemory::Page& ShadowMemory::NewPage(uint64_t addr) {
  Page*& slot = table_.Slot(addr >> kPageShift);
  if (!slot) {
    slot = new (arena_.Allocate(sizeof(Page))) Page();
    page_numbers_.push_back(addr >> kPageShift);
  }
  return *slot;
}

std::pair<size_t, size_t> ShadowMemory::GranuleCounts() const {
  size_t pages = 0, lines = 0;
  for (uint64_t page : page_numbers_) {
    const Page* p = table_.Find(page);
    const auto n =
        std::count_if(std::begin(p->g), std::end(p->g), [](const LineCells* g) { return g; });
    pages += n > 0;
    lines += static_cast<size_t>(n);
  }
  return {pages, lines};
}

size_t ShadowMemory::summary_slots() const {
  size_t n = 0;
  for (uint64_t page : page_numbers_) n += table_.Find(page)->cap;
  return n;
}

void ShadowMemory::ReportRace(const ShadowCell& prior, uint64_t base, uint8_t overlap,
                              const ShadowAccess& a) {
  ++races_;
  if (span_ == 1) return sink_.Race(prior, base, overlap, a);
  // A uniform line's races wait for the end of its step (SpanRaces): a line written out to
  // its granules would give them granule by granule, each with its cells in order.
  span_races_.push_back({prior, overlap});
}

void ShadowMemory::SpanRaces(uint64_t base, const ShadowAccess& a) {
  for (uint32_t k = 0; k < span_; ++k) {
    for (const auto& [prior, overlap] : span_races_) sink_.Race(prior, base + 8 * k, overlap, a);
  }
  span_races_.clear();
}

bool ShadowMemory::FullStep(Granule& g, CellNote* first, uint64_t base, uint8_t m,
                            const ShadowAccess& a, Mode mode) {
  CellKey* keys = g.key;
  size_t n = kInline;
  CellNote* notes = nullptr;  // a block's or side list's (inline ones: NoteAt)
  if (g.kind != kInlineCells) {
    const Spilled c = SpilledCells(g);
    keys = c.keys;
    notes = c.notes;
    n = c.n;
  }
  const bool write = a.flags & kCellWrite;
  const bool atomic = a.flags & kCellAtomic;
  // (Read only for live cells: an inline slot past the first that holds one has its note.)
  auto note = [&](size_t i) -> CellNote& {
    return notes ? notes[i] : NoteAt(g, first, static_cast<int>(i));
  };

  // QuickStep's same-epoch test, on cells past the granule's own slots.
  if (mode == Mode::kAccess && g.kind != kInlineCells) {
    for (size_t i = 0; i < n; ++i) {
      if (Subsumes(keys[i], m, a)) return false;
    }
  }

  // One pass: report the races, drop the bytes this access makes redundant (see the header
  // for the rule), and find a cell of this same access to merge into, or a free slot.
  const VectorClock& clock = *a.clock;
  ptrdiff_t free_at = -1, merge_at = -1;
  size_t live = 0;
  bool met_atomic = false;
  for (size_t i = 0; i < n; ++i) {
    CellKey& s = keys[i];
    if (!s.mask) {
      if (free_at < 0) free_at = static_cast<ptrdiff_t>(i);
      continue;
    }
    if (const uint8_t overlap = s.mask & m) {
      const bool ordered =
          s.thread == a.thread || s.clock <= clock.Get(s.thread) || (a.flags & kCellQuiet);
      const bool cell_atomic = s.flags & kCellAtomic;
      // (The allocator ordered a block's free before its reallocation.)
      if (!ordered && !(mode == Mode::kAlloc && (s.flags & kCellFree)) &&
          (write || (s.flags & kCellWrite)) && !(atomic && cell_atomic)) {
        ReportRace(Join(s, note(i)), base, overlap, a);
      } else if (ordered && mode == Mode::kAccess && (s.flags & kCellFree) && s.clock != 0) {
        // A use of memory the free before it gave back (an unchecked free has epoch 0).
        ReportRace(Join(s, note(i)), base, overlap, a);
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
        if (!s.mask) {
          if (free_at < 0) free_at = static_cast<ptrdiff_t>(i);
          continue;
        }
      }
    }
    // One access made byte by byte (a loop, a range cut into granules) stays one cell.
    if (merge_at < 0 && s.thread == a.thread && s.clock == a.now && s.flags == a.flags &&
        note(i).where == a.where) {
      merge_at = static_cast<ptrdiff_t>(i);
    }
    ++live;
  }
  if (merge_at >= 0) {
    keys[merge_at].mask |= m;
  } else {
    ++live;
    if (free_at >= 0) {
      Fill(keys[free_at], notes ? notes[free_at] : free_at ? NoteFor(g, free_at) : *first, m,
           a);
    } else if (notes) {
      Grow(g, keys, notes, n, m, a);
    } else {
      CellNote all[kInline];  // every inline slot is live
      InlineNotes(g, first, all);
      Grow(g, keys, all, n, m, a);
    }
  }
  if (g.kind != kInlineCells && live <= kInline) Shrink(g, first, keys, notes, n);
  return met_atomic && (mode != Mode::kAccess || (write && !atomic));
}

bool ShadowMemory::WholeLine(Page& p, uint32_t line, uint64_t base, const ShadowAccess& a,
                             Mode mode) {
  if (p.empty >> line & 1) {
    // Eight steps on empty granules: each takes the access as its one cell.
    p.empty &= ~(1ull << line);
    SetSummary(p, line, One(WholeCell(a)));
    return false;
  }
  if (p.uniform >> line & 1) {
    // Step's first two cases on the summary itself: the same thread's access no stronger
    // than its cell, or one that replaces it.
    const uint8_t s = p.sid[line];
    const ShadowCell& sum = p.cell[s];
    const bool pair = HasPair(p, s);
    const bool write = a.flags & kCellWrite, atomic = a.flags & kCellAtomic;
    if (!pair && sum.thread == a.thread &&
        !(mode == Mode::kAccess && (sum.flags & kCellFree))) {
      if (mode == Mode::kAccess && Subsumes(sum, 0xff, a)) return false;
      if (mode != Mode::kAccess || (write && !atomic)) {
        const bool met = sum.flags & kCellAtomic;
        OwnSummary(p, line, One(WholeCell(a)));
        return met;
      }
    }
    Granule v;  // stands for all eight granules (its notes past the first its own, for now)
    CellNote v0 = sum;
    v.key[0] = sum;
    if (pair) {
      v.key[1] = p.second[s];
      NoteFor(v, 1) = p.second[s];
    }
    span_ = kLineGranules;
    const bool met = Step(v, &v0, base, 0xff, a, mode);
    if (!span_races_.empty()) SpanRaces(base, a);
    span_ = 1;
    if (Summary after; WholeCells(v, &v0, after)) {
      OwnSummary(p, line, after);
    } else {
      // Starting from two cells, a step leaves at most three: never a block or a side list.
      DropSummary(p, line);
      LineCells* lc = Granules(p, line, false);
      for (uint32_t k = 0; k < kLineGranules; ++k) {
        lc->g[k] = v;
        lc->g[k].spill = 0;
        lc->note[k] = v0;
        CopyNotes(v, lc->g[k]);
      }
    }
    FreeNotes(v);
    return met;
  }
  LineCells* lc = p.g[line];  // neither empty nor uniform: allocated
  bool met = false;
  for (uint32_t k = 0; k < kLineGranules; ++k) {
    met |= Step(lc->g[k], &lc->note[k], base + 8 * k, 0xff, a, mode);
  }
  // The line turns uniform when its granules all hold the same cell, or the same two.
  Summary first;
  if (!WholeCells(lc->g[0], &lc->note[0], first)) return met;
  for (uint32_t k = 1; k < kLineGranules; ++k) {
    Summary other;
    if (!WholeCells(lc->g[k], &lc->note[k], other) || !SamePair(other, first)) return met;
  }
  SetSummary(p, line, first);
  ReleaseGranules(p, line);
  return met;
}

// Inlined in Range, its hot loop (Access calls it out of line).
[[gnu::always_inline]] bool ShadowMemory::StepGranule(Page& p, uint64_t base, uint8_t mask,
                                                      const ShadowAccess& a, Mode mode) {
  const uint32_t line = (base >> 6) & (kLinesPerPage - 1);
  if ((p.uniform | p.empty) >> line & 1) {
    // The line's one cell, on every granule, already covers the access: nothing changes.
    if (mode == Mode::kAccess && (p.uniform >> line & 1)) {
      const uint8_t s = p.sid[line];
      if (Subsumes(p.cell[s], mask, a) || (p.second && Subsumes(p.second[s], mask, a))) {
        return false;
      }
    }
    Materialize(p, line);
  }
  LineCells& lc = *p.g[line];
  const uint32_t k = GranuleIndex(base);
  return Step(lc.g[k], &lc.note[k], base, mask, a, mode);
}

bool ShadowMemory::Range(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode) {
  if (size && (addr & 7) + size <= 8) {  // most accesses: one granule
    if (!Owns(addr)) return false;
    const uint8_t mask = static_cast<uint8_t>(((1u << size) - 1) << (addr & 7));
    return StepGranule(PageAt(addr), addr & ~7ull, mask, a, mode);
  }
  const uint64_t end = addr + size < addr ? ~0ull : addr + size;
  bool met = false;
  // Lines that held the same summary before this operation end the same after it: the
  // first one's outcome is reused (unless it reported a race, which each line reports).
  // Within a page that is a slot move; on the next page the first equal cell starts again.
  Summary memo_in, memo_out;
  bool memo = false, memo_met = false;
  memo_page_ = nullptr;
  memo_in_ = memo_out_ = prev_ = kNoSlot;
  Page* page = nullptr;  // g's page, found once per page
  uint64_t page_no = ~0ull;
  for (uint64_t g = addr & ~7ull; g < end;) {
    if ((g >> kPageShift) != page_no) {
      if (!Owns(g)) {  // another shard's page
        const uint64_t next = ((g >> kPageShift) + 1) << kPageShift;
        if (next <= g) break;
        g = next;
        continue;
      }
      page = &PageAt(g);
      page_no = g >> kPageShift;
    }
    Page& p = *page;
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
        } else if (memo && SameSummary(SummaryOf(p, s), memo_in)) {
          const bool same = SameSummary(memo_in, memo_out);
          if (!same) OwnSummary(p, l, memo_out);
          ShareWithPrevious(p, l);
          met |= memo_met;
          const uint8_t now = p.sid[l];
          // The old slot still holds memo_in while other lines keep it.
          memo_in_ = same ? now : (now != s && !(p.free_slots >> s & 1) ? s : kNoSlot);
          memo_out_ = now;
        } else {
          const Summary before = SummaryOf(p, s);
          const uint64_t races = races_;
          const bool m = WholeLine(p, l, gl, a, mode);
          ShareWithPrevious(p, l);
          met |= m;
          memo = (p.uniform >> l & 1) && races_ == races;
          memo_in_ = kNoSlot;
          if (memo) {
            memo_in = before;
            memo_out = SummaryOf(p, p.sid[l]);
            memo_met = m;
            const uint8_t now = p.sid[l];
            if (SameSummary(memo_in, memo_out)) {
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
    const uint64_t lo = std::max(addr, g), hi = std::min(end, g + 8);
    const uint8_t mask = static_cast<uint8_t>(((1u << (hi - lo)) - 1) << (lo - g));
    met |= StepGranule(p, g, mask, a, mode);
    if (g + 8 < g) break;
    g += 8;
  }
  memo_page_ = nullptr;
  return met;
}

bool ShadowMemory::Lifetime(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode) {
  const uint64_t whole = std::min(size, kLifetimeBytes);
  bool met = Range(addr, whole, a, mode);
  if (size > whole) met |= RangeOnPagesHeld(addr + whole, size - whole, a, mode);
  return met;
}

bool ShadowMemory::RangeOnPagesHeld(uint64_t addr, uint64_t size, const ShadowAccess& a,
                                    Mode mode) {
  const uint64_t end = addr + size < addr ? ~0ull : addr + size;
  const uint64_t first = addr >> kPageShift, last = (end - 1) >> kPageShift;
  // Each page of the range looked up, or each page held tested: whichever is fewer.
  std::vector<uint64_t> held;
  if (last - first < page_numbers_.size()) {
    for (uint64_t n = first; n <= last; ++n) {
      if (table_.Find(n)) held.push_back(n);
    }
  } else {
    for (uint64_t n : page_numbers_) {
      if (n - first <= last - first) held.push_back(n);
    }
    std::sort(held.begin(), held.end());
  }
  bool met = false;
  for (uint64_t n : held) {
    const uint64_t lo = std::max(addr, n << kPageShift);
    const uint64_t hi = n == last ? end : (n + 1) << kPageShift;
    if (Owns(lo)) met |= Range(lo, hi - lo, a, mode);
  }
  return met;
}

}  // namespace threadlens::analysis
