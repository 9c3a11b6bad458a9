// Where each thread's instrumented frames lie on its stack: the stack pointer a frame had
// when it was entered (a func_entry record's obj), by thread and call path, so a stack
// address in a report can be named by the frame that holds it ("local variable buf of
// worker() on T2's stack").
//
// A thread's call path nearly always lies at the same place: its caller's frames are the
// same. Where one moved (an alloca in a caller, a signal handler, an indirect call that
// reached several functions from one call site), it is marked so and names nothing by
// itself: a stale frame must not name a variable that was never there. Its first few stack
// pointers are kept, so a frame placed another way (from its caller's) can be checked
// against what was seen.
// Memory: one entry per thread and call path the thread took, and kMaxSeen per moved one.
// An ended thread's entries move out of the hash map into a sorted array (16 bytes an entry,
// a third of what the map takes) whose stack pointers are offsets below the thread's highest
// one, shared by every ended thread whose frames lay the same way: a server that starts a
// thread per connection has thousands that ended, running the same code from the same start
// (5 369 ended workers of a oneTBB test: 1.19 M entries in 251 shared arrays of 60 K).
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "flat_map.h"

namespace threadlens::analysis {

// A frame's stack pointer at its entry, and its frame pointer register's offset above it
// (0: not known; the frame pointer matters only to functions that keep one).
struct FrameBase {
  uint64_t sp = 0;
  uint32_t fp_offset = 0;
  bool operator==(const FrameBase&) const = default;
};

class FrameBases {
 public:
  void Record(uint32_t tid, uint32_t node, FrameBase f) {
    bool inserted;
    FrameBase& v = frames_.FindOrInsert(Key(tid, node), f, inserted);
    if (inserted) nodes_[tid].push_back(node);
    if (inserted || v == f) return;
    std::vector<uint64_t>& seen = moved_[Key(tid, node)];
    if (!(v == kMoved)) seen.push_back(v.sp);
    v = kMoved;
    if (seen.size() <= kMaxSeen && std::find(seen.begin(), seen.end(), f.sp) == seen.end()) {
      seen.push_back(f.sp);  // one past kMaxSeen: too many to check against
    }
  }
  // Whether a frame at call path `node` that moved was once entered with stack pointer `sp`.
  bool Seen(uint32_t tid, uint32_t node, uint64_t sp) const {
    auto it = moved_.find(Key(tid, node));
    return it != moved_.end() && it->second.size() <= kMaxSeen &&
           std::find(it->second.begin(), it->second.end(), sp) != it->second.end();
  }
  // Thread `tid`'s frame at call path `node`; sp 0 when unknown.
  FrameBase At(uint32_t tid, uint32_t node) const {
    const FrameBase* v = const_cast<FlatMap<FrameBase>&>(frames_).Find(Key(tid, node));
    const FrameBase f = v ? *v : Retired(tid, node);
    return f == kMoved ? FrameBase{} : f;
  }
  size_t mapped() const { return frames_.size(); }  // entries in the hash map
  size_t layouts() const { return layouts_.size(); }  // arrays the ended threads share
  // Thread `tid` ended: its entries move to its sorted array. (A later thread given the same
  // id records anew in the map, which is looked at first.)
  void Retire(uint32_t tid) {
    auto it = nodes_.find(tid);
    if (it == nodes_.end()) return;
    std::vector<Entry> out = Absolute(tid);
    out.reserve(out.size() + it->second.size());
    for (uint32_t node : it->second) {
      if (const FrameBase* v = frames_.Find(Key(tid, node))) {
        out.push_back({v->sp, node, v->fp_offset});
        frames_.Erase(Key(tid, node));
      }
    }
    nodes_.erase(it);
    std::stable_sort(out.begin(), out.end(),
                     [](const Entry& a, const Entry& b) { return a.node < b.node; });
    // The same id ended before: of two entries for one path, the later one stands.
    size_t n = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (i + 1 < out.size() && out[i + 1].node == out[i].node) continue;
      out[n++] = out[i];
    }
    out.resize(n);
    // Below the highest stack pointer: threads that ran the same code from the same start
    // have the same offsets, wherever their stacks were.
    uint64_t base = 0;
    for (const Entry& e : out) {
      if (e.sp != kMoved.sp) base = std::max(base, e.sp);
    }
    for (Entry& e : out) e.sp = e.sp == kMoved.sp ? kMovedOffset : base - e.sp;
    out.shrink_to_fit();
    retired_[tid] = {base, &*layouts_.insert(std::move(out)).first};
  }

 private:
  struct Entry {
    uint64_t sp;  // retired: the offset below the thread's base (kMovedOffset: moved)
    uint32_t node;
    uint32_t fp_offset;
    bool operator==(const Entry&) const = default;
  };
  static_assert(sizeof(Entry) == 16);
  struct Layout {  // hashes an array's contents
    size_t operator()(const std::vector<Entry>& v) const {
      uint64_t h = v.size();
      for (const Entry& e : v) {
        h = (h ^ e.sp ^ (uint64_t{e.node} << 32 | e.fp_offset)) * 0x9e3779b97f4a7c15ull;
      }
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  struct Retiree {
    uint64_t base = 0;                            // its highest stack pointer
    const std::vector<Entry>* entries = nullptr;  // in layouts_ (whose nodes stay put)
  };
  static constexpr uint64_t kMovedOffset = ~0ull;
  FrameBase Retired(uint32_t tid, uint32_t node) const {
    auto it = retired_.find(tid);
    if (it == retired_.end()) return {};
    const std::vector<Entry>& v = *it->second.entries;
    auto e = std::lower_bound(v.begin(), v.end(), node,
                              [](const Entry& a, uint32_t n) { return a.node < n; });
    if (e == v.end() || e->node != node) return {};
    if (e->sp == kMovedOffset) return kMoved;
    return {it->second.base - e->sp, e->fp_offset};
  }
  // Thread `tid`'s retired entries with their stack pointers again (none if it has none).
  std::vector<Entry> Absolute(uint32_t tid) const {
    std::vector<Entry> out;
    auto it = retired_.find(tid);
    if (it == retired_.end()) return out;
    out = *it->second.entries;
    for (Entry& e : out) e.sp = e.sp == kMovedOffset ? kMoved.sp : it->second.base - e.sp;
    return out;
  }
  static constexpr FrameBase kMoved{1, 0};  // no stack pointer is odd
  static constexpr size_t kMaxSeen = 8;
  static uint64_t Key(uint32_t tid, uint32_t node) {
    return static_cast<uint64_t>(tid) << 32 | node;
  }
  FlatMap<FrameBase> frames_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> nodes_;  // in the map, by thread
  std::unordered_set<std::vector<Entry>, Layout> layouts_;  // the ended threads' arrays
  std::unordered_map<uint32_t, Retiree> retired_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> moved_;
};

}  // namespace threadlens::analysis
