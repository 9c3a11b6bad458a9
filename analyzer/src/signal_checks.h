// Signal handler checks, as ThreadSanitizer reports them: a call that is not
// async-signal-safe made inside a handler (signal-safety(7)), and a handler that returns
// with errno changed. Both come from the tracer's signal records (kSignalEnter,
// kSignalLeave, kSignalUnsafeCall); the delivery edge itself is the happens-before engine's.
//
// Cost: O(1) per signal record. Memory: the handlers running per thread, one entry per
// reported call site.
#pragma once

#include <cstdint>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

class SignalChecks {
 public:
  // `enter.obj` is the signal number.
  void OnEnter(uint32_t dense, const SideRef& enter);
  // `leave` is the handler's return (obj = the signal number).
  void OnLeave(uint32_t dense, const SideRef& leave, bool errno_changed, bool by_jump);
  // `call.obj` is the trace::SignalUnsafeCall id.
  void OnUnsafeCall(uint32_t dense, const SideRef& call, uint32_t signo);

  // One finding per (call, call site, handler) and per spoiling handler, in trace order.
  std::vector<RawFinding> TakeFindings();

 private:
  RawFinding Make(const char* subkind, const SideRef& what, const SideRef& handler) const;

  std::unordered_map<uint32_t, std::vector<SideRef>> running_;  // by dense thread index
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> reported_;
  std::vector<RawFinding> findings_;
};

}  // namespace threadlens::analysis
