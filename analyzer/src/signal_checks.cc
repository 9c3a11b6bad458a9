// Signal handler checks (see signal_checks.h).
#include "signal_checks.h"

namespace threadlens::analysis {

void SignalChecks::OnEnter(uint32_t dense, const SideRef& enter) {
  running_[dense].push_back(enter);
}

RawFinding SignalChecks::Make(const char* subkind, const SideRef& what,
                              const SideRef& handler) const {
  // `what` first: the call, or the handler itself.
  RawFinding f;
  f.kind = "misuse";
  f.subkind = subkind;
  f.severity = Severity::kWarning;
  f.sides = {what, handler};
  f.tids = {what.tid};
  f.sort_key = what.index;
  return f;
}

void SignalChecks::OnLeave(uint32_t dense, const SideRef& leave, bool errno_changed,
                           bool by_jump) {
  auto it = running_.find(dense);
  if (it == running_.end() || it->second.empty()) return;  // entered before the trace began
  SideRef enter = it->second.back();
  it->second.pop_back();
  if (by_jump) it->second.clear();  // a longjmp leaves every handler of the thread
  if (!errno_changed || !reported_.insert({0, leave.site, 0}).second) return;
  RawFinding f = Make("signal-errno", enter, enter);
  f.sides.pop_back();  // the handler's start says it all: where it interrupted the thread
  findings_.push_back(std::move(f));
}

void SignalChecks::OnUnsafeCall(uint32_t dense, const SideRef& call, uint32_t signo) {
  auto it = running_.find(dense);
  SideRef handler;
  if (it != running_.end() && !it->second.empty()) {
    handler = it->second.back();
  } else {  // the handler began before the trace: the call names it alone
    handler = call;
    handler.op = Op::kHandler;
    handler.obj = signo;
  }
  if (!reported_.insert({1 + call.obj, call.site, handler.site}).second) return;
  findings_.push_back(Make("signal-unsafe-call", call, handler));
}

std::vector<RawFinding> SignalChecks::TakeFindings() {
  std::vector<RawFinding> out = std::move(findings_);
  findings_.clear();
  return out;
}

}  // namespace threadlens::analysis
