// A FIFO over one power-of-two array that doubles when full: pushes at the back, pops at
// the front, indexes from the front. Its memory is reused as it cycles, where a deque
// allocates a block and frees another every few hundred pushes. T is trivially copyable:
// a new array is left unwritten until pushed to (zeroing it cost more than the pushes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace threadlens::analysis {

template <typename T>
class Ring {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return v_[(head_ + i) & (cap_ - 1)]; }
  const T& operator[](size_t i) const { return v_[(head_ + i) & (cap_ - 1)]; }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  void push_back(const T& x) {
    if (size_ == cap_) Grow();
    v_[(head_ + size_) & (cap_ - 1)] = x;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
  }

 private:
  void Grow() {
    // Small at first: a short thread (a thread per request) makes a few marks only.
    const size_t cap = cap_ ? 2 * cap_ : 4;
    auto w = std::make_unique_for_overwrite<T[]>(cap);
    // The elements in order: the part from head_ to the array's end, then the wrapped part.
    const size_t first = std::min(size_, cap_ - head_);
    if (size_) {
      std::memcpy(w.get(), v_.get() + head_, first * sizeof(T));
      std::memcpy(w.get() + first, v_.get(), (size_ - first) * sizeof(T));
    }
    v_ = std::move(w);
    cap_ = cap;
    head_ = 0;
  }
  std::unique_ptr<T[]> v_;
  size_t cap_ = 0, head_ = 0, size_ = 0;
};

}  // namespace threadlens::analysis
