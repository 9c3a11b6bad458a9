// Data-race detector: happens-before with vector clocks and FastTrack epochs
// (Flanagan & Freund, "FastTrack: Efficient and Precise Dynamic Race Detection", PLDI 2009).
//
// Happens-before edges: lock release -> later acquire of the same lock (a shared (reader)
// release orders later writers only; a writer's release orders everyone), fork -> child,
// child -> join, release/acq_rel/seq_cst atomic stores and RMWs -> later acquire loads/RMWs
// of the same address (relaxed: no edge), semaphore post -> wait, happens_before(addr) ->
// happens_after(addr). Sync objects accumulate their releases (a join, not an overwrite).
//
// Cost: O(1) per access in the common case (epoch compare), O(threads) when a variable is
// read-shared and at each synchronization. Memory: one shadow record per live variable
// (plus a per-thread read vector for read-shared ones) and one clock per sync object;
// independent of trace length. Variables are exact addresses: accesses of different sizes
// that overlap at different start addresses are not compared.
#pragma once

#include <cstdint>
#include <unordered_set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis_types.h"
#include "flat_map.h"

namespace threadlens::analysis {

class RaceDetector {
 public:
  explicit RaceDetector(size_t max_reports) : max_reports_(max_reports) {}

  // A new thread (dense index) with its first clock value; `tid` is the trace's id.
  void AddThread(uint32_t t, uint32_t tid);
  void AddThread(uint32_t t);
  void Fork(uint32_t parent, uint32_t child);
  void Join(uint32_t joiner, uint32_t child);
  // Lock acquire/release; `shared` for the reader side of an rwlock.
  void Acquire(uint32_t t, uint64_t lock, bool shared);
  void Release(uint32_t t, uint64_t lock, bool shared);
  // Other synchronization objects (atomics, semaphores, annotations): `key` names the object
  // within its kind; callers tag the kind in the top bits.
  void SyncAcquire(uint32_t t, uint64_t key);
  void SyncRelease(uint32_t t, uint64_t key);
  // A plain memory access by thread `t`.
  void Access(uint32_t t, const SideRef& side, bool write);
  // Hint: `addr` will be accessed soon (the driver reads events in batches).
  void Prefetch(uint64_t addr) const { vars_.Prefetch(addr); }
  // Memory freed or reused: forget the variables in [addr, addr+size).
  void Forget(uint64_t addr, uint64_t size);

  std::vector<RawFinding> TakeFindings() { return std::move(findings_); }
  // Findings so far, for the driver to annotate the newest ones (e.g. with their heap block).
  std::vector<RawFinding>& Findings() { return findings_; }
  uint64_t races_seen() const { return races_seen_; }
  bool truncated() const { return truncated_; }

 private:
  struct Shadow {
    SideRef info;
    uint32_t thread = 0;  // dense index
    uint32_t clock = 0;   // 0 = no access
  };
  // Where a variable's last write or read was, packed (32 bytes instead of a SideRef's 56):
  // the address is the variable's, the op follows from the slot, the tid from the thread.
  struct Where {
    uint64_t site = 0;
    uint64_t ts = 0;
    uint64_t index_size = 0;  // stream index << 16 | access size
    uint32_t stack = 0, lockset = 0;
  };
  // The per-variable state, all in the hash slot: the check on every access costs one
  // probe and touches two adjacent cache lines, never a second table.
  struct VarState {
    uint32_t write_thread = 0, write_clock = 0;
    uint32_t read_thread = 0, read_clock = 0;  // when not read-shared
    int32_t shared_reads = -1;                 // index into read_sets_ when read-shared
    Where write, read;
  };
  struct LockClocks {
    VectorClock writes;  // joined at exclusive releases
    VectorClock reads;   // joined at shared releases
  };

  void Report(const Shadow& prior, const SideRef& now, uint64_t addr);
  static Where Pack(const SideRef& s) {
    return Where{s.site, s.ts, s.index << 16 | s.size, s.stack, s.lockset};
  }
  SideRef Unpack(const Where& w, uint64_t addr, uint32_t thread, Op op) const {
    SideRef s;
    s.obj = addr;
    s.site = w.site;
    s.ts = w.ts;
    s.index = w.index_size >> 16;
    s.size = static_cast<uint16_t>(w.index_size);
    s.tid = thread < tids_.size() ? tids_[thread] : 0;
    s.stack = w.stack;
    s.lockset = w.lockset;
    s.op = op;
    return s;
  }
  void Drop(uint64_t addr);

  std::vector<VectorClock> clocks_;  // per dense thread
  std::vector<uint32_t> tids_;       // the trace's tid of each dense thread
  FlatMap<VarState> vars_;
  std::vector<std::vector<Shadow>> read_sets_;
  std::vector<int32_t> free_read_sets_;
  std::unordered_map<uint64_t, LockClocks> locks_;
  std::unordered_map<uint64_t, VectorClock> sync_;
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& p) const {
      return static_cast<size_t>(p.first * 0x9E3779B97F4A7C15ull ^ (p.second + 0x632BE59BD9B4E019ull));
    }
  };
  std::unordered_set<std::pair<uint64_t, uint64_t>, PairHash> reported_;  // unordered site pairs
  std::vector<RawFinding> findings_;
  size_t max_reports_;
  uint64_t races_seen_ = 0;
  bool truncated_ = false;
};

}  // namespace threadlens::analysis
