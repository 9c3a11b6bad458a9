// Resolves program counters and data addresses of a trace to names, at analysis time (never
// in the traced program). Backed by llvm-symbolizer when it is installed; falls back to
// module+offset otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {

class Symbolizer {
 public:
  virtual ~Symbolizer() = default;
  // Function, file and line of a code address. Never throws; unknown parts stay empty and
  // Frame::pc/module are filled.
  virtual Frame ResolveCode(uint64_t pc) = 0;
  // Name of the global variable that contains `addr` ("counter", "prices+8"), or "".
  virtual std::string ResolveData(uint64_t addr) = 0;
  // The inlining chain at a code address, innermost first: a lock call inlined through
  // std::mutex::lock into worker() yields [__gthread_mutex_lock, std::mutex::lock, worker].
  // The default is the single frame of ResolveCode.
  virtual Stack ResolveCodeInlined(uint64_t pc) { return {ResolveCode(pc)}; }
};

// A symbolizer for the modules recorded in a trace.
std::unique_ptr<Symbolizer> MakeSymbolizer(const std::vector<ModuleInfo>& modules);

}  // namespace threadlens
