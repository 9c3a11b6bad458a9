// The prediction model (predict_trace.h) of an execution of predict_reference.h, one site per
// event (as the STD text gives each line its own), for tests that drive the predictors directly.
#pragma once

#include <algorithm>

#include "predict_reference.h"
#include "predict_trace.h"

namespace threadlens::testing {

// `extra_threads`: threads past the execution's own that never run.
inline analysis::PredictTrace Model(const Exec& ex, int extra_threads = 0) {
  using analysis::PredictTrace;
  PredictTrace t;
  int threads = 0;
  for (const ExecEvent& e : ex) {
    threads = std::max({threads, e.thread + 1, e.op == "fork" || e.op == "join" ? e.arg + 1 : 0});
  }
  threads += extra_threads;
  for (int i = 0; i < threads; ++i) t.AddThread(i, i);
  for (size_t i = 0; i < ex.size(); ++i) {
    const ExecEvent& e = ex[i];
    PredictTrace::Event p;
    p.thread = e.thread;
    p.obj = e.arg;
    p.index = i;
    p.site = i + 1;
    p.op = e.op == "acq"    ? PredictTrace::Op::kAcquire
           : e.op == "rel"  ? PredictTrace::Op::kRelease
           : e.op == "r"    ? PredictTrace::Op::kRead
           : e.op == "w"    ? PredictTrace::Op::kWrite
           : e.op == "fork" ? PredictTrace::Op::kFork
                            : PredictTrace::Op::kJoin;
    t.Add(p);
  }
  t.Finalize();
  return t;
}

}  // namespace threadlens::testing
