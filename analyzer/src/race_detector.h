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
// Cost: one step per 8-byte granule an access touches (O(cells) there), O(threads) at each
// synchronization. Memory: the shadow of the memory touched, one clock per thread and sync
// object, one report per pair of sites; independent of trace length.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "analysis_types.h"
#include "hb_engine.h"
#include "shadow_memory.h"

namespace threadlens::analysis {

class RaceDetector : private ShadowMemory::Sink {
 public:
  RaceDetector(HappensBefore& hb, size_t max_reports)
      : hb_(hb), shadow_(*this), max_reports_(max_reports) {}

  // A new thread: its dense index and the trace's id.
  void AddThread(uint32_t t, uint32_t tid);
  // An access of side.size bytes at side.obj (plain or atomic).
  void Access(uint32_t t, const SideRef& side, bool write, bool atomic);
  // `bytes` bytes from side.obj, one access (a coalesced scan, memcpy, read(2)...);
  // side.size is its element size, for the report.
  void Range(uint32_t t, const SideRef& side, bool write, uint64_t bytes);
  // Heap block lifetime.
  void Alloc(uint32_t t, const SideRef& side, uint64_t size) { Lifetime(t, side, size, false); }
  void Free(uint32_t t, const SideRef& side, uint64_t size) { Lifetime(t, side, size, true); }
  void Prefetch(uint64_t addr) const { shadow_.Prefetch(addr); }

  std::vector<RawFinding> TakeFindings() { return std::move(findings_); }
  // Findings so far, for the driver to annotate the newest ones (e.g. with their heap block).
  std::vector<RawFinding>& Findings() { return findings_; }
  uint64_t races_seen() const { return races_seen_; }
  bool truncated() const { return truncated_; }
  // Accesses longer than this many bytes are checked on their first kMaxRangeBytes only.
  static constexpr uint64_t kMaxRangeBytes = 8ull << 20;
  uint64_t ranges_cut() const { return ranges_cut_; }
  const ShadowMemory& shadow() const { return shadow_; }
  // Told of every race, reported or not, with the bytes of the granule at `base` both
  // accesses touched (for tests against a byte-level reference).
  void SetObserver(std::function<void(uint64_t base, uint8_t overlap)> f) {
    observer_ = std::move(f);
  }

 private:
  void Race(const ShadowCell& prior, uint64_t base, uint8_t overlap,
            const ShadowAccess& now) override;
  ShadowAccess Make(uint32_t t, const SideRef& s, uint8_t flags) const;
  void Lifetime(uint32_t t, const SideRef& side, uint64_t size, bool free);

  HappensBefore& hb_;
  ShadowMemory shadow_;
  std::vector<uint32_t> tids_;  // the trace's tid of each dense thread
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return static_cast<size_t>(p.first * 0x9E3779B97F4A7C15ull ^ (p.second + 0x632BE59BD9B4E019ull));
    }
  };
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> reported_;  // unordered site pairs
  std::vector<RawFinding> findings_;
  size_t max_reports_;
  uint64_t races_seen_ = 0;
  uint64_t ranges_cut_ = 0;
  bool truncated_ = false;
  std::function<void(uint64_t, uint8_t)> observer_;
};

}  // namespace threadlens::analysis
