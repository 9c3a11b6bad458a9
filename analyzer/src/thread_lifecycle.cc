// Thread leaks and double detaches (see thread_lifecycle.h).
#include "thread_lifecycle.h"

#include <algorithm>

namespace threadlens::analysis {

void ThreadLifecycle::OnCreate(uint32_t dense, const SideRef& create) {
  Record& r = threads_[dense];
  r.created = true;
  r.create = create;
}

void ThreadLifecycle::OnExit(uint32_t dense, const SideRef& exit) {
  Record& r = threads_[dense];
  r.exited = true;
  r.exit = exit;
}

void ThreadLifecycle::OnDetach(uint32_t dense, uint32_t detached_tid, const SideRef& detach) {
  Record& r = threads_[dense];
  if (!r.detached) {
    r.detached = true;
    r.first_detach = detach;
    return;
  }
  RawFinding f;
  f.kind = "misuse";
  f.subkind = "double-detach";
  f.severity = Severity::kError;
  f.sides = {detach, r.first_detach};
  f.tids = {detach.tid, detached_tid};
  f.sort_key = detach.index;
  findings_.push_back(std::move(f));
}

std::vector<RawFinding> ThreadLifecycle::TakeFindings() {
  std::vector<RawFinding> out = std::move(findings_);
  findings_.clear();
  std::vector<uint32_t> leaked;
  for (const auto& [dense, r] : threads_) {
    if (r.created && r.exited && !r.joined && !r.detached) leaked.push_back(dense);
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
