// Shadow memory: what each byte of the traced program's memory has seen, for the race
// detector. Memory is cut into 8-byte granules; a granule keeps a few cells, each one
// access (thread epoch, which bytes, read or write, atomic, free or allocation, and where
// it was made). An access checks the cells of the granules it touches and then updates
// them, one step per granule whatever the access's size: a 4 KiB memcpy is 512 steps.
//
// Granules live in 4 KiB pages found through a page table (a direct-mapped shadow per
// page, not a hash per byte), so allocation and free of a block cost one step per granule.
//
// The cell rules keep the verdict exact for the first race on every byte (FastTrack's
// argument, Flanagan & Freund PLDI 2009, per byte and with atomicity): a cell is dropped
// only when every later access that would race with it also races with the access that
// replaces it. Atomic accesses conflict with plain ones only. A free is a plain write of
// the whole block, and any access after it (ordered or not) meets its cell: ordered, it is
// reported too, as a use after free, until a plain write, a free or an allocation of the
// bytes replaces the cell. An allocation is one too, checked against everything but the block's
// free cells (the allocator ordered the free before the reallocation, though no
// synchronization the trace shows did): an access of another thread that the merged stream
// placed before the allocation, but that did not happen before it, races with it whatever
// the order of the records.
//
// A cell is split in two: its key (8 bytes: epoch, thread, bytes, kind), all a check reads,
// and its note (24 bytes: where, an id of the site, stack and lock set the race detector
// keeps; size; stream position; time), read only to report
// a race or to merge the bytes of one access. A granule's three keys and their count share
// half a cache line; the notes live apart, written when a cell is made. A cell keeps its
// slot for life (a free slot has no bytes), so its note never moves (but for where it is
// kept). The first slot's note is the line's; the second's, and the third's, are the
// granule's own, made when a cell first needs one (most granules of a line written in part
// hold one cell, most of the others two).
//
// Memory: two bytes and a pointer per 64-byte line of a 4 KiB page touched, and a 32-byte
// slot per distinct summary its lines hold (64 once a line of the page holds two cells
// whole; room for four at first, doubled as needed), plus 448 bytes (56 per 8-byte
// granule, 7x) for each line touched in part, while it is so, and 24 more per granule
// holding two cells (48, three): a line that turns uniform again gives its granules back.
// A granule with more than three live cells moves them to a block of five (160 bytes), with
// more than five to one of eight (256), and with more than eight to a side list
// (shadow_cells.cc).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "analysis_types.h"
#include "flat_map.h"
#include "huge_arena.h"
#include "page_table.h"
#include "shadow_block_pool.h"
#include "shadow_cell.h"
#include "shadow_note_pool.h"

namespace threadlens::analysis {

class ShadowMemory {
 public:
  // Told of every race: `prior` is the earlier cell; `overlap` the bytes of the granule at
  // `base` that both touched.
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void Race(const ShadowCell& prior, uint64_t base, uint8_t overlap,
                      const ShadowAccess& now) = 0;
  };
  explicit ShadowMemory(Sink& sink) : sink_(sink) {}
  // Threads with a larger clock slot are not checked (a key holds 20 bits of it).
  static constexpr uint32_t kMaxThreads = 1u << 20;

  // A 4 KiB page's shadow. Pages live as long as the shadow, so a caller that looked one up
  // for prefetching hands it back to the access (a hint) instead of a second lookup.
  struct Page;

  // An access of [addr, addr+size). Returns true when a plain write met an atomic cell
  // (the caller ends release sequences there). `hint`: the page of `addr` when the caller
  // has it (FindPage), else null.
  bool Access(uint64_t addr, uint64_t size, const ShadowAccess& a, const Page* hint = nullptr) {
    if (size && (addr & 7) + size <= 8) [[likely]] {  // most accesses: one granule
      if (!Owns(addr)) return false;
      const uint8_t mask = static_cast<uint8_t>(((1u << size) - 1) << (addr & 7));
      Page& p = hint ? const_cast<Page&>(*hint) : PageAt(addr);
      const uint32_t line = (addr >> 6) & (kLinesPerPage - 1);
      if (!((p.uniform | p.empty) >> line & 1)) {
        LineCells& lc = *p.g[line];
        const uint32_t k = GranuleIndex(addr);
        return Step(lc.g[k], &lc.note[k], addr & ~7ull, mask, a, Mode::kAccess);
      }
      return StepGranule(p, addr & ~7ull, mask, a, Mode::kAccess);
    }
    return Range(addr, size, a, Mode::kAccess);
  }
  // Allocation: a write of the block by `a`'s thread, checked against all but free cells.
  // Returns true when the block had atomic cells.
  bool Alloc(uint64_t addr, uint64_t size, const ShadowAccess& a) {
    return Lifetime(addr, size, a, Mode::kAlloc);
  }
  // Free: a checked plain write of the block; later accesses race with it.
  // Returns true when the block had atomic cells.
  bool Free(uint64_t addr, uint64_t size, const ShadowAccess& a) {
    return Lifetime(addr, size, a, Mode::kFree);
  }
  // An allocation or free covers its block's first kLifetimeBytes whole; past them, only the
  // pages the shadow has already (memory some access touched). A 1 GiB calloc then costs no
  // shadow for the pages the program never uses, and the old cells of a reused block's far
  // end are still replaced: none of them outlives the block.
  static constexpr uint64_t kLifetimeBytes = 8ull << 20;
  // The page of `addr`, or null when it has none yet.
  const Page* FindPage(uint64_t addr) const { return table_.Find(addr >> kPageShift); }
  // Starts loading the granule of `addr` into the cache (`p`: its page, FindPage).
  void Prefetch(uint64_t addr) const { Prefetch(FindPage(addr), addr); }
  inline void Prefetch(const Page* p, uint64_t addr) const;
  // A step behind Prefetch: the cells of a granule that keeps them past its own slots.
  inline void PrefetchSpill(const Page* p, uint64_t addr) const;
  // Starts loading what finding that granule reads (its page's line of granule pointers):
  // a step ahead of Prefetch, so that Prefetch does not wait for it. Returns the page.
  inline const Page* PrefetchPage(uint64_t addr) const;
  // A step ahead of PrefetchPage: the page table's slot for the page.
  void PrefetchSlot(uint64_t addr) const { table_.Prefetch(addr >> kPageShift); }
  // Shards: this shadow checks only the 4 KiB pages it owns (page number % count == index),
  // so several can share one stream's accesses, each on its own core.
  void SetShard(uint32_t index, uint32_t count) {
    shard_ = index;
    shards_ = count;
    shard_mask_ = (count & (count - 1)) == 0 ? count - 1 : 0;
  }
  // A power-of-two count masks: a division here cost a third of the range checks.
  bool Owns(uint64_t addr) const {
    if (shards_ == 1) return true;
    const uint64_t page = addr >> kPageShift;
    return (shard_mask_ ? page & shard_mask_ : page % shards_) == shard_;
  }

  // New arena chunks come from `r` while it has some ready (race workers: the caller fills it).
  void UseReserve(ChunkReserve* r) { arena_.UseReserve(r); }

  // For tests: the live cells of the granule holding `addr`.
  std::vector<ShadowCell> CellsAt(uint64_t addr) const;
  size_t pages() const { return page_numbers_.size(); }
  // Pages whose granules were needed (the rest keep only line summaries).
  size_t granule_pages() const { return GranuleCounts().first; }
  // Summary slots the pages have room for (each page's grow as its lines need them).
  size_t summary_slots() const;
  // Granules whose cells are in a small block (four or five), or in a block (six to eight).
  size_t small_blocks() const { return small_blocks_.in_use(); }
  size_t blocks() const { return blocks_.in_use(); }
  // Lines whose granules are allocated now (the others keep a summary or nothing).
  size_t granule_lines() const { return GranuleCounts().second; }
  std::pair<size_t, size_t> GranuleCounts() const;  // (pages, lines) with granules

 private:
  static constexpr int kInline = 3;
  // Where a granule's cells are: its own kInline slots, a block of kSmallCells, one of
  // kBlockCells, or a side list past that. Most granules that outgrow their slots hold four
  // or five cells (a buffer one thread wrote and several read: zstd's input), and a block
  // of five takes 160 bytes where one of eight takes 256.
  enum Kind : uint8_t { kInlineCells = 0, kInBlock = 1, kSideList = 2, kInSmallBlock = 3 };
  static constexpr uint32_t kSmallCells = 5;
  static constexpr uint32_t kBlockCells = 8;
  static constexpr uint64_t kPageShift = 12;
  static constexpr uint64_t kGranulesPerPage = (1u << kPageShift) / 8;
  struct Granule {
    uint8_t kind = kInlineCells;
    // The block, or the index into spills_; with inline cells, where the notes of slots 1
    // and 2 are (NotePool): 0, nowhere yet; else 1 + (a half's id << 1) (slot 1's note
    // alone) or 1 + (a pair's entry << 1 | 1).
    uint32_t spill = 0;
    CellKey key[kInline];  // inline slots (slot 0's note is the line's)
  };
  static_assert(sizeof(Granule) == 32, "two granules' keys to a cache line");
  template <uint32_t N>
  struct BlockOf {
    static constexpr uint32_t kCells = N;
    CellKey key[N];
    CellNote note[N];
  };
  using Block = BlockOf<kBlockCells>;
  using SmallBlock = BlockOf<kSmallCells>;
  struct SideList {
    std::vector<CellKey> key;
    std::vector<CellNote> note;
  };
  // Memory a thread owns is mostly written whole (allocation, fill, copy, free): a 64-byte
  // line whose eight granules all hold the same single cell keeps it once, as its summary,
  // and an operation covering the whole line steps that one cell instead of eight.
  static constexpr uint32_t kLineGranules = 8;
  static constexpr uint32_t kLinesPerPage = kGranulesPerPage / kLineGranules;
  // A line's eight granules: their keys first (four cache lines), then their first slots'
  // notes (four more).
  struct LineCells {
    Granule g[kLineGranules];
    CellNote note[kLineGranules];
  };
  static_assert(sizeof(LineCells) == 448);
  // Granules come from the arena's zero-filled memory: all-zero bytes are an empty granule.
  static_assert(std::is_trivially_copyable_v<LineCells> &&
                std::is_trivially_destructible_v<LineCells>);
  // A line is empty (no cell yet), uniform (its summary stands for its eight granules) or
  // neither (its granules hold the cells). A line's granules are allocated when it first
  // needs them and given back when it turns uniform: memory only ever written whole (a
  // large memcpy, a buffer's allocation and free) costs its summaries alone, and a page of
  // many small blocks only the granules of the lines in use by several threads.
  //
  // Uniform lines with equal summaries share one of the page's (up to 64) slots, so a range
  // over a block whose lines all hold the same cell decides the first line and moves the
  // others to the outcome's slot, one byte each. A page never needs more slots than lines.
  //
  // A summary may hold two cells: a buffer one thread filled and another then read or copied
  // whole keeps both on each granule (a write and a later read), and that is most of the
  // lines such programs touch (a compressor's input, read by its workers: half the lines of
  // zstd's at its peak). The second cells live in an array of the page made when it first
  // needs one.
  static constexpr uint8_t kNoSlot = 0xff;
  struct Summary {
    ShadowCell c[2];  // c[1].mask == 0: one cell
  };
 public:
  struct Page {  // what every access reads first shares one cache line (trivially destroyed)
    uint64_t uniform = 0;         // bit L: line L's granules hold its summary's cells alone
    uint64_t empty = ~0ull;       // bit L: line L has no cell
    uint64_t free_slots = ~0ull;  // bit S: cell[S] is no line's summary
    // The summaries' slots: `cap` of them (a power of two, none at first), taken lowest
    // first and grown as more are needed. Most pages use a few: their lines share them.
    ShadowCell* cell = nullptr;
    ShadowCell* second = nullptr;  // per slot: the summary's second cell (mask 0: none)
    uint8_t cap = 0;
    // The granules of each line that is neither empty nor uniform (else null): eight, in a
    // block from the arena, given back when the line turns uniform again. Next to the
    // bits above: a one-granule access reads both.
    LineCells* g[kLinesPerPage] = {};
    uint8_t sid[kLinesPerPage] = {};
    uint8_t refs[kLinesPerPage] = {};  // uniform lines whose summary is cell[S]
  };

 private:
  enum class Mode { kAccess, kAlloc, kFree };

  Page& PageAt(uint64_t addr) {
    Page* p = table_.Find(addr >> kPageShift);
    return p ? *p : NewPage(addr);
  }
  Page& NewPage(uint64_t addr);
  // The granules of the line holding `addr` in page `p`, or null (no page, or the line keeps
  // none).
  static const LineCells* GranulesOf(const Page* p, uint64_t addr) {
    return p ? p->g[(addr >> 6) & (kLinesPerPage - 1)] : nullptr;
  }
  bool Range(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode);
  bool Lifetime(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode);
  // Range over the pages in [addr, addr+size) that the shadow has, by address.
  bool RangeOnPagesHeld(uint64_t addr, uint64_t size, const ShadowAccess& a, Mode mode);
  bool WholeLine(Page& p, uint32_t line, uint64_t base, const ShadowAccess& a, Mode mode);
  // A uniform or empty line written out to its granules (before a partial access).
  void Materialize(Page& p, uint32_t line);
  // Slots: a line takes a summary, gives its summary up, or writes one into a slot of its own.
  void SetSummary(Page& p, uint32_t line, const Summary& v);
  void DropSummary(Page& p, uint32_t line);
  void OwnSummary(Page& p, uint32_t line, const Summary& v);
  void WriteSlot(Page& p, uint8_t s, const Summary& v);
  // Page p's slot arrays grown to hold slot s.
  void GrowSlots(Page& p, uint8_t s);
  // An array of `cap` slots (a power of two), from those given back or the arena.
  ShadowCell* TakeSlots(uint8_t cap);
  void GiveSlots(ShadowCell* cells, uint8_t cap) {
    free_slot_arrays_[std::countr_zero(cap)].push_back(cells);
  }
  static Summary SummaryOf(const Page& p, uint8_t s) {
    return {{p.cell[s], p.second ? p.second[s] : ShadowCell{}}};
  }
  static bool HasPair(const Page& p, uint8_t s) { return p.second && p.second[s].mask; }
  // The granule holds one or two cells, each on all of its bytes: they, in slot order (a
  // summary of them).
  bool WholeCells(const Granule& g, CellNote* first, Summary& out) const;
  void FreeSlot(Page& p, uint8_t s);
  // How many lines from `from` on are uniform with slot `s` (from < kLinesPerPage).
  static uint32_t SlotRun(const Page& p, uint8_t s, uint32_t from);
  // A line just made uniform shares the previous line's slot when their cells are equal.
  void ShareWithPrevious(Page& p, uint32_t line);
  // Line `line`'s granules, taken from the free blocks or the arena when it has none.
  // `empty`: set them to no cells (a reused block holds a uniform line's old cells).
  LineCells* Granules(Page& p, uint32_t line, bool empty);
  // The line just turned uniform: its granules (and their notes) go back to the free blocks.
  void ReleaseGranules(Page& p, uint32_t line) {
    for (Granule& g : p.g[line]->g) FreeNotes(g);  // (uniform: every granule's cells inline)
    free_lines_.push_back(p.g[line]);
    p.g[line] = nullptr;
  }
  static uint32_t GranuleIndex(uint64_t addr) { return (addr >> 3) & (kLineGranules - 1); }
  void ReportRace(const ShadowCell& prior, uint64_t base, uint8_t overlap, const ShadowAccess& a);
  // One granule, whose first inline slot's note is `first`: check, then update. Returns true
  // when a plain write, a free or an allocation met an atomic cell.
  bool Step(Granule& g, CellNote* first, uint64_t base, uint8_t mask, const ShadowAccess& a,
            Mode mode) {
    const int r = QuickStep(g, first, mask, a, mode);
    return r >= 0 ? r : FullStep(g, first, base, mask, a, mode);
  }
  // The cell holds an access of the same thread and epoch, on all of bytes `m`, at least as
  // strong: whatever races with `a` races with it, and `a` changes nothing. (Not an
  // allocation or a free: a reallocation drops a free cell, and a report should name the real
  // access. Atomic only by atomic: the cell also says where release sequences live.) A free
  // slot has no bytes, so never matches.
  static bool Subsumes(const CellKey& s, uint8_t m, const ShadowAccess& a) {
    const bool write = a.flags & kCellWrite, atomic = a.flags & kCellAtomic;
    return s.thread == a.thread && s.clock == a.now && (s.mask & m) == m &&
           !(s.flags & (kCellAlloc | kCellFree)) && (!write || (s.flags & kCellWrite)) &&
           ((s.flags & kCellAtomic) != 0) == atomic;
  }
  // Step's common cases, inline: a granule whose own slots hold an access of this thread's
  // epoch at least as strong (nothing to do), no cell, or only cells of this thread on bytes
  // the access covers (a write replaces them all; a plain read replaces their reads and keeps
  // their writes). -1: none of these (FullStep decides).
  // (Forced inline: as a call it saved and restored six registers per access.)
  [[gnu::always_inline]] int QuickStep(Granule& g, CellNote* first, uint8_t m,
                                       const ShadowAccess& a, Mode mode) {
    if (g.kind != kInlineCells) return -1;
    const bool write = a.flags & kCellWrite, atomic = a.flags & kCellAtomic;
    unsigned live = 0;
    bool others = false;  // a live cell of another thread, or with bytes past the access's
    for (int i = 0; i < kInline; ++i) {
      const CellKey s = g.key[i];
      live |= static_cast<unsigned>(s.mask != 0) << i;
      // (A free cell, to an access: a use after free, whoever freed it; FullStep says so.)
      others |= s.mask && (s.thread != a.thread || (s.mask & ~m) ||
                           (mode == Mode::kAccess && (s.flags & kCellFree)));
      if (mode == Mode::kAccess && Subsumes(s, m, a)) return 0;
    }
    if (live == 0) {
      Fill(g.key[0], *first, m, a);
      return 0;
    }
    if (others) return -1;
    if (mode != Mode::kAccess || (write && !atomic)) {
      // This thread's own cells, all on bytes the access writes: it supersedes them all.
      bool met = false;
      for (int i = 0; i < kInline; ++i) {
        met |= (g.key[i].flags & kCellAtomic) && g.key[i].mask;
        g.key[i].mask = 0;
      }
      const int i = __builtin_ctz(live);  // a live slot past the first has its note
      Fill(g.key[i], NoteAt(g, first, i), m, a);
      return met;
    }
    if (!write && !atomic) {
      // A plain read over this thread's own cells, all on its bytes: it supersedes the reads
      // and keeps the writes, and takes the first slot free then (as FullStep would).
      unsigned free = 0;
      for (int i = 0; i < kInline; ++i) {
        if (!(g.key[i].flags & kCellWrite)) g.key[i].mask = 0;
        free |= static_cast<unsigned>(g.key[i].mask == 0) << i;
      }
      if (!free) return -1;  // three writes: FullStep grows the granule
      const int i = __builtin_ctz(free);
      Fill(g.key[i], i ? NoteFor(g, i) : *first, m, a);
      return 0;
    }
    return -1;
  }
  // The rest of Step: a block or side list, or several cells to check and update.
  bool FullStep(Granule& g, CellNote* first, uint64_t base, uint8_t mask,
                const ShadowAccess& a, Mode mode);
  // Inline slot i's note of a granule whose slot 0 note is `first` (slot i > 0: kept where
  // the granule's spill says, which a live cell there has).
  CellNote& NoteAt(const Granule& g, CellNote* first, int i) const {
    if (!i) return *first;
    const uint32_t v = g.spill - 1;
    return v & 1 ? notes_.At(v >> 1)->n[i - 1] : notes_.Half(v >> 1);
  }
  // The notes of the granule's live inline slots, into `out` (its free slots' left alone).
  void InlineNotes(const Granule& g, CellNote* first, CellNote (&out)[kInline]) const {
    for (int i = 0; i < kInline; ++i) {
      if (g.key[i].mask) out[i] = NoteAt(g, first, i);
    }
  }
  // Where slot i > 0 keeps its note, made now (slot 2's moves slot 1's to a pair).
  CellNote& NoteFor(Granule& g, int i);
  // The granule's notes past the first slot go back (its spill is 0 after).
  void FreeNotes(Granule& g);
  // `to` (with none of its own) takes copies of the notes of `from`'s live slots past the first.
  void CopyNotes(const Granule& from, Granule& to);
  // The granule at `base` in page `p` (its line written out to granules first when it has
  // none): a Step on it.
  bool StepGranule(Page& p, uint64_t base, uint8_t mask, const ShadowAccess& a, Mode mode);
  // Every slot of the granule's cells is live: they move to the next larger block (a small
  // one, a block, a side list), with the access's new cell.
  void Grow(Granule& g, const CellKey* keys, const CellNote* notes, size_t n, uint8_t mask,
            const ShadowAccess& a);
  // At most kInline live cells in the block or side list `keys` and `notes` (n slots): back
  // to the granule's own slots, whose first note is `first`.
  void Shrink(Granule& g, CellNote* first, const CellKey* keys, const CellNote* notes,
              size_t n);
  // A granule's cells past its own slots: their keys and notes, and how many slots (const
  // for CellsAt; FullStep writes through them).
  struct Spilled {
    CellKey* keys;
    CellNote* notes;
    size_t n;
  };
  Spilled SpilledCells(const Granule& g) const;
  // The block, small block or side list the granule's cells were in goes back.
  void FreeSpill(const Granule& g);
  static void Fill(CellKey& k, CellNote& n, uint8_t mask, const ShadowAccess& a) {
    // Built in registers and stored whole.
    CellKey key;
    key.clock = a.now;
    key.thread = a.thread;
    key.flags = a.flags & (kCellQuiet - 1);
    key.mask = mask;
    k = key;
    CellNote note;
    note.where = a.where;
    note.index = a.index;
    note.size = a.size;
    note.ts = a.ts;
    n = note;
  }
  static ShadowCell Join(const CellKey& k, const CellNote& n) { return ShadowCell{k, n}; }
  static ShadowCell WholeCell(const ShadowAccess& a) {  // the access on all of a granule
    ShadowCell c;
    Fill(c, c, 0xff, a);
    return c;
  }
  static Summary One(const ShadowCell& c) { return {{c, ShadowCell{}}}; }

  Sink& sink_;
  // Pages and granules live in the arena until the shadow goes: the shadow of memory the
  // program touched is kept for the whole analysis.
  HugeArena arena_;
  PageTable<Page> table_;
  std::vector<uint64_t> page_numbers_;  // of every page made, in the order made
  std::vector<LineCells*> free_lines_;  // blocks of eight granules no line uses
  std::vector<ShadowCell*> free_slot_arrays_[7];  // by log2 of their slots (1 to 64)
  BlockPool<SmallBlock> small_blocks_;
  BlockPool<Block> blocks_;
  NotePool notes_;  // of inline slots 1 and 2
  std::vector<SideList> spills_;
  std::vector<uint32_t> free_spills_;
  // Within one Range: lines whose slot is memo_in_ move to memo_out_ (same page only);
  // prev_ is the slot of the line just done.
  const Page* memo_page_ = nullptr;
  uint8_t memo_in_ = kNoSlot, memo_out_ = kNoSlot, prev_ = kNoSlot;
  uint32_t span_ = 1;  // granules the granule being stepped stands for (a uniform line: 8)
  std::vector<std::pair<ShadowCell, uint8_t>> span_races_;  // its races so far, with their bytes
  void SpanRaces(uint64_t base, const ShadowAccess& a);
  uint32_t shard_ = 0, shards_ = 1;
  uint64_t shard_mask_ = 0;  // shards_ - 1 when a power of two (and more than one)
  uint64_t races_ = 0;  // races reported so far
};

// Inline: the race workers call them for every access.
inline const ShadowMemory::Page* ShadowMemory::PrefetchPage(uint64_t addr) const {
  const Page* p = FindPage(addr);
  if (!p) return nullptr;
  __builtin_prefetch(p);  // its line bits
  __builtin_prefetch(&p->g[(addr >> 6) & (kLinesPerPage - 1)]);
  return p;
}

inline void ShadowMemory::Prefetch(const Page* p, uint64_t addr) const {
  const LineCells* line = GranulesOf(p, addr);
  if (!line) return;
  const uint32_t k = GranuleIndex(addr);
  __builtin_prefetch(&line->g[k]);
  // Half the steps write a new cell: its first slot's note, for writing.
  __builtin_prefetch(&line->note[k], 1);
}

inline void ShadowMemory::PrefetchSpill(const Page* p, uint64_t addr) const {
  const LineCells* line = GranulesOf(p, addr);
  if (!line) return;
  const Granule& g = line->g[GranuleIndex(addr)];
  if (g.kind == kInlineCells) {
    if (const uint32_t v = g.spill - 1; g.spill) {
      __builtin_prefetch(v & 1 ? static_cast<const void*>(notes_.At(v >> 1))
                               : static_cast<const void*>(&notes_.Half(v >> 1)), 1);
    }
  } else if (g.kind == kInSmallBlock) {
    const SmallBlock* b = small_blocks_.At(g.spill);
    __builtin_prefetch(b->key);
    __builtin_prefetch(&b->note[0], 1);
  } else if (g.kind == kInBlock) {
    const Block* b = blocks_.At(g.spill);
    __builtin_prefetch(b->key);
    __builtin_prefetch(&b->note[0], 1);
  } else if (g.kind == kSideList) {
    __builtin_prefetch(spills_[g.spill].key.data());
  }
}

}  // namespace threadlens::analysis
