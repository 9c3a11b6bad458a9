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
  Record& r = threads_[dense];
  r.exited = !ended_process;  // one that ended the process was never to be joined
  r.exit = exit;
  if (r.ignores.empty()) return;
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
  Record& r = threads_[dense];
  if (r.detached) {
    AddFinding("join-detached", join, r.first_detach, joined_tid);
    return;
  }
  if (ok && !r.joined) {
    r.joined = true;
    r.join = join;
  }
}

void ThreadLifecycle::OnDetach(uint32_t dense, uint32_t detached_tid, const SideRef& detach) {
  Record& r = threads_[dense];
  if (r.joined) {
    // Its descriptor was freed by the join: the detach names a thread that no longer exists.
    AddFinding("detach-joined", detach, r.join, detached_tid);
    return;
  }
  if (!r.detached) {
    r.detached = true;
    r.first_detach = detach;
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
