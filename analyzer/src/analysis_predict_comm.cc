// The analysis driver's communication-deadlock prediction (predict_comm.h): a lost
// notification becomes a predicted `hang`, a deadlock through a condition wait a predicted
// `deadlock`, each with its witness.
#include <algorithm>

#include "analysis.h"
#include "predict_comm.h"
#include "predict_output.h"

namespace threadlens::analysis {

using POp = PredictTrace::Op;
using predict_out::AppendSteps;
using predict_out::SideOf;

namespace {

// Where a wait began (the waiter's release of the mutex), on the condition variable.
SideRef WaitSide(const PredictTrace& trace, uint32_t wake) {
  const auto& own = trace.OfThread(trace.At(wake).thread);
  const uint32_t pos = trace.Pos(wake);
  SideRef s = SideOf(trace, pos > 0 ? own[pos - 1] : wake, Op::kWait);
  s.obj = trace.At(wake).obj;
  s.lockset = trace.At(wake).lockset;  // without the mutex the wait released
  return s;
}

void AddBlockedSteps(const PredictTrace& trace, const CommWitness& w, RawFinding& f) {
  for (uint32_t id : w.blocked) f.witness.push_back(predict_out::BlockedStepOf(trace, id));
}

}  // namespace

void Analysis::PredictCommunication(std::vector<RawFinding>& raw, std::vector<std::string>& notes) {
  predict_->Finalize();
  const PredictTrace& trace = *predict_;
  uint64_t budget =
      opts_.max_predict_work ? opts_.max_predict_work / 4 : 8 * trace.size() + 2'000'000;
  CommPredictor predictor(trace);
  size_t lost = 0, cycles = 0;
  bool complete = predictor.FindLost(budget, [&](const CommWitness& w) {
    ++lost;
    RawFinding f;
    f.kind = "hang";
    f.subkind = "cond";
    f.severity = Severity::kError;
    f.predicted = true;
    f.relation = "notify-first";
    f.sides = {WaitSide(trace, w.wake), SideOf(trace, w.notify, Op::kSignal)};
    f.tids = {f.sides[0].tid, f.sides[1].tid};
    for (uint32_t id : w.blocked) f.tids.push_back(trace.Tid(trace.At(id).thread));
    f.sort_key = f.sides[0].index;
    f.detail =
        "Predicted: in this run the notification came while the waiter waited. In the schedule "
        "below the notifier runs first, through its notification and the end of its critical "
        "sections, then the waiter begins to wait, each read still reading what it read in the "
        "run: nothing notifies again, and every thread ends or blocks. Wait for a condition "
        "(a predicate checked under the mutex), not for the notification itself.";
    AppendSteps(trace, w.schedule, opts_.max_witness_steps, f);
    AddBlockedSteps(trace, w, f);
    raw.push_back(std::move(f));
  });
  complete = predictor.FindCycles(budget, [&](const CommWitness& w) {
    ++cycles;
    RawFinding f;
    f.kind = "deadlock";
    f.severity = Severity::kError;
    f.predicted = true;
    f.relation = "sync-preserving";
    f.wait_for = true;
    // Who each blocked thread of the pattern waits for: a notifier, or a lock's holder.
    auto waits_for = [&](uint32_t id, SideRef* held) -> size_t {
      const PredictTrace::Event& e = trace.At(id);
      for (size_t j = 0; j < w.pattern.size(); ++j) {
        const PredictTrace::Event& x = trace.At(w.pattern[j]);
        if (x.thread == e.thread) continue;
        if (e.op == POp::kWake) {
          for (uint32_t n : trace.OfThread(x.thread)) {
            if (trace.At(n).op == POp::kNotify && trace.At(n).obj == e.obj) return j;
          }
          continue;
        }
        const auto& h = trace.HeldAt(w.pattern[j]);
        if (!std::binary_search(h.begin(), h.end(), e.obj)) continue;
        const auto& own = trace.OfThread(x.thread);
        for (uint32_t p = trace.Pos(w.pattern[j]); p-- > 0;) {
          const PredictTrace::Event& a = trace.At(own[p]);
          if (a.op == POp::kAcquire && !a.nested && a.obj == e.obj) {
            *held = SideOf(trace, own[p], Op::kAcquire);
            break;
          }
        }
        return j;
      }
      return w.pattern.size();
    };
    std::vector<bool> seen(w.pattern.size(), false);
    for (size_t i = 0; i < w.pattern.size() && !seen[i];) {
      seen[i] = true;
      const uint32_t id = w.pattern[i];
      SideRef held;
      const size_t j = waits_for(id, &held);
      if (j == w.pattern.size()) break;
      RawEdge e;
      e.tid = trace.Tid(trace.At(id).thread);
      e.from = e.tid;
      e.to = trace.Tid(trace.At(w.pattern[j]).thread);
      const bool wake = trace.At(id).op == POp::kWake;
      e.to_site = wake ? WaitSide(trace, id) : SideOf(trace, id, Op::kRequest);
      if (!wake) {
        e.from_site = held;
        f.locks.push_back(trace.At(id).obj);
      }
      f.cycle.push_back(e);
      f.tids.push_back(e.tid);
      f.sides.push_back(e.to_site);
      i = j;
    }
    f.sort_key = f.sides.empty() ? 0 : f.sides[0].index;
    f.detail =
        "Predicted: this run did not deadlock, but the schedule below does. It reorders this "
        "run's own events, keeping each thread's order, what every read saw and the order of "
        "critical sections on each lock; the waiter sleeps holding a lock, and each thread "
        "that could notify it blocks on a lock held by the waiter or by another blocked thread. "
        "Every thread ends or blocks.";
    AppendSteps(trace, w.schedule, opts_.max_witness_steps, f);
    AddBlockedSteps(trace, w, f);
    raw.push_back(std::move(f));
  }) && complete;
  if (lost + cycles > 0 || !complete) {
    notes.push_back("prediction: " + std::to_string(lost) + " lost notification(s), " +
                    std::to_string(cycles) + " deadlock(s) through a condition wait" +
                    (complete ? "" : " (search stopped: work budget)"));
  }
}

}  // namespace threadlens::analysis
