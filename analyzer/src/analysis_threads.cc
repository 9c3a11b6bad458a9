// The analysis driver's threads: their contexts, clock slots, fork and join edges, and the
// thread events of the merged stream (creation, start, exit, join, detach).
#include "analysis.h"
#include "process_tree.h"

namespace threadlens::analysis {

using trace::EventKind;

ThreadCtx& Analysis::NewThread(uint32_t tid) {
  uint32_t dense = static_cast<uint32_t>(threads_.size());
  threads_.emplace_back();
  ThreadCtx& t = threads_.back();
  t.tid = tid;
  t.dense = dense;
  // Its fork/join slot comes at its fork (an ended thread's, maybe) or its first event.
  t.fork_join = std::make_shared<VectorClock>();
  current_[tid] = dense;
  race_.AddThread(dense, tid);
  if (predict_) predict_->AddThread(dense, tid);
  cached_tid_ = kNoCachedTid;
  return t;
}
ThreadCtx& Analysis::ThreadSlow(uint32_t tid) {
  auto it = current_.find(tid);
  uint32_t dense = it == current_.end() ? NewThread(tid).dense : it->second;
  cached_tid_ = tid;
  cached_ = &threads_[dense];
  return *cached_;
}
void Analysis::Start(ThreadCtx& t, uint64_t ts) {
  if (t.started) return;
  t.started = true;
  t.start_ts = ts;
  OwnForkJoin(t);
}

void Analysis::OwnForkJoin(ThreadCtx& t) {
  if (t.fj_slot != ClockSlots::kNone) return;
  t.fj_slot = fj_slots_.Add(t.dense);
  auto fj = std::make_shared<VectorClock>(*t.fork_join);
  fj->Set(t.fj_slot, 1);
  t.fork_join = fj;
}
void Analysis::ForkEdge(ThreadCtx& parent, ThreadCtx& child, uint64_t site) {
  hb_.Fork(parent.dense, child.dense);
  if (predict_) RecordPredict(parent, PredictTrace::Op::kFork, child.dense, site);
  OwnForkJoin(parent);
  auto cf = std::make_shared<VectorClock>(*child.fork_join);
  cf->Join(*parent.fork_join);
  if (child.fj_slot == ClockSlots::kNone) {
    // Not started yet: it may take the slot of a thread whose end the parent knows.
    if (auto taken = fj_slots_.Take(child.dense, *parent.fork_join)) {
      child.fj_slot = taken->first;
      cf->Set(child.fj_slot, taken->second);
    } else {
      child.fj_slot = fj_slots_.Add(child.dense);
      cf->Set(child.fj_slot, 1);
    }
  }
  child.fork_join = cf;
  auto pf = std::make_shared<VectorClock>(*parent.fork_join);
  pf->Tick(parent.fj_slot);
  parent.fork_join = pf;
  child.parent = parent.tid;
  child.has_parent = true;
}

void Analysis::Ended(ThreadCtx& t) {
  // Detached and ended: no join will read its clocks, and later threads may take its slot.
  hb_.End(t.dense);  // (forks reach the engine with or without race detection)
  if (fj_slots_.Has(t.dense)) {
    // Publications tick: its last epoch anything holds is the one before its current, unless
    // a lock-order edge kept its clock at the current one.
    const uint32_t now = t.fork_join->Get(t.fj_slot);
    fj_slots_.Free(t.dense, t.fj_captured >= now ? now : now - 1);
  }
  t.fork_join = std::make_shared<VectorClock>();
}

void Analysis::HandleThread(ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  switch (e.kind()) {
    case EventKind::kThreadCreate: {
      uint32_t child_tid = static_cast<uint32_t>(ev.obj);
      auto it = current_.find(child_tid);
      ThreadCtx* child = it == current_.end() || threads_[it->second].exited
                             ? &NewThread(child_tid)
                             : &threads_[it->second];
      if (ev.flags & trace::kFailed) {
        lifecycle_.OnCreateFailed(child->dense);
        break;
      }
      if (ev.flags & trace::kProgramStack) namer_.Stacks().ProgramStack(child_tid);
      ForkEdge(t, *child, ev.site);
      forked_.insert(child->dense);
      lifecycle_.OnCreate(child->dense, Side(t, Op::kCreate, e));
      break;
    }
    case EventKind::kThreadStart: {
      // A child whose creation was not traced still gets the parent's edge here.
      if (!forked_.count(t.dense) && ev.obj != 0 && ev.obj != e.tid) {
        auto it = current_.find(static_cast<uint32_t>(ev.obj));
        if (it != current_.end()) {
          ForkEdge(threads_[it->second], t);
          forked_.insert(t.dense);
        }
      }
      break;
    }
    case EventKind::kThreadExit:
      monitor_.OnThreadExit(t, Side(t, Op::kExit, e));
      lifecycle_.OnExit(t.dense, Side(t, Op::kExit, e), ev.flags & trace::kProcessEnded);
      namer_.Stacks().Exit(e.tid, ev.ts);
      if (predict_) lifetimes_.ThreadEnd(e.tid);
      t.exited = true;
      t.end_ts = ev.ts;
      // Its vectors' room goes with it (a thread per request would keep every thread's).
      if (t.held.empty()) std::vector<Held>().swap(t.held);
      if (t.outer_pending.empty()) std::vector<Pending>().swap(t.outer_pending);
      if (t.detached) Ended(t);
      if (ev.flags & trace::kProcessEnded) ProcessEnded(ProcessIndexOfTid(t.tid));
      if (opts_.races) {
        DropMarksAfter(t);
        namer_.Frames().Retire(t.tid);
        if (t.dense < frame_memo_.size()) frame_memo_[t.dense].reset();
      }
      break;
    case EventKind::kThreadJoinBegin:
      t.pending = Pending{Pending::kJoin, ev.obj, Side(t, Op::kJoin, e), ev.flags, false};
      break;
    case EventKind::kThreadJoin: {
      if (t.pending.kind == Pending::kJoin) {
        monitor_.AddWaitSpan(t.tid, ev.obj, 4, t.pending.where.ts, ev.ts);
        t.pending = Pending{};
      }
      auto it = current_.find(static_cast<uint32_t>(ev.obj));
      if (it == current_.end()) break;
      ThreadCtx& child = threads_[it->second];
      const bool ok = !(ev.flags & trace::kFailed);
      lifecycle_.OnJoin(child.dense, child.tid, Side(t, Op::kJoin, e), ok);
      if (!ok) break;
      // A child that ended before the join gives its clock slot to later threads.
      hb_.Join(t.dense, child.dense, child.exited);
      if (predict_) RecordPredict(t, PredictTrace::Op::kJoin, child.dense, ev.site);
      auto jf = std::make_shared<VectorClock>(*t.fork_join);
      jf->Join(*child.fork_join);
      t.fork_join = jf;
      // The joiner holds it now: an ended thread keeps no clock of its own (what lock-order
      // edges took of it, they keep), and its slot is free for threads that know its end.
      if (child.exited) {
        if (fj_slots_.Has(child.dense)) {
          fj_slots_.Free(child.dense, child.fork_join->Get(child.fj_slot));
        }
        child.fork_join = std::make_shared<VectorClock>();
      }
      child.detached = false;  // (joined: its slot went back at the join)
      if (!child.exited) {
        child.exited = true;
        child.end_ts = ev.ts;
      }
      break;
    }
    case EventKind::kThreadDetach: {
      auto it = current_.find(static_cast<uint32_t>(ev.obj));
      if (it != current_.end()) {
        lifecycle_.OnDetach(it->second, static_cast<uint32_t>(ev.obj), Side(t, Op::kDetach, e));
        ThreadCtx& child = threads_[it->second];
        child.detached = true;
        if (child.exited) Ended(child);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace threadlens::analysis
