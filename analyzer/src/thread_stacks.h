// Whose stack an address is on, from the trace's thread_stack records, and how a variable
// there is named in a report ("total of main() on T1's stack").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace threadlens::analysis {

class ThreadStacks {
 public:
  // A thread_stack record of thread `tid`, made at time `ts`: its stack is [lo, lo + size).
  void Add(uint32_t tid, uint64_t lo, uint64_t size, uint64_t ts = 0);
  // Thread `tid`, created now, runs on memory the program gave it: its stack was not mapped
  // anew for it.
  void ProgramStack(uint32_t tid) { program_stacks_.push_back(tid); }
  // Thread `tid` exited at time `ts`: from then on its stack may be a later thread's.
  void Exit(uint32_t tid, uint64_t ts);
  // A thread_tls record: thread `tid`'s block of the module whose thread-local image is at
  // `image` is [lo, lo + size).
  void AddTls(uint32_t tid, uint64_t lo, uint64_t size, uint64_t image, uint64_t ts = 0);
  // The thread whose stack held `addr` at time `ts` (an access's timestamp), or 0 when no
  // record covers it. Cost: O(log) in the ranges recorded, and in the threads that reused
  // the range; called per named finding and per synchronization object first used.
  uint32_t OwnerAt(uint64_t addr, uint64_t ts) const;
  // Whether the stack holding `addr` at time `ts` is one the C library mapped after time
  // `since`: memory unmapped before then, mapped again for a new thread's stack.
  bool StackSince(uint64_t addr, uint64_t ts, uint64_t since) const;
  // Whether `addr` was on the stack or in a thread-local block of a thread that was alive at
  // time `ts` and had ended by time `later`.
  bool EndedBetween(uint64_t addr, uint64_t ts, uint64_t later) const;
  // The same for thread-local blocks (which glibc places inside the thread's stack mapping:
  // look here first). `image` and `offset` say which module's block and where in it.
  uint32_t TlsOwnerAt(uint64_t addr, uint64_t ts, uint64_t* image, uint64_t* offset) const;

 private:
  struct Record {
    uint32_t tid = 0;
    uint64_t lo = 0, hi = 0;
    uint64_t exit_ts = UINT64_MAX;  // not exited
    uint64_t image = 0;             // thread-local blocks: the module's image
    uint64_t start_ts = 0;          // when recorded
    bool program_stack = false;
  };
  // The records by the low end of their range: a range glibc reuses holds its threads in the
  // order they had it, so their exit times rise (a key where they do not is searched whole).
  struct Index {
    struct Key {
      std::vector<size_t> records;
      bool ordered = true;
    };
    std::map<uint64_t, Key> by_lo;
    uint64_t max_span = 0;  // of any range: one that holds an address starts less below it
  };
  // Of the records holding addr whose thread was alive at ts, the one that exited first: a
  // later owner of the same range can only have started after that exit.
  static const Record* Find(const std::vector<Record>& in, const Index& index, uint64_t addr,
                            uint64_t ts);
  static void Insert(const std::vector<Record>& in, Index& index, size_t i);
  std::vector<Record> records_, tls_;
  Index records_index_, tls_index_;
  // Per live thread, its records not exited yet: (in tls_, index). An exit costs its own
  // records, not a look at every thread the trace had.
  std::unordered_map<uint32_t, std::vector<std::pair<bool, size_t>>> open_;
  std::vector<uint32_t> program_stacks_;  // created so, stack not recorded yet
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

// The name of an address in a thread-local block of thread `owner_name`: with the variable
// known, "tl in T2's thread-local storage"; without, "0x7f12345 in T2's thread-local storage".
std::string NameTlsAddress(uint64_t addr, const std::string& owner_name,
                           const std::string& variable);

}  // namespace threadlens::analysis
