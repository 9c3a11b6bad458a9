// A cell made from an access, and where a granule's cells go when they outgrow its slots (see
// shadow_memory.h): a block of kSmallCells from the arena, then one of kBlockCells, then a
// side list; and back to the granule's slots when few are left.
#include <algorithm>

#include "shadow_memory.h"

namespace threadlens::analysis {

ShadowMemory::Spilled ShadowMemory::SpilledCells(const Granule& g) const {
  if (g.kind == kInSmallBlock) {
    SmallBlock* b = small_blocks_.At(g.spill);
    return {b->key, b->note, kSmallCells};
  }
  if (g.kind == kInBlock) {
    Block* b = blocks_.At(g.spill);
    return {b->key, b->note, kBlockCells};
  }
  SideList& l = const_cast<SideList&>(spills_[g.spill]);
  return {l.key.data(), l.note.data(), l.key.size()};
}

void ShadowMemory::FreeSpill(const Granule& g) {
  if (g.kind == kInSmallBlock) {
    small_blocks_.Give(g.spill);
  } else if (g.kind == kInBlock) {
    blocks_.Give(g.spill);
  } else if (g.kind == kSideList) {
    spills_[g.spill].key.clear();
    spills_[g.spill].note.clear();
    free_spills_.push_back(g.spill);
  }
}

namespace {

// The n cells (all live) and the access's new one into block `b`; its other slots emptied
// (a reused block holds its old cells).
template <typename B, typename FillFn>
void MoveInto(B* b, const CellKey* keys, const CellNote* notes, size_t n, FillFn fill) {
  std::copy(keys, keys + n, b->key);
  std::copy(notes, notes + n, b->note);
  fill(b->key[n], b->note[n]);
  std::fill(b->key + n + 1, b->key + B::kCells, CellKey{});
}

}  // namespace

CellNote& ShadowMemory::NoteFor(Granule& g, int i) {
  if (g.spill) {
    const uint32_t v = g.spill - 1;
    if (v & 1) return notes_.At(v >> 1)->n[i - 1];
    const uint32_t h = v >> 1;
    if (i == 1) return notes_.Half(h);
    // A third cell: slot 1's note becomes the first of a pair, in place when it can.
    uint32_t e = notes_.PairInPlace(h);
    if (e == ~0u) {
      e = notes_.TakePair(arena_);
      notes_.At(e)->n[0] = notes_.Half(h);
      notes_.GiveHalf(h);
    }
    g.spill = (e << 1 | 1) + 1;
    return notes_.At(e)->n[1];
  }
  if (i == 1) {
    const uint32_t h = notes_.TakeHalf(arena_);
    g.spill = (h << 1) + 1;
    return notes_.Half(h);
  }
  const uint32_t e = notes_.TakePair(arena_);
  g.spill = (e << 1 | 1) + 1;
  return notes_.At(e)->n[1];
}

void ShadowMemory::FreeNotes(Granule& g) {
  if (!g.spill) return;
  const uint32_t v = g.spill - 1;
  if (v & 1) {
    notes_.GivePair(v >> 1);
  } else {
    notes_.GiveHalf(v >> 1);
  }
  g.spill = 0;
}

void ShadowMemory::CopyNotes(const Granule& from, Granule& to) {
  for (int i = kInline - 1; i > 0; --i) {  // the third first: one allocation, not a move
    if (from.key[i].mask) NoteFor(to, i) = NoteAt(from, nullptr, i);
  }
}

void ShadowMemory::Grow(Granule& g, const CellKey* keys, const CellNote* notes, size_t n,
                        uint8_t mask, const ShadowAccess& a) {
  auto fill = [&](CellKey& k, CellNote& note) { Fill(k, note, mask, a); };
  if (g.kind == kInlineCells) {
    FreeNotes(g);  // (`notes` is a copy of its notes)
    const uint32_t id = small_blocks_.Take(arena_);
    MoveInto(small_blocks_.At(id), keys, notes, n, fill);
    g.kind = kInSmallBlock;
    g.spill = id;
    return;
  }
  if (g.kind == kInSmallBlock) {
    const uint32_t id = blocks_.Take(arena_);
    MoveInto(blocks_.At(id), keys, notes, n, fill);
    small_blocks_.Give(g.spill);
    g.kind = kInBlock;
    g.spill = id;
    return;
  }
  CellKey key;
  CellNote note;
  Fill(key, note, mask, a);
  if (g.kind == kSideList) {
    SideList& l = spills_[g.spill];
    l.key.push_back(key);
    l.note.push_back(note);
    return;
  }
  // A ninth cell: a side list.
  uint32_t id;
  if (!free_spills_.empty()) {
    id = free_spills_.back();
    free_spills_.pop_back();
  } else {
    id = static_cast<uint32_t>(spills_.size());
    spills_.emplace_back();
  }
  SideList& l = spills_[id];
  l.key.assign(keys, keys + n);
  l.note.assign(notes, notes + n);
  l.key.push_back(key);
  l.note.push_back(note);
  blocks_.Give(g.spill);
  g.kind = kSideList;
  g.spill = id;
}

void ShadowMemory::Shrink(Granule& g, CellNote* first, const CellKey* keys,
                          const CellNote* notes, size_t n) {
  CellKey k[kInline] = {};
  CellNote note[kInline];
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!keys[i].mask) continue;
    k[out] = keys[i];
    note[out] = notes[i];
    ++out;
  }
  FreeSpill(g);
  g.kind = kInlineCells;
  g.spill = 0;
  std::copy(k, k + kInline, g.key);
  *first = note[0];
  for (size_t i = out; i-- > 1;) NoteFor(g, static_cast<int>(i)) = note[i];  // the last first
}

std::vector<ShadowCell> ShadowMemory::CellsAt(uint64_t addr) const {
  const Page* p = FindPage(addr);
  if (!p) return {};
  const uint32_t line = (addr >> 6) & (kLinesPerPage - 1);
  if (p->empty >> line & 1) return {};
  if (p->uniform >> line & 1) {
    const uint8_t s = p->sid[line];
    if (HasPair(*p, s)) return {p->cell[s], p->second[s]};
    return {p->cell[s]};
  }
  const LineCells& lc = *p->g[line];
  const Granule& g = lc.g[GranuleIndex(addr)];
  const CellKey* keys = g.key;
  CellNote own[kInline];
  const CellNote* notes = own;
  size_t n = kInline;
  if (g.kind == kInlineCells) {
    CellNote first = lc.note[GranuleIndex(addr)];
    InlineNotes(g, &first, own);
  } else {
    const Spilled c = SpilledCells(g);
    keys = c.keys;
    notes = c.notes;
    n = c.n;
  }
  std::vector<ShadowCell> cells;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i].mask) cells.push_back(Join(keys[i], notes[i]));
  }
  return cells;
}

}  // namespace threadlens::analysis
