// What a hang report says beyond "blocked forever": for a thread waiting on a condition
// variable or a semaphore, the mutex that goes with the wait, whether anyone ever notified
// (or posted) it and who last did, whether that came before the final wait (a lost wake-up),
// and which of the threads that ever notified it could still do so.
//
// Cost: O(1) per notify or post. Memory: one record per condition variable or semaphore
// notified, with the set of threads that notified it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "analysis_types.h"

namespace threadlens::analysis {

class HangExplainer {
 public:
  // A notify of a condition variable, or a post of a semaphore.
  void OnNotify(uint64_t obj, const SideRef& side);

  // What a thread's state is at the end of the trace, and how to name things.
  enum class ThreadEnd { kExited, kBlocked, kRunning };
  struct Naming {
    std::function<std::string(uint32_t)> thread;
    std::function<std::string(uint64_t)> object;
    std::function<std::string(const SideRef&)> where;  // "file.cc:12"
    std::function<ThreadEnd(uint32_t)> end;
    std::function<std::string(uint64_t)> holder;  // "T3", or "" when the lock is free
  };
  // The detail text of a hang of `waiter` (its wait side) on `obj`; `mutex` is the mutex its
  // condition wait released (0: a semaphore, or not known).
  std::string Explain(bool cond, const SideRef& waiter, uint64_t mutex, const Naming& n) const;

 private:
  struct Notes {
    uint64_t count = 0;
    SideRef last;
    std::set<uint32_t> by;
  };
  std::unordered_map<uint64_t, Notes> notes_;
};

}  // namespace threadlens::analysis
