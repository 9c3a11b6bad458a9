// ThreadStacks: a list of stack ranges with the time each stopped being its thread's. A
// range is reused when glibc hands a joined thread's stack to a new thread; the record in
// force at an access is the one whose thread had not exited yet.
#include "thread_stacks.h"

#include <algorithm>
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
  Insert(records_, records_index_, records_.size() - 1);
}

void ThreadStacks::AddTls(uint32_t tid, uint64_t lo, uint64_t size, uint64_t image,
                          uint64_t ts) {
  if (size == 0 || lo + size < lo) return;
  open_[tid].emplace_back(true, tls_.size());
  tls_.push_back({tid, lo, lo + size, UINT64_MAX, image, ts});
  Insert(tls_, tls_index_, tls_.size() - 1);
}

void ThreadStacks::Exit(uint32_t tid, uint64_t ts) {
  auto it = open_.find(tid);
  if (it == open_.end()) return;
  for (const auto& [tls, i] : it->second) (tls ? tls_ : records_)[i].exit_ts = ts;
  open_.erase(it);
}

const ThreadStacks::Record* ThreadStacks::Find(const std::vector<Record>& in,
                                               const Index& index, uint64_t addr, uint64_t ts) {
  const Record* best = nullptr;
  for (auto it = index.by_lo.upper_bound(addr); it != index.by_lo.begin();) {
    --it;
    if (addr - it->first >= index.max_span) break;  // this range and those below end before
    const std::vector<size_t>& at = it->second.records;
    auto from = at.begin();
    if (it->second.ordered) {  // the first whose thread had not exited by ts
      from = std::partition_point(at.begin(), at.end(),
                                  [&](size_t i) { return in[i].exit_ts <= ts; });
    }
    for (auto i = from; i != at.end(); ++i) {
      const Record& r = in[*i];
      if (addr >= r.hi || r.exit_ts <= ts) continue;
      // (Ties, as overlapping ranges of live threads: the record made first.)
      if (!best || r.exit_ts < best->exit_ts || (r.exit_ts == best->exit_ts && &r < best)) {
        best = &r;
      }
      if (it->second.ordered) break;  // the later ones exited later
    }
  }
  return best;
}

void ThreadStacks::Insert(const std::vector<Record>& in, Index& index, size_t i) {
  const Record& r = in[i];
  Index::Key& key = index.by_lo[r.lo];
  // Exit times rise while each thread took the range after the one before it had exited.
  if (!key.records.empty() && in[key.records.back()].exit_ts > r.start_ts) key.ordered = false;
  key.records.push_back(i);
  index.max_span = std::max(index.max_span, r.hi - r.lo);
}

uint32_t ThreadStacks::OwnerAt(uint64_t addr, uint64_t ts) const {
  const Record* r = Find(records_, records_index_, addr, ts);
  return r ? r->tid : 0;
}

bool ThreadStacks::StackSince(uint64_t addr, uint64_t ts, uint64_t since) const {
  const Record* r = Find(records_, records_index_, addr, ts);
  return r && !r->program_stack && r->start_ts > since;
}

bool ThreadStacks::EndedBetween(uint64_t addr, uint64_t ts, uint64_t later) const {
  for (const Record* r :
       {Find(tls_, tls_index_, addr, ts), Find(records_, records_index_, addr, ts)}) {
    if (r && r->exit_ts <= later) return true;
  }
  return false;
}

uint32_t ThreadStacks::TlsOwnerAt(uint64_t addr, uint64_t ts, uint64_t* image,
                                  uint64_t* offset) const {
  const Record* r = Find(tls_, tls_index_, addr, ts);
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
