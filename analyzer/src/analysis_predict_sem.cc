// The analysis driver's semaphore prediction (predict_sem.h): a sem_wait left with no post
// becomes a predicted `hang`, or a predicted `deadlock` when its posters are blocked on a lock
// the waiter holds; each with its witness.
#include "analysis.h"
#include "predict_output.h"
#include "predict_sem.h"

namespace threadlens::analysis {

using POp = PredictTrace::Op;
using predict_out::AppendSteps;
using predict_out::BlockedStepOf;
using predict_out::SemSideOf;
using predict_out::SideOf;

namespace {

// The waiter's outermost acquisition of `lock` that is still open at its event `at`.
uint32_t OpenAcquire(const PredictTrace& trace, uint32_t at, uint64_t lock) {
  const auto& own = trace.OfThread(trace.At(at).thread);
  for (uint32_t p = trace.Pos(at); p-- > 0;) {
    const uint32_t id = own[p];
    if (trace.HotOf(id).op == POp::kAcquire && !trace.At(id).nested && trace.Obj(id) == lock) {
      return id;
    }
  }
  return PredictTrace::kNone;
}

}  // namespace

void Analysis::PredictSemaphores(std::vector<RawFinding>& raw, std::vector<std::string>& notes) {
  predict_->Finalize();
  const PredictTrace& trace = *predict_;
  if (trace.KnownSemaphores().empty()) return;
  uint64_t budget =
      opts_.max_predict_work ? opts_.max_predict_work / 4 : 8 * trace.size() + 2'000'000;
  SemPredictor predictor(trace);
  size_t hangs = 0, cycles = 0;
  const bool complete = predictor.Find(budget, [&](const SemWitness& w) {
    RawFinding f;
    f.severity = Severity::kError;
    f.predicted = true;
    const SideRef wait = SemSideOf(trace, w.wait, Op::kSemWait);
    if (w.posters.empty()) {
      ++hangs;
      f.kind = "hang";
      f.subkind = "sem";
      f.relation = "sem-count";
      f.sides = {wait};
      if (w.post != PredictTrace::kNone) f.sides.push_back(SemSideOf(trace, w.post, Op::kSignal));
      f.tids = {wait.tid};
      f.detail =
          "Predicted: in this run the semaphore had a post left for this wait. In the schedule "
          "below, which keeps each thread's order, what every read saw, the locks and every "
          "semaphore's count (its initial value plus its posts, minus the waits that took one), "
          "the posts are taken by other waits first or never made, and every thread ends or "
          "blocks. Make each wait's post certain: one semaphore per direction of a hand-off, or "
          "a post for every wait.";
    } else {
      ++cycles;
      f.kind = "deadlock";
      f.relation = "sem-count";
      f.wait_for = true;
      // The waiter waits for its posters; each poster for a lock the waiter holds.
      for (uint32_t req : w.posters) {
        RawEdge to_poster;
        to_poster.tid = wait.tid;
        to_poster.from = wait.tid;
        to_poster.to = trace.Tid(trace.At(req).thread);
        to_poster.to_site = wait;
        RawEdge back;
        back.tid = to_poster.to;
        back.from = to_poster.to;
        back.to = wait.tid;
        back.to_site = SideOf(trace, req, Op::kRequest);
        const uint32_t held = OpenAcquire(trace, w.wait, trace.Obj(req));
        if (held != PredictTrace::kNone) back.from_site = SideOf(trace, held, Op::kAcquire);
        f.locks.push_back(trace.Obj(req));
        f.cycle.push_back(to_poster);
        f.cycle.push_back(back);
        f.sides.push_back(to_poster.to_site);
        f.sides.push_back(back.to_site);
        f.tids.push_back(to_poster.tid);
        f.tids.push_back(back.tid);
        break;  // one cycle names the pattern; the other posters are in the witness
      }
      f.detail =
          "Predicted: this run did not deadlock, but the schedule below does. It keeps each "
          "thread's order, what every read saw, the locks and every semaphore's count; the "
          "waiter sleeps in sem_wait holding a lock, and the thread that would post blocks on "
          "that lock. Every thread ends or blocks. Post without the lock, or wait without "
          "holding it.";
    }
    f.sort_key = wait.index;
    AppendSteps(trace, w.schedule, opts_.max_witness_steps, f);
    for (uint32_t id : w.blocked) {
      f.witness.push_back(BlockedStepOf(trace, id));
      const uint32_t tid = trace.Tid(trace.At(id).thread);
      if (std::find(f.tids.begin(), f.tids.end(), tid) == f.tids.end()) f.tids.push_back(tid);
    }
    raw.push_back(std::move(f));
  });
  if (hangs + cycles > 0 || !complete) {
    notes.push_back("prediction: " + std::to_string(hangs) + " semaphore hang(s), " +
                    std::to_string(cycles) + " deadlock(s) through a semaphore wait" +
                    (complete ? "" : " (search stopped: work budget)"));
  }
}

}  // namespace threadlens::analysis
