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
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
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
    return v && !(*v == kMoved) ? *v : FrameBase{};
  }

 private:
  static constexpr FrameBase kMoved{1, 0};  // no stack pointer is odd
  static constexpr size_t kMaxSeen = 8;
  static uint64_t Key(uint32_t tid, uint32_t node) {
    return static_cast<uint64_t>(tid) << 32 | node;
  }
  FlatMap<FrameBase> frames_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> moved_;
};

}  // namespace threadlens::analysis
