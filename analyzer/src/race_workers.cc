// The race detector's batches and worker threads (see race_detector.h): the caller fills a
// batch of accesses, each shard's worker checks it on the pages it owns, and the caller
// merges the shards' races back into stream order.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <queue>
#include <utility>

#include "huge_arena.h"
#include "race_detector.h"

namespace threadlens::analysis {

namespace {

// Spins of a waiting thread before it sleeps (about 5 microseconds): on a machine of two
// cores the three threads of an analysis share, a longer spin took a fifth of the CPU time.
constexpr int kSpins = 200;

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Waits until `a` holds other than `old` and returns it. A thread a little behind gets there
// within microseconds: spin first, as a sleep and a wake-up cost tens of them on a virtual
// machine.
uint64_t AwaitChange(const std::atomic<uint64_t>& a, uint64_t old) {
  uint64_t v = a.load(std::memory_order_acquire);
  for (int spin = 0; v == old && spin < kSpins; ++spin) {
    CpuRelax();
    v = a.load(std::memory_order_acquire);
  }
  while (v == old) {
    a.wait(old, std::memory_order_acquire);
    v = a.load(std::memory_order_acquire);
  }
  return v;
}

}  // namespace

RaceDetector::RaceDetector(HappensBefore& hb, size_t max_reports, unsigned workers)
    : hb_(hb), threaded_(workers > 0), max_reports_(max_reports) {
  const unsigned n = std::max(1u, workers);
  for (unsigned i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Shard>());
    shards_.back()->shadow.SetShard(i, n);
    shards_.back()->index = i;
    if (threaded_) shards_.back()->shadow.UseReserve(&shards_.back()->reserve);
  }
  lane_mask_ = n - 1;
  lanes_pow2_ = (n & (n - 1)) == 0;
  multi_lane_ = n > 1;
  for (Batch& b : batches_) b.lanes.resize(n);
  if (threaded_) {
    lane_bytes_ = kRing * n * kBatchOps * sizeof(Op);
    lane_memory_ = static_cast<Op*>(HugeArena::Map(lane_bytes_));  // zeroed: valid Ops
    Op* next = lane_memory_;
    for (Batch& b : batches_) {
      for (Lane& l : b.lanes) {
        l.ops = next;
        next += kBatchOps;
      }
    }
    for (auto& s : shards_) s->thread = std::thread([this, sh = s.get()] { WorkerLoop(*sh); });
  }
}

RaceDetector::~RaceDetector() {
  if (!threaded_) return;
  stop_.store(true, std::memory_order_release);
  posted_.fetch_add(1, std::memory_order_release);
  posted_.notify_all();
  for (auto& s : shards_) s->thread.join();
  HugeArena::Unmap(lane_memory_, lane_bytes_);
}

void RaceDetector::Shard::Check(const Op& o) {
  if (o.a.flags & kCellAlloc) {
    shadow.Alloc(o.addr, o.bytes, o.a);
  } else if (o.a.flags & kCellFree) {
    shadow.Free(o.addr, o.bytes, o.a);
  } else {
    shadow.Access(o.addr, o.bytes, o.a);
  }
}

void RaceDetector::Shard::Run(const Lane& l, std::vector<Record>& into) {
  constexpr uint32_t kPrefetchBytes = 64;
  out = &into;
  const Op* lane = l.ops;
  const size_t n = l.size;
  // The pages of the accesses between the PrefetchPage stage and this one, by position mod
  // 32 (null: not looked up, or no page yet): each is looked up once, not at every stage.
  const ShadowMemory::Page* page[32] = {};
  for (size_t i = 0; i < n; ++i) {
    // The shadow of an access a few ahead loads while this one is checked.
    // The lane itself comes from memory (the caller wrote it with streaming stores).
    __builtin_prefetch(&lane[i + 48]);
    if (i + 24 < n) shadow.PrefetchSlot(lane[i + 24].addr);
    // Small ranges (a 16-byte copy, a short string) too: their first and last granules,
    // when on one page.
    if (i + 16 < n) {
      const Op& o = lane[i + 16];
      page[(i + 16) % 32] = o.bytes <= kPrefetchBytes ? shadow.PrefetchPage(o.addr) : nullptr;
    }
    if (i + 8 < n) {
      const Op& o = lane[i + 8];
      const ShadowMemory::Page* p = page[(i + 8) % 32];
      shadow.Prefetch(p, o.addr);
      if (o.bytes > 8 && ((o.addr ^ (o.addr + o.bytes - 1)) >> 12) == 0) {
        shadow.Prefetch(p, o.addr + o.bytes - 1);
      }
    }
    if (i + 4 < n) shadow.PrefetchSpill(page[(i + 4) % 32], lane[i + 4].addr);
    op = static_cast<uint32_t>(i);
    seq = lane[i].seq;
    const Op& o = lane[i];
    if (o.a.flags & (kCellAlloc | kCellFree)) {
      Check(o);
    } else {
      shadow.Access(o.addr, o.bytes, o.a, page[i % 32]);
    }
  }
}

void RaceDetector::WorkerLoop(Shard& s) {
  uint64_t seen = 0;
  for (;;) {
    const uint64_t p = AwaitChange(posted_, seen);
    if (stop_.load(std::memory_order_acquire)) return;
    for (uint64_t q = seen + 1; q <= p; ++q) {
      s.Run(batches_[q % kRing].lanes[s.index], s.records[q % kRing]);
      s.done.store(q, std::memory_order_release);
      s.done.notify_one();
    }
    seen = p;
  }
}

const RaceDetector::Snap& RaceDetector::NewSnapshot(uint32_t t, uint32_t slot, Batch& b) {
  if (t >= snaps_.size()) snaps_.resize(t + 1);
  if (b.clocks_used == b.clocks.size()) b.clocks.push_back(std::make_unique<VectorClock>());
  VectorClock* c = b.clocks[b.clocks_used++].get();
  *c = hb_.ClockAt(slot);
  b.clock_entries += c->size();
  Snap& s = snaps_[t];
  s.clock = c;
  s.batch = posted_no_ + 1;
  s.version = hb_.VersionAt(slot);
  s.now = hb_.NowAt(slot);
  s.slot = slot;
  hb_.AccessedAt(slot);
  return s;
}

void RaceDetector::CheckNow(uint32_t slot, const SideRef& side, uint64_t bytes,
                            uint32_t size, uint8_t flags, const HeapOp* heap) {
  uint64_t w[8];
  hb_.AccessedAt(slot);
  OpWords(w, slot, side, WhereOf(side), bytes, size, flags, &hb_.ClockAt(slot),
          hb_.NowAt(slot), 0);  // the live clock
  Op op;
  std::memcpy(&op, w, sizeof op);
  Shard& s = *shards_[0];
  s.op = 0;
  s.Check(op);  // into records[0]
  if (heap && heap->alloc) ApplyHeap(*heap);  // an allocation names its block first
  records_peak_ = std::max(records_peak_, s.records[0].size());
  group_.clear();
  for (const Record& r : s.records[0]) group_.push_back({&r, &op.a});
  Expand(group_);
  s.records[0].clear();
  if (heap && !heap->alloc) ApplyHeap(*heap);
}

void RaceDetector::Expand(const std::vector<OpRecord>& group) {
  if (group.size() == 1) {
    const Record& r = *group[0].r;
    for (uint32_t k = 0; k < r.granules; ++k) {
      if (k > RmwTrack::kMaxPriors && RestOfRunIsCounted(r.prior, *group[0].now)) {
        races_seen_ += r.granules - k;
        break;
      }
      Report(r.prior, r.base + 8ull * k, r.overlap, *group[0].now);
    }
    return;
  }
  // (granule, record): the smallest first. Records of different shards never share a granule.
  using Next = std::pair<uint64_t, size_t>;
  std::priority_queue<Next, std::vector<Next>, std::greater<Next>> next;
  for (size_t k = 0; k < group.size(); ++k) next.push({group[k].r->base, k});
  while (!next.empty()) {
    const auto [base, k] = next.top();
    next.pop();
    const Record& r = *group[k].r;
    Report(r.prior, base, r.overlap, *group[k].now);
    if (base + 8 < r.base + 8ull * r.granules) next.push({base + 8, k});
  }
}

void RaceDetector::Route(Batch& b, const uint64_t (&w)[8]) {
  const uint64_t n = b.lanes.size();
  const uint64_t addr = w[0], bytes = w[6] & 0xffffffffu;  // (OpWords)
  const uint64_t first = addr >> 12;
  const uint64_t end = addr + bytes;
  const uint64_t last = end > addr ? (end - 1) >> 12 : ~0ull >> 12;
  const size_t own = LaneOf(first);
  for (uint64_t p = first + 1, k = 1; p <= last && k < n; ++p, ++k) {
    const size_t lane = LaneOf(p);
    if (lane != own) b.lanes[lane].Put(w);
  }
}

void RaceDetector::Post() {
  Batch& b = batches_[filling_];
  if (b.count == 0) return;
  clock_entries_peak_ = std::max(clock_entries_peak_, b.clock_entries);
#if defined(__SSE2__)
  _mm_sfence();  // the lanes' streaming stores are not ordered by the release below
#endif
  ++posted_no_;
  posted_.store(posted_no_, std::memory_order_release);
  posted_.notify_all();
  filling_ = static_cast<int>((posted_no_ + 1) % kRing);
  // The next batch's slot must be free: merge the oldest when the ring is full.
  if (posted_no_ - merged_no_ >= kRing - 1) WaitAndMerge();
}

void RaceDetector::WaitAndMerge() {
  const uint64_t k = merged_no_ + 1;
  bool waited = false;
  for (auto& s : shards_) {
    uint64_t d = s->done.load(std::memory_order_acquire);
    waited |= d < k;
    // Time to spare: fault in a chunk the worker's shadow will need (a fifth of a worker's
    // time was the kernel zeroing fresh memory, on a leveldb trace in a virtual machine).
    if (d < k) s->reserve.Refill();
    while (d < k) d = AwaitChange(s->done, d);
  }
  Merge(batches_[k % kRing], k % kRing);
  merged_no_ = k;
  waits_ = static_cast<uint16_t>(waits_ << 1 | waited);
}

void RaceDetector::Flush() {
  if (!threaded_) return;
  Post();
  while (merged_no_ < posted_no_) WaitAndMerge();
}

void RaceDetector::Merge(Batch& b, size_t slot) {
  // Only the accesses with races or heap blocks need a look, in stream order.
  std::vector<size_t>& cur = merge_cursors_;
  cur.assign(shards_.size(), 0);
  size_t h = 0;
  constexpr uint32_t kNone = ~0u;
  for (;;) {
    uint32_t i = h < b.heap.size() ? b.heap[h].op : kNone;
    for (size_t k = 0; k < shards_.size(); ++k) {
      const auto& r = shards_[k]->records[slot];
      if (cur[k] < r.size()) i = std::min(i, r[cur[k]].seq);
    }
    if (i == kNone) break;
    // An allocation names its block before its races; a free after its own.
    for (; h < b.heap.size() && b.heap[h].op == i && b.heap[h].alloc; ++h) ApplyHeap(b.heap[h]);
    group_.clear();  // op i's races of every shard
    for (size_t k = 0; k < shards_.size(); ++k) {
      const auto& r = shards_[k]->records[slot];
      for (; cur[k] < r.size() && r[cur[k]].seq == i; ++cur[k]) {
        group_.push_back({&r[cur[k]], &b.lanes[k].ops[r[cur[k]].op].a});
      }
    }
    Expand(group_);
    for (; h < b.heap.size() && b.heap[h].op == i; ++h) ApplyHeap(b.heap[h]);
  }
  for (auto& s : shards_) {
    records_peak_ = std::max(records_peak_, s->records[slot].size());
    s->records[slot].clear();
  }
  for (auto& lane : b.lanes) lane.size = 0;
  b.count = 0;
  b.heap.clear();
  b.clocks_used = 0;
  b.clock_entries = 0;
}

}  // namespace threadlens::analysis
