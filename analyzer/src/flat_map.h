// An open-addressing hash map from 64-bit keys to small values, for the analyzer's hot
// paths (one lookup per memory access): linear probing in one flat array, no node per entry,
// deletion by backward shift (no tombstones, so lookups stay short after many frees).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace threadlens::analysis {

template <typename V>
class FlatMap {
 public:
  // Marks an empty slot. A trace can still name ~0 (a corrupt or hand-made one): that key
  // lives beside the slots.
  static constexpr uint64_t kEmpty = ~0ull;

  FlatMap() { Rehash(64); }

  // The value slot for `key`, inserting `fresh` when absent; `inserted` says which.
  V& FindOrInsert(uint64_t key, const V& fresh, bool& inserted) {
    if (key == kEmpty) [[unlikely]] return MaxKey(fresh, inserted);
    if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
    size_t i = Home(key);
    for (;;) {
      Slot& s = slots_[i];
      if (s.key == key) {
        inserted = false;
        return s.value;
      }
      if (s.key == kEmpty) {
        s.key = key;
        s.value = fresh;
        ++size_;
        inserted = true;
        return s.value;
      }
      i = (i + 1) & mask_;
    }
  }

  // As above with a default-constructed value (no fresh value built per lookup).
  V& FindOrInsert(uint64_t key, bool& inserted) {
    if (key == kEmpty) [[unlikely]] return MaxKey(V{}, inserted);
    if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) {
        inserted = false;
        return s.value;
      }
      if (s.key == kEmpty) {
        s.key = key;
        s.value = V{};
        ++size_;
        inserted = true;
        return s.value;
      }
    }
  }

  V* Find(uint64_t key) {
    if (key == kEmpty) [[unlikely]] return has_max_ ? &max_value_ : nullptr;
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmpty) return nullptr;
    }
  }

  bool Erase(uint64_t key) {
    if (key == kEmpty) [[unlikely]] {
      if (!has_max_) return false;
      has_max_ = false;
      max_value_ = V{};
      --size_;
      return true;
    }
    size_t i = Home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) break;
      if (slots_[i].key == kEmpty) return false;
    }
    // Backward shift: move later entries of the probe run into the hole when allowed.
    size_t hole = i;
    for (size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      size_t home = Home(slots_[j].key);
      // Entry j may move to `hole` if its home is not in (hole, j] cyclically.
      bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole].key = kEmpty;
    --size_;
    return true;
  }

  // Starts loading `key`'s slot into the cache ahead of its lookup.
  // One line: prefetching a big slot's second line too fills the line buffers and costs more
  // than it saves; the hot fields come first.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Home(key)]); }

  size_t size() const { return size_; }

  template <typename F>
  void ForEach(F f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.value);
    }
    if (has_max_) f(kEmpty, max_value_);
  }

 private:
  // Slots bigger than a cache line are 32-byte aligned: with a size that is a multiple of
  // 32, each then spans as few lines as it can and its first 32 bytes never straddle two.
  struct alignas(sizeof(uint64_t) + sizeof(V) > 64 ? 32 : alignof(V) > 8 ? alignof(V) : 8) Slot {
    uint64_t key;
    V value;
  };
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  V& MaxKey(const V& fresh, bool& inserted) {
    inserted = !has_max_;
    if (inserted) {
      has_max_ = true;
      max_value_ = fresh;
      ++size_;
    }
    return max_value_;
  }
  void Rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{kEmpty, V{}});
    mask_ = capacity - 1;
    shift_ = 64 - __builtin_ctzll(capacity);
    size_ = has_max_ ? 1 : 0;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      bool inserted;
      FindOrInsert(s.key, s.value, inserted);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
  bool has_max_ = false;  // key kEmpty is present, its value in max_value_
  V max_value_{};
};

}  // namespace threadlens::analysis
