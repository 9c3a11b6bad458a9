// Which life of its memory an access touched, for race prediction on binary traces: the
// allocator hands a freed block's addresses to the next allocation, and a new thread may run on
// a dead thread's stack. The trace does not show what orders the two lives (the allocator's
// and the thread library's own locks), so accesses of different lives are different locations
// to the race search. Each live heap block and each thread's stack gets a number, 0 elsewhere
// (globals, memory the program did not allocate itself).
//
// Cost: O(log blocks) per access; memory: one entry per live block and per live thread stack,
// and the allocation sites of the last 65535 lives (2.5 MiB), which name predicted races.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

class PredictLifetimes {
 public:
  // `block`: what a predicted race on the block names (its allocation site).
  void Alloc(uint64_t base, uint64_t size, const HeapRef& block) {
    Open(heap_, base, size);
    if (blocks_.empty()) blocks_.resize(1u << 16);
    blocks_[next_] = block;
  }
  void Free(uint64_t base) { heap_.erase(base); }
  void Stack(uint32_t tid, uint64_t lo, uint64_t size) {
    Open(stacks_, lo, size);
    stack_of_[tid] = lo;
  }
  void ThreadEnd(uint32_t tid) {
    auto it = stack_of_.find(tid);
    if (it == stack_of_.end()) return;
    stacks_.erase(it->second);
    stack_of_.erase(it);
  }
  uint16_t Of(uint64_t addr) const {
    if (uint16_t g = Find(heap_, addr)) return g;
    return Find(stacks_, addr);
  }
  // The heap block of life `life` holding `addr`, if that life was a heap block's. Numbers
  // repeat after 65535 lives: a later block with the same number elsewhere names nothing.
  const HeapRef* Block(uint16_t life, uint64_t addr) const {
    if (life == 0 || blocks_.empty()) return nullptr;
    const HeapRef& b = blocks_[life];
    return b.valid && addr >= b.base && addr - b.base < (b.size ? b.size : 1) ? &b : nullptr;
  }

 private:
  struct Life {
    uint64_t end;
    uint16_t number;
  };
  void Open(std::map<uint64_t, Life>& lives, uint64_t base, uint64_t size) {
    if (++next_ == 0) next_ = 1;  // 0 is no life; numbers repeat after 65535 lives
    lives[base] = Life{base + (size ? size : 1), next_};
    if (!blocks_.empty()) blocks_[next_].valid = false;  // a stack's, until Alloc says
  }
  static uint16_t Find(const std::map<uint64_t, Life>& lives, uint64_t addr) {
    auto it = lives.upper_bound(addr);
    if (it == lives.begin()) return 0;
    --it;
    return addr < it->second.end ? it->second.number : 0;
  }
  std::map<uint64_t, Life> heap_, stacks_;
  std::map<uint32_t, uint64_t> stack_of_;  // thread -> its stack's base
  std::vector<HeapRef> blocks_;            // by life number: the heap block it was
  uint16_t next_ = 0;
};

}  // namespace threadlens::analysis
