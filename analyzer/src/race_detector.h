// Data-race detector: happens-before with vector clocks and FastTrack epochs
// (Flanagan & Freund, "FastTrack: Efficient and Precise Dynamic Race Detection", PLDI 2009),
// per byte over the shadow memory (shadow_memory.h), with the happens-before edges of the
// engine (hb_engine.h).
//
// Two accesses race when they touch a common byte, come from different threads, are not
// ordered by happens-before, at least one writes, and they are not both atomic. Heap blocks
// have a lifetime: their allocation and free are writes of the whole block, so an access
// racing a free is reported as a use after free by another thread.
//
// Parallel checking: the shadow memory is cut into shards by 4 KiB page, each checked by a
// worker thread of its own. The caller's thread keeps the clocks; each access goes into the
// batch's lane of the shard that owns its page (an access over several pages into each of
// their lanes) with a copy of its thread's clock (copied once per clock change), and while
// the workers check one batch the caller fills the next. Races come back per shard in stream
// order and are merged by (access, address): the reports, their order and the heap blocks
// they name are those of checking everything on one thread, whatever the number of workers.
//
// Cost: one step per 8-byte granule an access touches (O(cells) there), O(threads) at each
// synchronization. Memory: the shadow of the memory touched, the batches in flight (256 KiB
// each per shard, and up to 256 KiB of copies of clocks each), up to two shadow chunks
// faulted in ahead per shard, one clock per thread and sync object, one report per pair of
// sites, one entry per distinct site, stack and lock set an access was made with (Where);
// independent of trace length.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "analysis_types.h"
#include "hb_engine.h"
#include "heap_blocks.h"
#include "recent_accesses.h"
#include "shadow_memory.h"
#include "where_table.h"

namespace threadlens::analysis {

class RaceDetector {
 public:
  // `workers`: shards checked on threads of their own; 0 checks everything on this thread.
  RaceDetector(HappensBefore& hb, size_t max_reports, unsigned workers = 0);
  ~RaceDetector();
  RaceDetector(const RaceDetector&) = delete;
  RaceDetector& operator=(const RaceDetector&) = delete;

  // A new thread: its dense index and the trace's id.
  void AddThread(uint32_t t, uint32_t tid);
  // Thread t runs on the stack [lo, lo + size).
  void SetStack(uint32_t t, uint64_t lo, uint64_t size) { recent_.SetStack(t, lo, size); }
  // An access of side.size bytes at side.obj (plain or atomic). Inline: the common case,
  // with workers, writes the access from registers straight into its lane.
  [[gnu::always_inline]] void Access(uint32_t t, const SideRef& side, bool write, bool atomic) {
    const uint32_t slot = CheckedSlot(t);
    if (slot == kUnchecked) return;
    const uint8_t flags = (write ? kCellWrite : 0) | (atomic ? kCellAtomic : 0);
    const uint64_t bytes = side.size ? side.size : 1;
    // A plain store ends the release sequences headed in its bytes (or, after a release
    // fence of its thread, heads new ones).
    if (write && !atomic) hb_.PlainStore(t, side.obj, bytes);
    if (!atomic && (side.obj & 7) + bytes <= 8 && recent_.OnOwnStack(t, side.obj)) {
      const auto mask = static_cast<uint8_t>(((1u << bytes) - 1) << (side.obj & 7));
      if (recent_.Covered(t, slot, hb_.NowAt(slot), side.obj & ~7ull, mask, write)) {
        ++covered_;
        return;
      }
    }
    Emit(t, slot, side, bytes, side.size, flags, nullptr);
  }
  // `bytes` bytes from side.obj, one access (a coalesced scan, memcpy, read(2)...);
  // side.size is its element size, for the report.
  void Range(uint32_t t, const SideRef& side, bool write, uint64_t bytes);
  // Heap block lifetime. `block` is what reports of races on the block name.
  // `quiet`: made while the thread ignored its accesses: no access, and its cells race with
  // nothing (as in TSan).
  void Alloc(uint32_t t, const SideRef& side, uint64_t size, const HeapRef& block,
             bool quiet = false);
  void Free(uint32_t t, const SideRef& side, uint64_t size, bool quiet = false);
  // A fork: the blocks live in [from, from + span) live in the child too, from `to` on (the
  // same addresses in its own tag), and races there name them.
  void CopyBlocks(uint64_t from, uint64_t span, uint64_t to);
  // A process ended at stream position `index`: its blocks in [from, from + span) are gone,
  // so that a server forking a child per request keeps the blocks of the live ones only.
  void DropBlocks(uint64_t from, uint64_t span, uint64_t index);
  size_t blocks() const { return names_.size(); }  // for tests: blocks known, live or freed
  // Starts loading the shadow of `addr` (checking on this thread only).
  void Prefetch(uint64_t addr) const {
    if (!threaded_) shards_[0]->shadow.Prefetch(addr);
  }
  // Waits for the workers and reports everything submitted so far.
  void Flush();
  // The stream position of the earliest access whose races are still to be reported (all
  // are reported at once without workers: `now`, the caller's position).
  uint64_t EarliestUnreported(uint64_t now) const {
    for (uint64_t k = merged_no_ + 1; threaded_ && k <= posted_no_ + 1; ++k) {
      const Batch& b = batches_[k % kRing];
      if (b.count > 0) return b.first_index;
    }
    return now;
  }

  // The caller waited for the workers at most of the last 16 batches it merged back: they,
  // not it, set the pace.
  bool WorkersBehind() const {
    return merged_no_ >= 16 && std::popcount(static_cast<unsigned>(waits_)) >= 12;
  }

  // The heap block, live or freed, that holds `addr` as of the accesses reported so far.
  const HeapRef* BlockAt(uint64_t addr) const { return names_.Containing(addr); }
  // Told of each heap block an allocation takes the memory of, as the reports reach it.
  void SetBlockReplaced(HeapBlocks::Replaced f) { names_.OnReplaced(std::move(f)); }
  std::vector<RawFinding> TakeFindings() {
    Flush();
    return std::move(findings_);
  }
  // Where an access was made: its site, call stack and lock set, one id each triple (a
  // shadow cell's note keeps the id).
  using Where = WhereTable::Where;
  const Where& WhereAt(uint32_t id) const { return wheres_.At(id); }
  // The following count what was reported: call Flush first.
  uint64_t races_seen() const { return races_seen_; }
  bool truncated() const { return truncated_; }
  // Accesses longer than this many bytes are checked on their first kMaxRangeBytes only.
  static constexpr uint64_t kMaxRangeBytes = 8ull << 20;
  uint64_t ranges_cut() const { return ranges_cut_; }
  // A heap block's allocation and free cover up to this many bytes (what an op's size holds).
  static constexpr uint64_t kMaxLifetimeBytes = 0xfffff000;
  uint64_t lifetimes_cut() const { return lifetimes_cut_; }
  // The most race records a shard held for one batch (memory: 56 bytes each).
  size_t records_peak() const { return records_peak_; }
  // A batch's copies of clocks hold at most this many entries (256 KiB) past the copy that
  // reached it, then the batch is handed out: with a thousand threads each copy is 4 KiB, and
  // a batch of 4096 accesses of threads taking turns held up to 16 MiB of them (a pool of
  // 1 000 workers: peak 248 MB, 153 MB with this bound; two threads never reach it).
  static constexpr size_t kBatchClocks = 1u << 16;
  // The most entries of clocks a batch handed out held.
  size_t clock_entries_peak() const { return clock_entries_peak_; }
  // Accesses of threads whose clock slot is past the shadow's ShadowMemory::kMaxThreads
  // (that many threads alive, or ended and not yet ordered before a new one), not checked.
  uint64_t unchecked() const { return unchecked_; }
  // Accesses that an access of the same thread and epoch already covered (not checked).
  uint64_t covered() const { return covered_; }
  // Lowers that limit (tests: a million live threads' clocks do not fit in one).
  void LimitSlots(uint32_t n) { max_slots_ = std::min(n, ShadowMemory::kMaxThreads); }
  unsigned workers() const { return threaded_ ? static_cast<unsigned>(shards_.size()) : 0; }
  // The shadow of the first shard (all of it without workers), for tests.
  const ShadowMemory& shadow() const { return shards_[0]->shadow; }
  // Asked, for each race reported, where the thread whose stack holds the address was at
  // the later access (RawFinding::owner; tid 0: not known).
  void SetStackOwner(std::function<SideRef(uint64_t addr, uint64_t ts, uint64_t index)> f) {
    stack_owner_ = std::move(f);
  }
  // Asked of a use of freed memory that the free happens before: true when the address is
  // no longer the heap's (a library or a thread's stack mapped there since, with no
  // allocation the trace shows), and the use is not reported.
  // Also asked of a use that races with the free (`ordered` false; `freed`: the free's time):
  // true when a thread's stack was mapped there after the free.
  void SetRemapped(std::function<bool(uint64_t addr, uint64_t ts, bool ordered, uint64_t freed)> f) {
    remapped_ = std::move(f);
  }
  // Asked of an allocation (a mapping, a block) racing with an earlier access at `addr`
  // made at `ts`: true when that access was on a thread's stack or thread-local block and the
  // thread had ended by `alloc_ts`, the allocation's time. The range was unmapped in between
  // (the C library does it unseen), which orders the two: not reported.
  void SetStackGone(std::function<bool(uint64_t addr, uint64_t ts, uint64_t alloc_ts)> f) {
    stack_gone_ = std::move(f);
  }
  // The calls the races' stacks are paths of (their innermost node's value: the call site).
  // A pair of lines already reported is reported again, up to kReportsAgain times, for each
  // new pair of call sites of their functions: a function that accesses what its callers
  // pass it (an accessor) races on each caller's variable. Findings of one variable and
  // lines are merged again by fingerprint. Only while the reports fill less than half the cap.
  void SetCallSites(const PathTable* calls) { calls_ = calls; }
  static constexpr uint8_t kReportsAgain = 4;
  // Told of every race, reported or not, with the bytes of the granule at `base` both
  // accesses touched (for tests against a byte-level reference).
  void SetObserver(std::function<void(uint64_t base, uint8_t overlap)> f) {
    observer_ = std::move(f);
  }

 private:
  // Batches in flight: deep enough that a worker has milliseconds of work queued while the
  // caller faults in a 2 MiB shadow chunk for it (Shard::reserve). With 4 the worker ran dry
  // meanwhile, and the reserve saved no time. Sixteen batches of 4096 accesses (4 MiB of lanes
  // per shard) run as fast as eight of 16384 on the bench traces (interleaved medians within
  // 5%, in the noise of a 2-core machine) in half the memory: the bench's peak went from 24.1
  // to 19.5 MiB.
  static constexpr uint64_t kRing = 16;
  // An allocation or a free says so in its flags (kCellAlloc, kCellFree).
  struct Op {
    uint64_t addr = 0;
    ShadowAccess a;
    uint32_t bytes = 0;  // at most kMaxRangeBytes (kMaxLifetimeBytes: an allocation or free)
    uint32_t seq = 0;    // position in its batch
    uint64_t unused = 0;
  };
  static_assert(sizeof(Op) == 64, "one cache line per access");
  // The words OpWords builds an op from (bitfields fill a word from its low bits up).
  static_assert(offsetof(Op, a) == 8 && offsetof(ShadowAccess, ts) == 8 &&
                offsetof(ShadowAccess, thread) == 24 && offsetof(ShadowAccess, now) == 28 &&
                offsetof(ShadowAccess, where) == 32 && offsetof(Op, bytes) == 48 &&
                offsetof(Op, seq) == 52);
  static_assert(alignof(Op) <= 16);  // lanes are page-aligned: each op fills one line
  static_assert(std::is_trivially_copyable_v<Op>, "lanes are zero-filled memory");
  struct HeapOp {
    uint32_t op;  // index in the batch
    bool alloc;   // applied before the op's races (an allocation, a fork's copy), else after
    HeapRef block;  // alloc: the new block; free: its base in block.base
    // A fork: the live blocks in [block.base, block.base + block.size) copied to copy_to on.
    uint64_t copy_to = 0;
    bool drop = false;  // the blocks in [block.base, block.base + block.size) are gone
  };
  // A batch's accesses go to the lanes of the shards whose pages they touch (most touch
  // one page), so a worker reads its own accesses only.
  // A lane holds at most one copy of each of its batch's accesses, so kBatchOps of them:
  // its room is fixed, in the detector's one mapping of all lanes (taking an op writes it
  // once; the mapping is touched, and faulted in, only as far as the lanes fill).
  struct Lane {
    Op* ops = nullptr;  // the first `size` are this batch's
    size_t size = 0;
    // Written whole with streaming stores, from the op's eight words built in registers
    // (Emit): the lane's line is not read first (the caller then waits on no cache miss; the
    // worker reads it a batch later).
    [[gnu::always_inline]] void Put(const uint64_t (&w)[8]) {
      Op* to = ops + size++;
#if defined(__SSE2__) && defined(__x86_64__)
      auto* dst = reinterpret_cast<long long*>(to);
      for (int i = 0; i < 8; ++i) _mm_stream_si64(dst + i, static_cast<long long>(w[i]));
#else
      std::memcpy(to, w, sizeof w);
#endif
    }
  };
  struct Batch {
    std::vector<Lane> lanes;  // per shard, in stream order
    uint32_t count = 0;                  // accesses in the batch
    uint64_t first_index = 0;            // stream position of the first
    std::vector<HeapOp> heap;
    std::vector<std::unique_ptr<VectorClock>> clocks;  // copies the ops point to
    size_t clocks_used = 0;
    size_t clock_entries = 0;  // in the copies used: the batch is handed out at kBatchClocks
  };
  // Races of one access with one earlier cell on `granules` granules in a row from `base`
  // (the same bytes of each): an 8 MiB memset racing with another is one record, not a
  // million, so a batch's records stay within the shadow's size.
  struct Record {
    uint32_t seq;  // the access's position in the batch
    uint32_t op;   // its index in the shard's lane
    uint8_t overlap;
    uint32_t granules;
    uint64_t base;
    ShadowCell prior;
  };
  static_assert(sizeof(Record) == 56);
  struct Shard final : ShadowMemory::Sink {
    Shard() : shadow(*this) {}
    // Extends a run of this access's records that ends at the granule before, unless a newer
    // one has a race at this granule already: Expand then gives the races in the order the
    // shadow found them (by address, then as the granule holds its cells).
    void Race(const ShadowCell& prior, uint64_t base, uint8_t overlap,
              const ShadowAccess&) override {
      constexpr size_t kLookback = 8;
      for (size_t k = out->size(); k > 0 && out->size() - k < kLookback; --k) {
        Record& r = (*out)[k - 1];
        if (r.seq != seq || r.op != op) break;
        const uint64_t end = r.base + 8ull * r.granules;
        if (end > base) break;
        if (end == base && r.overlap == overlap &&
            std::memcmp(&r.prior, &prior, sizeof prior) == 0) {
          ++r.granules;
          return;
        }
      }
      out->push_back({seq, op, overlap, 1, base, prior});
    }
    void Check(const Op& o);
    void Run(const Lane& lane, std::vector<Record>& into);
    ShadowMemory shadow;
    ChunkReserve reserve;  // shadow chunks faulted in by the caller while it waits
    // Per batch slot of the ring, the races found in it, in stream order, then address.
    std::vector<Record> records[kRing];
    std::vector<Record>* out = &records[0];
    uint32_t seq = 0, op = 0;
    uint32_t index = 0;  // which shard
    std::thread thread;
    std::atomic<uint64_t> done{0};  // batches checked
  };
  static constexpr size_t kBatchOps = 4096;

  // A cell holds 20 bits of clock slot: threads that have none below that are not checked.
  // Thread t's clock slot, or kUnchecked (counted); looked up once per access and handed on.
  static constexpr uint32_t kUnchecked = ~0u;
  uint32_t CheckedSlot(uint32_t t) {
    const uint32_t s = hb_.Slot(t);
    if (s < max_slots_) [[likely]] return s;
    ++unchecked_;
    return kUnchecked;
  }
  void Lifetime(uint32_t t, const SideRef& side, uint64_t size, const HeapOp& h, bool quiet);
  // A change of the heap blocks no access carries (a fork's copy, a process's end).
  void HeapChange(HeapOp h);
  size_t LaneOf(uint64_t page) const {
    return lanes_pow2_ ? page & lane_mask_ : page % shards_.size();
  }
  // Submits an access of `bytes` bytes at side.obj (side.size: its size as made, for the
  // report; a kCellQuiet one has epoch 0). Without workers it is checked now, on this thread
  // (CheckNow); with workers it is written from registers straight into the filling batch's
  // lane of its first page (and of its other pages, Route): an op built field by field in
  // memory and read back whole would wait for its stores to retire.
  // `slot`: the thread's clock slot (CheckedSlot).
  [[gnu::always_inline]] void Emit(uint32_t t, uint32_t slot, const SideRef& side,
                                   uint64_t bytes, uint32_t size, uint8_t flags,
                                   const HeapOp* heap) {
    if (!threaded_) {
      // A copy: the caller's side then never leaves registers on the common path.
      const SideRef copy = side;
      return CheckNow(slot, copy, bytes, size, flags, heap);
    }
    Batch& b = batches_[filling_];
    if (b.count == 0) b.first_index = side.index;
    const uint32_t seq = b.count++;
    const Snap& snap = Snapshot(t, slot, b);
    if (heap) [[unlikely]] {
      b.heap.push_back(*heap);
      b.heap.back().op = seq;
    }
    uint64_t w[8];
    OpWords(w, snap.slot, side, WhereOf(side), bytes, size, flags, snap.clock, snap.now, seq);
    b.lanes[LaneOf(side.obj >> 12)].Put(w);
    // (Not the op read back from its lane: a load of a line just written with streaming
    // stores waits for them to reach memory.)
    if (multi_lane_ && ((side.obj & 4095) + bytes) > 4096) [[unlikely]] Route(b, w);
    if (b.count >= kBatchOps || b.clock_entries >= kBatchClocks) Post();
  }
  void CheckNow(uint32_t slot, const SideRef& side, uint64_t bytes, uint32_t size,
                uint8_t flags, const HeapOp* heap);
  // An Op's eight words (the layout the static_assert beside Op checks); a kCellQuiet
  // access has epoch 0. `t`: the thread's clock slot.
  [[gnu::always_inline]] static void OpWords(uint64_t (&w)[8], uint32_t t, const SideRef& side,
                                             uint32_t where, uint64_t bytes, uint32_t size,
                                             uint8_t flags, const VectorClock* clock,
                                             uint32_t now, uint32_t seq) {
    w[0] = side.obj;
    w[1] = reinterpret_cast<uint64_t>(clock);
    w[2] = side.ts;
    w[3] = (side.index & ((1ull << 40) - 1)) | uint64_t{size & 0xffffu} << 40 |
           uint64_t{flags} << 56;
    w[4] = t | uint64_t{flags & kCellQuiet ? 0 : now} << 32;
    w[5] = where;
    w[6] = bytes | uint64_t{seq} << 32;
    w[7] = 0;
  }
  // The id of the access's site, stack and lock set (a note's `where`).
  uint32_t WhereOf(const SideRef& side) { return wheres_.Id(side.site, side.stack, side.lockset); }
  WhereTable wheres_;
  // Copies an access over more than one page into the other lanes that own its pages.
  void Route(Batch& b, const uint64_t (&w)[8]);
  // Thread t's clock as the batch's accesses see it: one copy per batch and clock change,
  // with its own entry (the thread's epoch) and what it copies.
  struct Snap {
    const VectorClock* clock = nullptr;
    uint64_t batch = 0, version = 0;
    uint32_t now = 0;
    uint32_t slot = 0;  // the thread's clock slot (HappensBefore::Slot): cells hold it
  };
  const Snap& Snapshot(uint32_t t, uint32_t slot, Batch& b) {
    if (t < snaps_.size()) [[likely]] {
      const Snap& s = snaps_[t];
      if (s.batch == posted_no_ + 1 && s.slot == slot && s.version == hb_.VersionAt(slot)) {
        return s;
      }
    }
    return NewSnapshot(t, slot, b);
  }
  const Snap& NewSnapshot(uint32_t t, uint32_t slot, Batch& b);
  void Post();          // hands the filling batch to the workers
  void WaitAndMerge();  // for the oldest batch with the workers
  void Merge(Batch& b, size_t slot);
  void Report(const ShadowCell& prior, uint64_t base, uint8_t overlap, const ShadowAccess& now);
  // One access's records (of every shard, each shard's in order), granule by granule: by
  // address, and at one granule in record order.
  struct OpRecord {
    const Record* r;
    const ShadowAccess* now;
  };
  void Expand(const std::vector<OpRecord>& group);
  // The rest of a run of races of `now` with `prior` would change nothing but the count
  // (an 8 MiB memset racing with another: one report, and a million granules counted).
  bool RestOfRunIsCounted(const ShadowCell& prior, const ShadowAccess& now) const;
  // A race's key in reported_: its two sites in either order.
  static std::pair<uint64_t, uint64_t> SitePair(uint64_t x, uint64_t y) {
    return x < y ? std::pair{x, y} : std::pair{y, x};
  }
  std::vector<OpRecord> group_;
  // The race is the write half of a read-modify-write whose read half raced already.
  bool RmwHalf(const ShadowCell& prior, uint64_t base, const ShadowAccess& now);
  void ApplyHeap(const HeapOp& h);
  void WorkerLoop(Shard& s);

  HappensBefore& hb_;
  std::vector<std::unique_ptr<Shard>> shards_;
  bool threaded_ = false;
  uint64_t lane_mask_ = 0;  // shards - 1
  bool lanes_pow2_ = false;  // shards a power of two (one included): no division per access
  bool multi_lane_ = false;  // more than one shard
  // Batch k (numbered from 1, kRing of them) is batches_[k % kRing]; the caller fills batch posted_no_ + 1
  // while the workers check the ones after merged_no_: a worker that falls behind (a busy
  // machine) holds the caller up only after kRing - 1 batches.
  Batch batches_[kRing];
  Op* lane_memory_ = nullptr;  // kRing x shards x kBatchOps ops
  size_t lane_bytes_ = 0;
  int filling_ = 1;
  uint64_t posted_no_ = 0;  // batches handed out
  uint64_t merged_no_ = 0;  // batches merged back
  uint16_t waits_ = 0;      // bit i: the caller waited for the batch merged i batches ago
  std::atomic<uint64_t> posted_{0};
  std::atomic<bool> stop_{false};
  // Per thread: the copy of its clock in the filling batch, and the version it copies.
  std::vector<Snap> snaps_;
  // Heap blocks as of the access being reported: live ones, and freed ones until reused.
  HeapBlocks names_;
  std::vector<size_t> merge_cursors_;
  size_t clock_entries_peak_ = 0;

  std::vector<uint32_t> tids_;  // the trace's tid of each dense thread
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return static_cast<size_t>(p.first * 0x9E3779B97F4A7C15ull ^ (p.second + 0x632BE59BD9B4E019ull));
    }
  };
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> reported_;  // unordered site pairs
  // Per pair of sites reported, how many more reports it had, and the pairs of (site, call
  // site) reported.
  std::unordered_map<std::pair<uint64_t, uint64_t>, uint8_t, PairHash> again_;
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> called_;
  const PathTable* calls_ = nullptr;
  // A side's site and the call site of its function, as one key.
  uint64_t CalledAt(uint64_t site, uint32_t stack) const {
    return site * 0x9E3779B97F4A7C15ull ^ calls_->Value(stack);
  }
  bool ReportAgain(const ShadowCell& prior, const ShadowAccess& now,
                   const std::pair<uint64_t, uint64_t>& sites);
  // Records the two sides' pair of (site, call site); true when it is new.
  bool NewCalls(const ShadowCell& prior, const ShadowAccess& now);
  // The races of the last access reported on, and of the one before it when adjacent.
  struct RmwTrack {
    static constexpr size_t kMaxPriors = 16;
    uint64_t index = ~0ull;  // stream position
    uint32_t thread = 0, stack = 0;
    bool read = false;  // a plain read
    std::vector<std::pair<uint64_t, uint64_t>> priors;  // (earlier access's position, granule)
  };
  RmwTrack rmw_prev_, rmw_cur_;
  std::vector<RawFinding> findings_;
  size_t max_reports_;
  uint64_t races_seen_ = 0;
  uint64_t ranges_cut_ = 0;
  uint64_t lifetimes_cut_ = 0;
  size_t records_peak_ = 0;
  uint64_t unchecked_ = 0;
  RecentAccesses recent_;  // accesses the shadow would ignore stop here
  uint64_t covered_ = 0;
  uint32_t max_slots_ = ShadowMemory::kMaxThreads;
  bool truncated_ = false;
  std::function<void(uint64_t, uint8_t)> observer_;
  std::function<SideRef(uint64_t, uint64_t, uint64_t)> stack_owner_;
  std::function<bool(uint64_t, uint64_t, bool, uint64_t)> remapped_;
  std::function<bool(uint64_t, uint64_t, uint64_t)> stack_gone_;
};

}  // namespace threadlens::analysis
