// The analysis driver's prediction: what of the stream the predictors keep (predict_trace.h),
// and the lock-order cycles checked for a sync-preserving deadlock with its witness
// (predict_deadlock.h). Races: analysis_predict_race.cc.
#include "analysis.h"
#include "predict_deadlock.h"
#include "predict_output.h"

namespace threadlens::analysis {

using trace::EventKind;
using POp = PredictTrace::Op;

void Analysis::RecordPredict(const ThreadCtx& t, POp op, uint64_t obj, uint64_t site, bool shared,
                             bool atomic, bool blocking, bool after_wake, uint16_t life,
                             bool part) {
  // Full: the model keeps the trace up to here (all later events are left out alike, so
  // what it holds is a prefix of the run).
  if (predict_full_at_ != 0) return;
  if (opts_.max_predict_events != 0 && predict_->size() >= opts_.max_predict_events) {
    predict_full_at_ = index_ + 1;
    return;
  }
  PredictTrace::Event p;
  p.obj = obj;
  p.index = index_;
  p.site = site;
  p.thread = t.dense;
  p.stack = t.stack;
  p.lockset = t.lockset;
  p.op = op;
  p.shared = shared;
  p.atomic = atomic;
  p.blocking = blocking;
  p.life = life;
  p.part = part;
  predict_->Add(p, after_wake);
}

// Binary traces: one event per 8-byte granule the access touches (the first keeps the exact
// address), so that each granule's reads and writes link up; at most kMaxGranules of them.
void Analysis::RecordAccess(const ThreadCtx& t, const StreamEvent& e, PredictTrace::Op op,
                            bool atomic) {
  const trace::Event& ev = e.ev;
  if (std_trace_) {
    RecordPredict(t, op, ev.obj, ev.site, false, atomic);
    return;
  }
  constexpr uint64_t kMaxGranules = 512;
  const bool range = !atomic && ev.aux16 == 0 && ev.seq != 0;
  const uint64_t size = ev.aux16 ? ev.aux16 : range ? ev.seq : 1;
  const uint64_t first = ev.obj >> 3, last = (ev.obj + size - 1) >> 3;
  if (last - first + 1 > kMaxGranules) ++predict_cut_;
  const uint64_t end = std::min(last, first + kMaxGranules - 1);
  const uint16_t life = lifetimes_.Of(ev.obj);
  RecordPredict(t, op, ev.obj, ev.site, false, atomic, true, false, life);
  for (uint64_t g = first + 1; g <= end && g > first; ++g) {
    RecordPredict(t, op, g << 3, ev.site, false, atomic, true, false, life, true);
  }
}

void Analysis::RecordPredict(const ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  // Tags keep semaphores, annotations and signals apart from each other's keys.
  switch (e.kind()) {
    case EventKind::kLockAcquired: {
      // The flags of the request it completes count too (a trylock's request says so).
      const uint8_t flags =
          ev.flags |
          (t.pending.kind == Pending::kLock && t.pending.obj == ev.obj ? t.pending.flags : 0);
      // A wait's re-acquisition recorded while the wait has not ended yet (binary traces).
      const bool after_wake = (ev.flags & trace::kViaCondWait) && t.pending.kind == Pending::kCond;
      RecordPredict(t, POp::kAcquire, ev.obj, ev.site, ev.flags & trace::kShared, false,
                    !(flags & (trace::kTry | trace::kTimed | trace::kViaCondWait)), after_wake);
      break;
    }
    case EventKind::kLockRelease:
      if (!(ev.flags & trace::kFailed)) {
        RecordPredict(t, POp::kRelease, ev.obj, ev.site, ev.flags & trace::kShared);
      }
      break;
    case EventKind::kLockTryFailed:
      RecordPredict(t, POp::kTryFail, ev.obj, ev.site);
      break;
    case EventKind::kRead:
    case EventKind::kWrite:
      RecordAccess(t, e, e.kind() == EventKind::kRead ? POp::kRead : POp::kWrite, false);
      break;
    case EventKind::kAtomicLoad:
      RecordAccess(t, e, POp::kRead, true);
      break;
    case EventKind::kAtomicStore:
      RecordAccess(t, e, POp::kWrite, true);
      break;
    case EventKind::kAtomicRmw:
      RecordAccess(t, e, POp::kRead, true);
      RecordAccess(t, e, POp::kWrite, true);
      break;
    case EventKind::kCondWaitEnd:
      // A timed wait would give up on its own: never a blocked waiter of a prediction.
      if (!(ev.flags & trace::kTimedOut)) {
        RecordPredict(t, POp::kWake, ev.obj, ev.site, false, false,
                      !(t.pending.kind == Pending::kCond && (t.pending.flags & trace::kTimed)));
      }
      break;
    case EventKind::kCondSignal:
    case EventKind::kCondBroadcast:
      RecordPredict(t, POp::kNotify, ev.obj, ev.site);
      break;
    case EventKind::kSemPost:
      RecordPredict(t, POp::kPost, predict_->SemKey(ev.obj | HappensBefore::kSemTag), ev.site);
      break;
    case EventKind::kSemWaitEnd: {
      const uint64_t key = predict_->SemKey(ev.obj | HappensBefore::kSemTag);
      if (!(ev.flags & trace::kFailed)) {
        RecordPredict(t, POp::kPend, key, ev.site, false, false,
                      !(ev.flags & (trace::kTry | trace::kTimed)));
      } else if (predict_->HasSemInit(ev.obj | HappensBefore::kSemTag)) {
        // Only where counts are known: a reordering must leave the wait nothing to take.
        RecordPredict(t, POp::kPendFail, key, ev.site);
      }
      break;
    }
    case EventKind::kSemInit:
      predict_->SemInit(ev.obj | HappensBefore::kSemTag, ev.aux32, t.dense);
      break;
    case EventKind::kHappensBefore:
    case EventKind::kSignalSend:
      RecordPredict(t, POp::kPost, ev.obj | HappensBefore::kAnnotationTag, ev.site);
      break;
    case EventKind::kHappensAfter:
    case EventKind::kSignalEnter:
      RecordPredict(t, POp::kPend, ev.obj | HappensBefore::kAnnotationTag, ev.site);
      break;
    default:
      break;
  }
}

namespace predict_out {

SideRef SideOf(const PredictTrace& trace, uint32_t id, Op op) {
  const PredictTrace::Event& e = trace.At(id);
  SideRef s;
  s.obj = e.obj;
  s.site = e.site;
  s.index = e.index;
  s.tid = trace.Tid(e.thread);
  s.stack = e.stack;
  s.lockset = e.lockset;
  s.op = op;
  s.shared = e.shared;
  return s;
}

SideRef SemSideOf(const PredictTrace& trace, uint32_t id, Op op) {
  SideRef s = SideOf(trace, id, op);
  s.obj &= (1ull << 56) - 1;  // without its tag and generation
  return s;
}

RawWitnessStep StepOf(const PredictTrace& trace, uint32_t id) {
  RawWitnessStep w;
  switch (trace.At(id).op) {
    case POp::kAcquire:
      w = {SideOf(trace, id, Op::kAcquire), "acquire", RawWitnessStep::kLock};
      break;
    case POp::kRelease:
      w = {SideOf(trace, id, Op::kRelease), "release", RawWitnessStep::kLock};
      break;
    case POp::kRead:
      w = {SideOf(trace, id, Op::kRead), "read", RawWitnessStep::kVariable};
      break;
    case POp::kWrite:
      w = {SideOf(trace, id, Op::kWrite), "write", RawWitnessStep::kVariable};
      break;
    case POp::kFork:
      w = {SideOf(trace, id, Op::kCreate), "create", RawWitnessStep::kThread};
      break;
    case POp::kJoin:
      w = {SideOf(trace, id, Op::kJoin), "join", RawWitnessStep::kThread};
      break;
    case POp::kNotify:
      w = {SideOf(trace, id, Op::kSignal), "notify", RawWitnessStep::kCond};
      break;
    case POp::kWake:
      w = {SideOf(trace, id, Op::kWait), "wake", RawWitnessStep::kCond};
      break;
    case POp::kPost:
      // A semaphore of known count is shown by name: its steps are what the schedule is about.
      if (trace.SemInitial(trace.Obj(id)) >= 0) {
        w = {SemSideOf(trace, id, Op::kSignal), "sem-post", RawWitnessStep::kSem};
      } else {
        w = {SideOf(trace, id, Op::kSignal), "post", RawWitnessStep::kKey};
        if ((w.side.obj & (0xfull << 60)) == HappensBefore::kSemTag)
          w.side.obj = PredictTrace::SemBase(w.side.obj);
      }
      break;
    case POp::kPend:
      if (trace.SemInitial(trace.Obj(id)) >= 0) {
        w = {SemSideOf(trace, id, Op::kSemWait), "sem-take", RawWitnessStep::kSem};
      } else {
        w = {SideOf(trace, id, Op::kSemWait), "pend", RawWitnessStep::kKey};
        if ((w.side.obj & (0xfull << 60)) == HappensBefore::kSemTag)
          w.side.obj = PredictTrace::SemBase(w.side.obj);
      }
      break;
    case POp::kTryFail:
      w = {SideOf(trace, id, Op::kRequest), "try-fail", RawWitnessStep::kLock};
      break;
    case POp::kPendFail:
      w = {SemSideOf(trace, id, Op::kSemWait), "sem-fail", RawWitnessStep::kSem};
      break;
  }
  // A join and a fork name the other thread by its trace id, as the findings do.
  if (w.obj_kind == RawWitnessStep::kThread)
    w.side.obj = trace.Tid(static_cast<uint32_t>(w.side.obj));
  return w;
}

RawWitnessStep BlockedStepOf(const PredictTrace& trace, uint32_t id) {
  switch (trace.At(id).op) {
    case POp::kWake:
      return {SideOf(trace, id, Op::kWait), "wait", RawWitnessStep::kCond};
    case POp::kPend:
      return {SemSideOf(trace, id, Op::kSemWait), "sem-wait", RawWitnessStep::kSem};
    case POp::kJoin: {
      RawWitnessStep w{SideOf(trace, id, Op::kJoin), "join-blocked", RawWitnessStep::kThread};
      w.side.obj = trace.Tid(trace.HotOf(id).aux);
      return w;
    }
    default:
      return {SideOf(trace, id, Op::kRequest), "request", RawWitnessStep::kLock};
  }
}

// The schedule's steps, one per event of the trace (an access split by granule is one step),
// the last `max` of them; the rest are counted.
void AppendSteps(const PredictTrace& trace, const std::vector<uint32_t>& schedule, size_t max,
                 RawFinding& f) {
  // An access split by granule (binary traces) is one step: its first part stands for the rest,
  // which follow it in the schedule (same thread, next in the trace). Other traces split
  // nothing, and only the kept steps are read.
  auto part = [&](uint32_t id) { return (trace.HotOf(id).flags & PredictTrace::kPart) != 0; };
  size_t steps = schedule.size();
  if (trace.Granular()) {
    for (uint32_t id : schedule) steps -= part(id);
  }
  const size_t keep = std::min(steps, max);
  f.witness_omitted = steps - keep;
  std::vector<uint32_t> kept;
  kept.reserve(keep);
  for (size_t i = schedule.size(); i-- > 0 && kept.size() < keep;) {
    if (!part(schedule[i])) kept.push_back(schedule[i]);
  }
  for (size_t i = kept.size(); i-- > 0;) f.witness.push_back(StepOf(trace, kept[i]));
}

}  // namespace predict_out

using predict_out::AppendSteps;
using predict_out::SideOf;

void Analysis::PredictDeadlocks(std::vector<RawFinding>& cycles, std::vector<std::string>& notes) {
  predict_->Finalize();
  DeadlockPredictor predictor(*predict_);
  uint64_t budget =
      opts_.max_predict_work ? opts_.max_predict_work : 32 * predict_->size() + 4'000'000;
  size_t predicted = 0, refuted = 0, undecided = 0, file_locks = 0;
  for (RawFinding& f : cycles) {
    // One-thread cycles are no pattern of distinct threads. A cycle the detector found ordered
    // (fork/join, a notification) stays as it is unless a witness shows the order is not
    // forced: the witness is sound, the ordering a heuristic.
    if (f.kind != "lock-order" || !f.subkind.empty()) continue;
    const bool ordered = f.severity != Severity::kError;
    std::vector<std::pair<uint64_t, uint64_t>> edges;
    bool file_lock = false;
    for (const RawEdge& e : f.cycle) {
      edges.push_back({e.from, e.to});
      file_lock |= file_locks_seen_.count(e.from) > 0;
    }
    // A file's lock is no lock of the reordering's model (its order is a channel there, which
    // a reordering keeps): such a cycle is left as the detector found it.
    if (file_lock) {
      ++file_locks;
      continue;
    }
    DeadlockWitness w;
    switch (predictor.Find(edges, budget, &w)) {
      case DeadlockPredictor::Verdict::kUndecided:
        if (!ordered) ++undecided;
        continue;
      case DeadlockPredictor::Verdict::kNone:
        ++refuted;
        if (ordered) continue;
        f.severity = Severity::kWarning;
        f.predicted = false;
        f.relation = "sync-preserving";
        f.detail =
            "No reordering of this run that keeps each thread's order, what every read saw and "
            "the order of critical sections on each lock reaches this deadlock; something the "
            "trace shows (a data dependency, a thread start or join, a notification) keeps the "
            "threads apart. The lock order is still inconsistent.";
        continue;
      case DeadlockPredictor::Verdict::kWitness:
        break;
    }
    ++predicted;
    f.severity = Severity::kError;
    f.predicted = true;
    f.relation = "sync-preserving";
    f.sides.clear();
    f.tids.clear();
    for (size_t i = 0; i < f.cycle.size(); ++i) {
      RawEdge& e = f.cycle[i];
      e.to_site = SideOf(*predict_, w.pattern[i], Op::kAcquire);
      e.tid = e.to_site.tid;
      if (w.held[i] != PredictTrace::kNone)
        e.from_site = SideOf(*predict_, w.held[i], Op::kAcquire);
      f.sides.push_back(e.to_site);
      f.tids.push_back(e.tid);
    }
    AppendSteps(*predict_, w.schedule, opts_.max_witness_steps, f);
    for (uint32_t e : w.pattern) {
      f.witness.push_back({SideOf(*predict_, e, Op::kRequest), "request", RawWitnessStep::kLock});
    }
    f.detail =
        "Predicted: this run did not deadlock, but the schedule below does. It reorders this run's "
        "own events, keeping each thread's order, what every read saw and the order of critical "
        "sections on each lock (a sync-preserving reordering), then lets each thread of the "
        "cycle request its next lock: all of them block.";
  }
  if (predicted + refuted + undecided > 0) {
    std::string note = "prediction: " + std::to_string(predicted) +
                       " lock-order cycle(s) deadlock in a sync-preserving reordering, " +
                       std::to_string(refuted) + " cannot";
    if (undecided) note += ", " + std::to_string(undecided) + " undecided (budget or rwlocks)";
    notes.push_back(note);
  }
  if (file_locks > 0) {
    notes.push_back("prediction: " + std::to_string(file_locks) +
                    " lock-order cycle(s) through a file's lock not predicted (file locks are "
                    "not in the reordering's model); `confirm` can prove one of one process");
  }
  if (predicted > 0 && predict_cut_ > 0) {
    notes.push_back("prediction: " + std::to_string(predict_cut_) +
                    " access(es) covered more than 4 KiB; only their first 4 KiB tie reads to "
                    "writes in the predicted schedules");
  }
  if (predicted > 0 && source_.Meta().uninstrumented) {
    notes.push_back(
        "prediction: the program's memory accesses were not recorded (not built with "
        "threadlens-c++), so the predicted schedules keep lock and thread order only; a data "
        "dependency the trace does not show could still rule them out");
  }
}

}  // namespace threadlens::analysis
