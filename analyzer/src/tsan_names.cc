// The import's names of race memory (see tsan_names.h).
#include "tsan_names.h"

#include "namer.h"
#include "tsan_report_lines.h"

namespace threadlens::tsanreport {

std::string HeapName(HeapSight& h, const HeapField& field, const FrameResults& results) {
  Stack u = UserStack(*h.alloc_stack);
  if (results) results(u);
  if (u.empty()) return analysis::HeapBlockName("", h.size, h.offset, "");
  // Past the program's allocation wrappers (my_malloc): where, and as what, their caller
  // allocated, as the analysis names it.
  const analysis::AllocationFrame at = analysis::AllocationFrameOf(u);
  const Frame* user = at.index < u.size() ? &u[at.index] : &u[0];
  h.alloc = at.past_wrapper ? *user : u[0];
  const std::string where = analysis::AllocationWhere(*user);
  return analysis::HeapBlockName(where, h.size, h.offset, field ? field(h) : "");
}

}  // namespace threadlens::tsanreport
