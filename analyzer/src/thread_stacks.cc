// ThreadStacks: a list of stack ranges with the time each stopped being its thread's. A
// range is reused when glibc hands a joined thread's stack to a new thread; the record in
// force at an access is the one whose thread had not exited yet.
#include "thread_stacks.h"

#include <cstdio>

namespace threadlens::analysis {

void ThreadStacks::Add(uint32_t tid, uint64_t lo, uint64_t size) {
  if (size == 0 || lo + size < lo) return;
  records_.push_back({tid, lo, lo + size});
}

void ThreadStacks::Exit(uint32_t tid, uint64_t ts) {
  for (Record& r : records_) {
    if (r.tid == tid && r.exit_ts == UINT64_MAX) r.exit_ts = ts;
  }
}

uint32_t ThreadStacks::OwnerAt(uint64_t addr, uint64_t ts) const {
  // Of the records holding addr whose thread was alive at ts, the one that exited first:
  // a later owner of the same range can only have started after that exit.
  const Record* best = nullptr;
  for (const Record& r : records_) {
    if (addr < r.lo || addr >= r.hi || r.exit_ts <= ts) continue;
    if (!best || r.exit_ts < best->exit_ts) best = &r;
  }
  return best ? best->tid : 0;
}

std::string NameStackAddress(uint64_t addr, const std::string& owner_name,
                             const StackLocal* local) {
  const std::string where = " on " + owner_name + "'s stack";
  if (local && !local->variable.empty()) {
    std::string name = "local variable " + local->variable;
    if (local->offset) name += "+" + std::to_string(local->offset);
    if (!local->function.empty()) name += " of " + local->function;
    return name + where;
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(addr));
  return hex + where;
}

}  // namespace threadlens::analysis
