// How the import of ThreadSanitizer's reports (tsan_import.cc) names what a race touched as
// the analysis of a trace names it, so that a race gets one fingerprint from either: a heap
// block by where the user's code allocated it, a byte by the field the program's debug info
// says it is.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "threadlens/analyzer/findings.h"

namespace threadlens::tsanreport {

// What a report says of a race's memory: a heap block and the accesses into it, or a global.
struct HeapSight {
  Frame alloc;                         // the allocation's user frame (pc 0: none)
  const Stack* alloc_stack = nullptr;  // the allocation's whole stack
  uint64_t size = 0, block = 0, offset = 0;
  const Frame* access = nullptr;  // the first access's own frame
  // A global instead: the raced byte's module and offset in it (module, pc).
  const Frame* global = nullptr;
  // Each access's own frame (TSan's #0) and address.
  std::vector<std::pair<Frame, uint64_t>> accesses;
};

// What byte `offset` of a heap block is, from its allocation frame (a module offset), else
// from the accesses' own frames; or, for a global, its name and field: the name threadlens's
// own analysis gives, or "".
using HeapField = std::function<std::string(const HeapSight&)>;
// Sets Frame::result on the program's frames of a stack, from its debug info, as the
// analysis's symbolizer does.
using FrameResults = std::function<void(Stack&)>;

// A heap block as the analysis of a trace names it (analysis::HeapBlockName): by the user's
// frame past the program's allocation wrappers (a vector's block by the code that grew it,
// not by std::allocator), its field by the allocating call itself. Sets h.alloc to that frame.
std::string HeapName(HeapSight& h, const HeapField& field, const FrameResults& results = {});

}  // namespace threadlens::tsanreport
