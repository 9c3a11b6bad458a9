// Clock slots: which entry of every vector clock a thread uses. A thread created after another
// one ended takes the ended thread's slot when its creator's clock holds the last epoch of it
// that anything holds; its epochs go on from there. Everything the ended thread did then
// happens before the new one starts, so knowing a slot up to epoch e still means knowing
// every event of it up to e, whoever made it, and clocks stay as long as the threads alive at
// once. (ThreadSanitizer reuses its thread slots too.) The happens-before engine and the
// fork/join clocks of the lock-order check each keep their own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

class ClockSlots {
 public:
  // Thread t's slot, or kNone.
  uint32_t Find(uint32_t t) const { return t < slot_of_.size() ? slot_of_[t] : kNone; }
  bool Has(uint32_t t) const { return Find(t) < kReleased; }
  bool Released(uint32_t t) const { return Find(t) == kReleased; }
  // A new slot for thread t, whose first epoch is 1.
  uint32_t Add(uint32_t t) {
    const uint32_t s = static_cast<uint32_t>(last_.size());
    last_.push_back(0);
    occupants_.push_back({{1, t}});
    Assign(t, s);
    return s;
  }
  // For thread t, created by a thread whose clock is `creator`: a free slot whose last epoch
  // it holds, with t's first epoch in it. The most recently freed first, a few of them: a
  // program that ends one thread and starts the next frees the slot it takes just before.
  std::optional<std::pair<uint32_t, uint32_t>> Take(uint32_t t, const VectorClock& creator) {
    constexpr size_t kLook = 8;
    for (size_t k = free_.size(); k > 0 && free_.size() - k < kLook; --k) {
      const uint32_t s = free_[k - 1];
      if (creator.Get(s) < last_[s]) continue;  // its last thread's end is not known there
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(k - 1));
      const uint32_t epoch = creator.Get(s) + 1;
      occupants_[s].emplace_back(epoch, t);
      Assign(t, s);
      return std::pair{s, epoch};
    }
    return std::nullopt;
  }
  // Thread t ended, and nothing holds an epoch of it past `last`: its slot is free.
  void Free(uint32_t t, uint32_t last) {
    const uint32_t s = slot_of_[t];
    last_[s] = last;
    free_.push_back(s);
    slot_of_[t] = kReleased;
  }
  // The thread whose epoch `epoch` of slot `slot` was.
  uint32_t ThreadAt(uint32_t slot, uint32_t epoch) const {
    if (slot >= occupants_.size()) return slot;
    const auto& o = occupants_[slot];
    auto it = std::upper_bound(o.begin(), o.end(), std::pair{epoch, ~0u});
    return it == o.begin() ? o.front().second : std::prev(it)->second;
  }
  size_t size() const { return last_.size(); }

  static constexpr uint32_t kReleased = ~0u - 1, kNone = ~0u;

 private:
  void Assign(uint32_t t, uint32_t s) {
    if (t >= slot_of_.size()) slot_of_.resize(t + 1, kNone);
    slot_of_[t] = s;
  }
  std::vector<uint32_t> slot_of_;  // per thread: its slot, kNone or kReleased
  std::vector<uint32_t> last_;     // per slot: its last thread's last epoch, once free
  // Per slot, its threads in turn: (first epoch, thread).
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> occupants_;
  std::vector<uint32_t> free_;
};

}  // namespace threadlens::analysis
