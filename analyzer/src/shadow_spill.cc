// Where a granule's cells go when they outgrow it (see shadow_memory.h): a block of
// kBlockCells from the arena, then a side list.
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
    block_chunks_.push_back(static_cast<ShadowCell*>(
        arena_.Allocate(sizeof(ShadowCell) * kBlockCells * kChunkBlocks)));
  }
  return blocks_++;
}

void ShadowMemory::Spill(Granule& g, const ShadowCell* cells, size_t out,
                         const ShadowCell* fresh) {
  const size_t total = out + (fresh ? 1 : 0);
  const bool in_block = g.count > kInline;  // else inline (never a side list here)
  if (total <= kBlockCells) {
    if (!in_block) {
      const uint32_t id = NewBlock();
      std::copy(cells, cells + out, Block(id));
      g.spill = id;
    }
    if (fresh) Block(g.spill)[out] = *fresh;
    g.count = static_cast<uint8_t>(total);
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
  spills_[id].assign(cells, cells + out);
  if (fresh) spills_[id].push_back(*fresh);
  if (in_block) free_blocks_.push_back(g.spill);
  g.spill = id;
  g.count = kSpilled;
}

std::vector<ShadowCell> ShadowMemory::CellsAt(uint64_t addr) const {
  const Page* p = FindPage(addr);
  if (!p) return {};
  const uint32_t line = (addr >> 6) & (kLinesPerPage - 1);
  if (p->empty >> line & 1) return {};
  if (p->uniform >> line & 1) return {p->cell[p->sid[line]]};
  const Granule* g = &p->g[line][(addr >> 3) & (kLineGranules - 1)];
  if (g->count == kSpilled) return spills_[g->spill];
  const ShadowCell* cells = g->count > kInline ? Block(g->spill) : g->cells;
  return std::vector<ShadowCell>(cells, cells + g->count);
}

}  // namespace threadlens::analysis
