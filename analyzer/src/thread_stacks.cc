// ThreadStacks: a list of stack ranges with the time each stopped being its thread's. A
// range is reused when glibc hands a joined thread's stack to a new thread; the record in
// force at an access is the one whose thread had not exited yet.
#include "thread_stacks.h"

#include <cstdio>

namespace threadlens::analysis {

void ThreadStacks::Add(uint32_t tid, uint64_t lo, uint64_t size, uint64_t ts) {
  if (size == 0 || lo + size < lo) return;
  bool program_stack = false;
  for (uint32_t& t : program_stacks_) {
    if (t != tid) continue;
    program_stack = true;
    t = program_stacks_.back();
    program_stacks_.pop_back();
    break;
  }
  open_[tid].emplace_back(false, records_.size());
  records_.push_back({tid, lo, lo + size, UINT64_MAX, 0, ts, program_stack});  // (no image)
}

void ThreadStacks::AddTls(uint32_t tid, uint64_t lo, uint64_t size, uint64_t image) {
  if (size == 0 || lo + size < lo) return;
  open_[tid].emplace_back(true, tls_.size());
  tls_.push_back({tid, lo, lo + size, UINT64_MAX, image});
}

void ThreadStacks::Exit(uint32_t tid, uint64_t ts) {
  auto it = open_.find(tid);
  if (it == open_.end()) return;
  for (const auto& [tls, i] : it->second) (tls ? tls_ : records_)[i].exit_ts = ts;
  open_.erase(it);
}

const ThreadStacks::Record* ThreadStacks::Find(const std::vector<Record>& in, uint64_t addr,
                                               uint64_t ts) {
  // Of the records holding addr whose thread was alive at ts, the one that exited first:
  // a later owner of the same range can only have started after that exit.
  const Record* best = nullptr;
  for (const Record& r : in) {
    if (addr < r.lo || addr >= r.hi || r.exit_ts <= ts) continue;
    if (!best || r.exit_ts < best->exit_ts) best = &r;
  }
  return best;
}

uint32_t ThreadStacks::OwnerAt(uint64_t addr, uint64_t ts) const {
  const Record* r = Find(records_, addr, ts);
  return r ? r->tid : 0;
}

bool ThreadStacks::StackSince(uint64_t addr, uint64_t ts, uint64_t since) const {
  const Record* r = Find(records_, addr, ts);
  return r && !r->program_stack && r->start_ts > since;
}

bool ThreadStacks::EndedBetween(uint64_t addr, uint64_t ts, uint64_t later) const {
  for (const std::vector<Record>* in : {&tls_, &records_}) {
    const Record* r = Find(*in, addr, ts);
    if (r && r->exit_ts <= later) return true;
  }
  return false;
}

uint32_t ThreadStacks::TlsOwnerAt(uint64_t addr, uint64_t ts, uint64_t* image,
                                  uint64_t* offset) const {
  const Record* r = Find(tls_, addr, ts);
  if (!r) return 0;
  *image = r->image;
  *offset = addr - r->lo;
  return r->tid;
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

std::string NameTlsAddress(uint64_t addr, const std::string& owner_name,
                           const std::string& variable) {
  const std::string where = " in " + owner_name + "'s thread-local storage";
  if (!variable.empty()) return variable + where;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(addr));
  return hex + where;
}

}  // namespace threadlens::analysis
