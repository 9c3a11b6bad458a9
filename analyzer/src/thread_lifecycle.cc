// Thread leaks, double detaches, joins of detached and detaches of joined threads (see
// thread_lifecycle.h).
#include "thread_lifecycle.h"

#include <algorithm>

namespace threadlens::analysis {

void ThreadLifecycle::OnCreate(uint32_t dense, const SideRef& create) {
  Record& r = threads_[dense];
  r.created = true;
  r.create = create;
}

void ThreadLifecycle::OnExit(uint32_t dense, const SideRef& exit, bool ended_process) {
  if (settled_.count(dense)) return;  // (a damaged trace: ended twice)
  Record& r = threads_[dense];
  r.exited = !ended_process;  // one that ended the process was never to be joined
  r.exit = exit;
  if (r.ignores.empty()) return MaybeSettle(dense);
  RawFinding f;
  f.kind = "misuse";
  f.subkind = "ignores-at-exit";
  f.severity = Severity::kWarning;
  f.sides = {exit};
  f.sides.insert(f.sides.end(), r.ignores.begin(), r.ignores.end());
  f.tids = {exit.tid};
  f.sort_key = exit.index;
  findings_.push_back(std::move(f));
  r.ignores.clear();
  MaybeSettle(dense);
}

void ThreadLifecycle::MaybeSettle(uint32_t dense) {
  auto it = threads_.find(dense);
  if (it == threads_.end()) return;
  const Record& r = it->second;
  if (!r.exited || !(r.joined || r.detached)) return;
  settled_[dense] = {r.joined, r.joined ? r.join : r.first_detach};
  threads_.erase(it);
}

void ThreadLifecycle::AddFinding(const char* subkind, const SideRef& now, const SideRef& before,
                                 uint32_t other) {
  RawFinding f;
  f.kind = "misuse";
  f.subkind = subkind;
  f.severity = Severity::kError;
  f.sides = {now, before};
  f.tids = {now.tid, other};
  f.sort_key = now.index;
  findings_.push_back(std::move(f));
}

void ThreadLifecycle::OnJoin(uint32_t dense, uint32_t joined_tid, const SideRef& join, bool ok) {
  if (auto s = settled_.find(dense); s != settled_.end()) {
    if (!s->second.joined) AddFinding("join-detached", join, s->second.at, joined_tid);
    return;
  }
  Record& r = threads_[dense];
  if (r.detached) {
    AddFinding("join-detached", join, r.first_detach, joined_tid);
    return;
  }
  if (ok && !r.joined) {
    r.joined = true;
    r.join = join;
    MaybeSettle(dense);
  }
}

void ThreadLifecycle::OnDetach(uint32_t dense, uint32_t detached_tid, const SideRef& detach) {
  if (auto s = settled_.find(dense); s != settled_.end()) {
    // Its descriptor was freed by the join: the detach names a thread that no longer exists.
    AddFinding(s->second.joined ? "detach-joined" : "double-detach", detach, s->second.at,
               detached_tid);
    return;
  }
  Record& r = threads_[dense];
  if (r.joined) {
    // Its descriptor was freed by the join: the detach names a thread that no longer exists.
    AddFinding("detach-joined", detach, r.join, detached_tid);
    return;
  }
  if (!r.detached) {
    r.detached = true;
    r.first_detach = detach;
    MaybeSettle(dense);
    return;
  }
  AddFinding("double-detach", detach, r.first_detach, detached_tid);
}

std::vector<RawFinding> ThreadLifecycle::TakeFindings(const std::set<uint32_t>& being_joined) {
  std::vector<RawFinding> out = std::move(findings_);
  findings_.clear();
  std::vector<uint32_t> leaked;
  for (const auto& [dense, r] : threads_) {
    if (r.created && r.exited && !r.joined && !r.detached && !being_joined.count(r.exit.tid)) {
      leaked.push_back(dense);
    }
  }
  std::sort(leaked.begin(), leaked.end());  // deterministic order
  for (uint32_t dense : leaked) {
    const Record& r = threads_[dense];
    RawFinding f;
    f.kind = "misuse";
    f.subkind = "thread-leak";
    f.severity = Severity::kWarning;
    f.sides = {r.exit, r.create};
    f.tids = {r.exit.tid, r.create.tid};
    f.sort_key = r.exit.index;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace threadlens::analysis
