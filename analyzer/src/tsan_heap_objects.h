// Heap fields of imported ThreadSanitizer reports named as the analysis of a trace names them
// (Namer::LearnHeapObjects): a byte that its report's allocation and first access do not type
// is named through another report's access into the same object, or into a whole block of
// the same size from the same allocating call path. So one race has one fingerprint from
// both tools.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "threadlens/analyzer/findings.h"
#include "threadlens/analyzer/symbolizer.h"

namespace threadlens {

// One heap race's block and accesses, as a report gives them.
struct HeapSight {
  Frame alloc;                         // the allocation's user frame (pc 0: none)
  const Stack* alloc_stack = nullptr;  // the allocation's whole stack
  uint64_t size = 0, block = 0, offset = 0;
  const Frame* access = nullptr;  // the first access's own frame
  // Each access's own frame (TSan's #0) and address.
  std::vector<std::pair<Frame, uint64_t>> accesses;
};

class TsanHeapObjects {
 public:
  // `in_program`: a frame of the program the symbolizer reads.
  explicit TsanHeapObjects(std::function<bool(const Frame&)> in_program)
      : in_program_(std::move(in_program)) {}
  // First pass: the accesses of `h` whose code types the object they reached.
  void Learn(Symbolizer& sym, const HeapSight& h);
  // Second pass: byte `h.offset` of the block through what was learned, or "".
  std::string Name(Symbolizer& sym, const HeapSight& h) const;

 private:
  struct Seen {
    uint64_t site;  // the access's return address (module offset)
    uint64_t at;    // its address (per block) or offset in the block (per call path)
  };
  static std::string PathKey(const HeapSight& h);
  std::function<bool(const Frame&)> in_program_;
  std::map<std::pair<uint64_t, std::string>, std::vector<Seen>> blocks_;  // (block, path)
  std::map<std::pair<uint64_t, std::string>, std::vector<Seen>> paths_;   // (size, path)
};

}  // namespace threadlens
