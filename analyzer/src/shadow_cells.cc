// A cell made from an access, and where a granule's cells go when they outgrow its slots (see
// shadow_memory.h): a block of kBlockCells from the arena, then a side list; and back when
// few are left.
#include <algorithm>

#include "shadow_memory.h"

namespace threadlens::analysis {

uint32_t ShadowMemory::NewBlock() {
  if (!free_blocks_.empty()) {
    const uint32_t id = free_blocks_.back();
    free_blocks_.pop_back();
    return id;
  }
  if (blocks_ % kChunkBlocks == 0) {
    block_chunks_.push_back(static_cast<Block*>(arena_.Allocate(sizeof(Block) * kChunkBlocks)));
  }
  return blocks_++;
}

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
  if (g.kind == kInlineCells) {
    FreeNotes(g);  // (`notes` is a copy of its notes)
    const uint32_t id = NewBlock();
    Block* b = BlockAt(id);
    std::copy(keys, keys + n, b->key);
    std::copy(notes, notes + n, b->note);
    Fill(b->key[n], b->note[n], mask, a);
    std::fill(b->key + n + 1, b->key + kBlockCells, CellKey{});  // a reused block's old cells
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
  free_blocks_.push_back(g.spill);
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
  if (g.kind == kInBlock) {
    free_blocks_.push_back(g.spill);
  } else {
    spills_[g.spill].key.clear();
    spills_[g.spill].note.clear();
    free_spills_.push_back(g.spill);
  }
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
  } else if (g.kind == kInBlock) {
    keys = BlockAt(g.spill)->key;
    notes = BlockAt(g.spill)->note;
    n = kBlockCells;
  } else if (g.kind == kSideList) {
    keys = spills_[g.spill].key.data();
    notes = spills_[g.spill].note.data();
    n = spills_[g.spill].key.size();
  }
  std::vector<ShadowCell> cells;
  for (size_t i = 0; i < n; ++i) {
    if (keys[i].mask) cells.push_back(Join(keys[i], notes[i]));
  }
  return cells;
}

}  // namespace threadlens::analysis
