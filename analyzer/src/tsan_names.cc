// The import's names of race memory (see tsan_names.h).
#include "tsan_names.h"

#include "namer.h"
#include "tsan_report_lines.h"

namespace threadlens::tsanreport {

std::string HeapName(HeapSight& h, const HeapField& field) {
  Stack u = UserStack(*h.alloc_stack);
  if (u.empty()) return analysis::HeapBlockName("", h.size, h.offset, "");
  const Frame* user = &u[0];
  for (const Frame& fr : u) {
    if (!fr.function.empty() && !analysis::IsSystemFrame(fr)) {
      user = &fr;
      break;
    }
  }
  h.alloc = u[0];
  // Past the program's allocation wrappers (my_malloc): where, and as what, their caller
  // allocated, as the analysis names it.
  if (!analysis::IsSystemFrame(*user) && analysis::IsAllocationWrapper(*user)) {
    for (const Frame& c : u) {
      if (c.function.empty() || analysis::IsSystemFrame(c) || analysis::IsAllocationWrapper(c)) {
        continue;
      }
      user = &c;
      h.alloc = c;
      break;
    }
  }
  const std::string where = analysis::AllocationWhere(*user);
  return analysis::HeapBlockName(where, h.size, h.offset, field ? field(h) : "");
}

}  // namespace threadlens::tsanreport
