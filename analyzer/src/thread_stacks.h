// Whose stack an address is on, from the trace's thread_stack records, and how a variable
// there is named in a report ("total of main() on T1's stack").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace threadlens::analysis {

class ThreadStacks {
 public:
  // A thread_stack record of thread `tid`: its stack is [lo, lo + size).
  void Add(uint32_t tid, uint64_t lo, uint64_t size);
  // Thread `tid` exited at time `ts`: from then on its stack may be a later thread's.
  void Exit(uint32_t tid, uint64_t ts);
  // The thread whose stack held `addr` at time `ts` (an access's timestamp), or 0 when no
  // record covers it. Cost: linear in the threads recorded; called per named finding.
  uint32_t OwnerAt(uint64_t addr, uint64_t ts) const;

 private:
  struct Record {
    uint32_t tid = 0;
    uint64_t lo = 0, hi = 0;
    uint64_t exit_ts = UINT64_MAX;  // not exited
  };
  std::vector<Record> records_;
};

// A local variable found at a stack address, when the frame that holds it is known.
struct StackLocal {
  std::string variable;  // "buf"
  std::string function;  // "worker()"
  uint64_t offset = 0;   // of the address inside the variable
};

// The name of a stack address of thread `owner_name`: with the local known,
// "local variable buf of worker() on T2's stack" (then "+8" inside it); without,
// "0x7ffd1234 on T2's stack".
std::string NameStackAddress(uint64_t addr, const std::string& owner_name,
                             const StackLocal* local = nullptr);

}  // namespace threadlens::analysis
