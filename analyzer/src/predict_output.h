// How prediction results become parts of a finding: the sides of trace events and the steps
// of a witness schedule (analysis_predict.cc).
#pragma once

#include <cstddef>
#include <vector>

#include "analysis_types.h"
#include "predict_trace.h"

namespace threadlens::analysis::predict_out {

SideRef SideOf(const PredictTrace& trace, uint32_t id, Op op);
RawWitnessStep StepOf(const PredictTrace& trace, uint32_t id);
// The final step of a thread a stuck schedule leaves blocked at event `id`.
RawWitnessStep BlockedStepOf(const PredictTrace& trace, uint32_t id);
// A semaphore's side, named by its address (the key without its tag).
SideRef SemSideOf(const PredictTrace& trace, uint32_t id, Op op);
// The schedule's steps, one per event of the trace (an access split by granule is one step),
// the last `max` of them; the rest are counted.
void AppendSteps(const PredictTrace& trace, const std::vector<uint32_t>& schedule, size_t max,
                 RawFinding& f);

}  // namespace threadlens::analysis::predict_out
