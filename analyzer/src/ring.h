// A FIFO over one power-of-two array that doubles when full: pushes at the back, pops at
// the front, indexes from the front. Its memory is reused as it cycles, where a deque
// allocates a block and frees another every few hundred pushes.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace threadlens::analysis {

template <typename T>
class Ring {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return v_[(head_ + i) & (v_.size() - 1)]; }
  const T& operator[](size_t i) const { return v_[(head_ + i) & (v_.size() - 1)]; }
  T& front() { return (*this)[0]; }
  T& back() { return (*this)[size_ - 1]; }
  void push_back(const T& x) {
    if (size_ == v_.size()) Grow();
    v_[(head_ + size_) & (v_.size() - 1)] = x;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & (v_.size() - 1);
    --size_;
  }

 private:
  void Grow() {
    std::vector<T> w(v_.empty() ? 16 : 2 * v_.size());
    for (size_t i = 0; i < size_; ++i) w[i] = std::move((*this)[i]);
    v_ = std::move(w);
    head_ = 0;
  }
  std::vector<T> v_;
  size_t head_ = 0, size_ = 0;
};

}  // namespace threadlens::analysis
