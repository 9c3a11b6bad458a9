// A page's lines (see shadow_memory.h): the slots their summaries live in, shared by equal
// lines, and the granules a line takes when an access touches it in part and gives back when
// it turns uniform again.
#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "shadow_compare.h"
#include "shadow_memory.h"

namespace threadlens::analysis {

using shadow_detail::SameCell;

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

ShadowCell* ShadowMemory::TakeSlots(uint8_t cap) {
  auto& free = free_slot_arrays_[std::countr_zero(cap)];
  if (free.empty()) return static_cast<ShadowCell*>(arena_.Allocate(sizeof(ShadowCell) * cap));
  ShadowCell* cells = free.back();
  free.pop_back();
  return cells;
}

void ShadowMemory::GrowSlots(Page& p, uint8_t s) {
  constexpr unsigned kFirst = 4;  // a page's first slots: most never need more
  const auto cap = static_cast<uint8_t>(std::max(kFirst, std::bit_ceil(s + 1u)));
  ShadowCell* cells = TakeSlots(cap);
  std::copy(p.cell, p.cell + p.cap, cells);
  if (p.cell) GiveSlots(p.cell, p.cap);
  p.cell = cells;
  if (p.second) {
    ShadowCell* second = TakeSlots(cap);
    std::copy(p.second, p.second + p.cap, second);
    std::fill(second + p.cap, second + cap, ShadowCell{});
    GiveSlots(p.second, p.cap);
    p.second = second;
  }
  p.cap = cap;
}

void ShadowMemory::WriteSlot(Page& p, uint8_t s, const Summary& v) {
  if (s >= p.cap) GrowSlots(p, s);
  p.cell[s] = v.c[0];
  if (v.c[1].mask && !p.second) {
    p.second = TakeSlots(p.cap);
    std::fill(p.second, p.second + p.cap, ShadowCell{});  // (a reused array holds old cells)
  }
  if (p.second) p.second[s] = v.c[1];
}

bool ShadowMemory::WholeCells(const Granule& g, CellNote* first, Summary& out) const {
  if (g.kind != kInlineCells) return false;
  out = Summary{};
  int n = 0;
  for (int i = 0; i < kInline; ++i) {
    if (!g.key[i].mask) continue;
    if (g.key[i].mask != 0xff || n == 2) return false;
    out.c[n++] = Join(g.key[i], NoteAt(g, first, i));
  }
  return n > 0;
}

void ShadowMemory::SetSummary(Page& p, uint32_t line, const Summary& v) {
  // The line is not uniform: at most 63 slots are in use.
  const uint8_t s = static_cast<uint8_t>(__builtin_ctzll(p.free_slots));
  p.free_slots &= ~(1ull << s);
  WriteSlot(p, s, v);
  p.refs[s] = 1;
  p.sid[line] = s;
  p.uniform |= 1ull << line;
}

void ShadowMemory::DropSummary(Page& p, uint32_t line) {
  const uint8_t s = p.sid[line];
  if (--p.refs[s] == 0) FreeSlot(p, s);
  p.uniform &= ~(1ull << line);
}

void ShadowMemory::OwnSummary(Page& p, uint32_t line, const Summary& v) {
  const uint8_t s = p.sid[line];
  if (p.refs[s] == 1) return WriteSlot(p, s, v);
  // Shared: at least two lines use the slot, so another one is free.
  --p.refs[s];
  p.uniform &= ~(1ull << line);
  SetSummary(p, line, v);
}

void ShadowMemory::ShareWithPrevious(Page& p, uint32_t line) {
  const uint8_t s = p.sid[line];
  if (prev_ == kNoSlot || &p != memo_page_ || prev_ == s || !(p.uniform >> line & 1) ||
      !SameCell(p.cell[s], p.cell[prev_]) ||
      (p.second && !SameCell(p.second[s], p.second[prev_]))) {
    return;
  }
  p.sid[line] = prev_;
  ++p.refs[prev_];
  if (--p.refs[s] == 0) FreeSlot(p, s);
}

ShadowMemory::LineCells* ShadowMemory::Granules(Page& p, uint32_t line, bool empty) {
  LineCells* lc;
  if (!free_lines_.empty()) {
    lc = free_lines_.back();
    free_lines_.pop_back();
    if (empty) std::fill(std::begin(lc->g), std::end(lc->g), Granule{});
  } else {  // the arena's memory is zero: empty granules
    lc = static_cast<LineCells*>(arena_.Allocate(sizeof(LineCells)));
  }
  p.g[line] = lc;
  return lc;
}

void ShadowMemory::Materialize(Page& p, uint32_t line) {
  if (p.empty >> line & 1) {
    Granules(p, line, true);
    p.empty &= ~(1ull << line);
    return;
  }
  LineCells* lc = Granules(p, line, false);
  const uint8_t s = p.sid[line];
  Granule g;
  g.key[0] = p.cell[s];
  const CellNote note = p.cell[s];
  const bool pair = HasPair(p, s);
  CellNote second;
  if (pair) {
    g.key[1] = p.second[s];
    second = p.second[s];
  }
  for (uint32_t k = 0; k < kLineGranules; ++k) {
    lc->g[k] = g;
    lc->note[k] = note;
    if (pair) NoteFor(lc->g[k], 1) = second;
  }
  DropSummary(p, line);
}

}  // namespace threadlens::analysis
