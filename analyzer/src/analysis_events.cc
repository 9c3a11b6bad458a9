// The analysis driver's event handling: locks, condition variables, memory and heap events
// of the merged stream, dispatched to the engine and the detectors (threads' events:
// analysis_threads.cc).
#include <algorithm>

#include "analysis.h"
#include "process_tree.h"

namespace threadlens::analysis {

using trace::EventKind;

namespace {

// The watchdog's records come from the runtime itself (tid 0 in a binary trace), not
// from a program thread: they must not create one.
bool IsRuntimeRecord(EventKind k) {
  return k == EventKind::kWatchdogFired || k == EventKind::kBlocked || k == EventKind::kHolds ||
         k == EventKind::kRunning;
}

// Bytes of a lock object, by type, for its init and destroy (x86-64 glibc).
uint64_t LockBytes(uint16_t type) {
  switch (static_cast<trace::LockType>(type)) {
    case trace::LockType::kRwLock: return 56;
    case trace::LockType::kSpin: return 4;
    default: return 40;
  }
}

}  // namespace

void Analysis::RebuildLockset(ThreadCtx& t) {
  uint32_t node = 0;
  for (const Held& h : t.held) node = locksets_.Child(node, h.lock);
  t.lockset = node;
}

std::optional<Held> Analysis::DropHold(uint32_t tid, uint64_t lock) {
  auto it = current_.find(tid);
  if (it == current_.end()) return std::nullopt;
  ThreadCtx& owner = threads_[it->second];
  auto h = std::find_if(owner.held.begin(), owner.held.end(),
                        [&](const Held& x) { return x.lock == lock; });
  if (h == owner.held.end()) return std::nullopt;
  Held out = *h;
  owner.held.erase(h);
  RebuildLockset(owner);
  return out;
}



void Analysis::HandleRuntime(const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  switch (e.kind()) {
    case EventKind::kWatchdogFired:
      watchdog_ = true;
      if (ev.flags == static_cast<uint8_t>(trace::WatchdogReason::kAllBlocked)) {
        watchdog_all_blocked_ = true;
      }
      if (ev.flags == static_cast<uint8_t>(trace::WatchdogReason::kTimeout)) {
        timed_out_ = true;
        time_limit_ms_ = ev.aux32;
      }
      break;
    case EventKind::kBlocked: {
      if ((ev.aux16 & trace::kAlsoBlocked) && !watchdog_blocked_.empty() &&
          watchdog_blocked_.back().tid == ev.aux32) {
        watchdog_blocked_.back().also.push_back(ev.obj);
        break;
      }
      BlockedThread b;
      b.tid = ev.aux32;
      b.obj = ev.obj;
      // The blocking call's pc: where a wait that no traced event began was made (a System V
      // semaphore's, a condition variable's destroy).
      b.where.site = ev.site;
      b.has_where = ev.site != 0;
      switch (static_cast<trace::BlockedOn>(ev.flags)) {
        case trace::BlockedOn::kLock: b.on = Pending::kLock; break;
        case trace::BlockedOn::kCond: b.on = Pending::kCond; break;
        case trace::BlockedOn::kJoin: b.on = Pending::kJoin; break;
        case trace::BlockedOn::kSem: b.on = Pending::kSem; break;
        case trace::BlockedOn::kFutex: b.on = Pending::kFutex; break;
        case trace::BlockedOn::kProcess: b.on = Pending::kProcess; break;
        case trace::BlockedOn::kPipe: b.on = Pending::kPipe; break;
        case trace::BlockedOn::kSignal: b.on = Pending::kSignal; break;
        case trace::BlockedOn::kFileLock:
          b.on = Pending::kFileLock;
          b.exclusive = (ev.aux16 & 1) == 0;
          break;
        case trace::BlockedOn::kCondDestroy:
          b.on = Pending::kCond;
          b.destroying = true;
          break;
        default: b.on = Pending::kNone; break;
      }
      watchdog_blocked_.push_back(b);
      break;
    }
    case EventKind::kHolds: {
      HeldBy h;
      h.tid = ev.aux32;
      h.lock = ev.obj;
      h.shared = ev.flags & trace::kShared;
      h.process = ev.flags & trace::kProcessHold;
      h.range = ev.flags & trace::kRangeHold;
      if (ev.site != 0) {  // where a lock no traced event took was taken (a file lock's)
        h.acquired.site = ev.site;
        h.acquired.tid = h.tid;
        h.acquired.obj = h.lock;
        h.acquired.op = Op::kAcquire;
        h.has_acquired = true;
      }
      watchdog_holds_.push_back(h);
      break;
    }
    default:
      break;
  }
}



void Analysis::Handle(const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  const EventKind kind = e.kind();
  if (IsRuntimeRecord(kind)) {
    HandleRuntime(e);
    return;
  }
  ThreadCtx* tp = &Thread(e.tid);
  if (!tp->started) {
    // A tid seen again after its thread exited is a new thread.
    Start(*tp, ev.ts);
  } else if (tp->exited && kind == EventKind::kThreadStart) {
    tp = &NewThread(e.tid);
    Start(*tp, ev.ts);
  }
  ThreadCtx& t = *tp;
  if (predict_) RecordPredict(t, e);
  switch (kind) {
    case EventKind::kRead:
    case EventKind::kWrite:
    case EventKind::kAtomicLoad:
    case EventKind::kAtomicStore:
    case EventKind::kAtomicRmw:
      if (opts_.races) HandleMemory(t, e);
      break;
    case EventKind::kFence:
      if (opts_.races) hb_.Fence(t.dense, ev.flags);
      break;
    case EventKind::kAlloc:
    case EventKind::kFree:
      // A lock in memory allocated anew is another lock than the one that was there.
      if (kind == EventKind::kAlloc && opts_.lock_order) {
        order_.RetireRange(ev.obj, ev.seq + ev.aux32);
      }
      // Heap blocks only name the memory of races.
      if (opts_.races) HandleHeap(t, e);
      break;
    case EventKind::kFuncEntry:
      t.stack = stacks_.Child(t.stack, ev.site);
      if (opts_.races) EnterFrame(t, ev);
      break;
    case EventKind::kFuncExit: {
      // The caller resumes at the exited frame's call site: its pc until an access of its
      // own says more (a thread blocked in a library call makes none).
      const uint64_t resume = t.stack ? stacks_.Value(t.stack) : 0;
      t.stack = stacks_.Parent(t.stack);
      if (opts_.races) ExitFrame(t, resume);
      break;
    }
    case EventKind::kLockRequest:
    case EventKind::kLockAcquired:
    case EventKind::kLockTryFailed:
    case EventKind::kLockRelease:
    case EventKind::kLockCreate:
    case EventKind::kLockDestroy:
      HandleLock(t, e);
      break;
    case EventKind::kFileLockAcquired:
    case EventKind::kFileLockRelease:
      if (opts_.lock_order) HandleFileLock(t, e);
      break;
    case EventKind::kCondWaitBegin:
      t.pending = Pending{Pending::kCond, ev.obj, Side(t, Op::kWait, e), ev.flags, false};
      NoteSyncOnStack(ev.obj, t.pending.where);
      SyncObjectAccess(t, e, 1, false);
      break;
    case EventKind::kCondWaitEnd: {
      if (t.pending.kind == Pending::kCond) {
        monitor_.AddWaitSpan(t.tid, ev.obj, 3, t.pending.where.ts, ev.ts);
        t.pending = Pending{};
      }
      // A woken waiter runs after the signal that woke it (taken to be the latest one):
      // the lock-order severity counts this ordering like fork/join.
      auto it = cond_signals_.find(ev.obj);
      if (!(ev.flags & trace::kTimedOut) && it != cond_signals_.end()) {
        auto fj = std::make_shared<VectorClock>(*t.fork_join);
        fj->Join(*it->second);
        t.fork_join = fj;
      }
      break;
    }
    case EventKind::kCondSignal:
    case EventKind::kCondBroadcast: {
      holds_.OnNotify(Side(t, Op::kSignal, e));
      hangs_.OnNotify(ev.obj, Side(t, Op::kSignal, e));
      NoteSyncOnStack(ev.obj, Side(t, Op::kSignal, e));
      SyncObjectAccess(t, e, 1, false);
      cond_signals_[ev.obj] = t.fork_join;
      auto fj = std::make_shared<VectorClock>(*t.fork_join);
      fj->Tick(t.fj_slot);
      t.fork_join = fj;
      break;
    }
    case EventKind::kSemWaitBegin:
      t.pending = Pending{Pending::kSem, ev.obj, Side(t, Op::kSemWait, e), ev.flags, false};
      NoteSyncOnStack(ev.obj, t.pending.where);
      break;
    case EventKind::kSemWaitEnd:
      if (t.pending.kind == Pending::kSem) {
        monitor_.AddWaitSpan(t.tid, ev.obj, 5, t.pending.where.ts, ev.ts);
        t.pending = Pending{};
      }
      if (opts_.races && !(ev.flags & (trace::kFailed | trace::kNoSync))) {
        hb_.SyncAcquire(t.dense, ev.obj | HappensBefore::kSemTag);
      }
      SyncObjectAccess(t, e, 1, false);
      break;
    case EventKind::kFutexWaitBegin:
      t.pending = Pending{Pending::kFutex, ev.obj, Side(t, Op::kFutexWait, e), ev.flags, false};
      break;
    case EventKind::kFutexWaitEnd:
      if (t.pending.kind == Pending::kFutex) {
        monitor_.AddWaitSpan(t.tid, ev.obj, 6, t.pending.where.ts, ev.ts);
        t.pending = Pending{};
      }
      break;
    case EventKind::kSemPost:
      hangs_.OnNotify(ev.obj, Side(t, Op::kSignal, e));
      NoteSyncOnStack(ev.obj, Side(t, Op::kSignal, e));
      SyncObjectAccess(t, e, 1, false);
      if (opts_.races && !(ev.flags & trace::kNoSync)) {
        hb_.SyncRelease(t.dense, ev.obj | HappensBefore::kSemTag);
      }
      break;
    case EventKind::kHappensBefore:
      if (opts_.races && !(ev.flags & trace::kNoSync)) hb_.SyncRelease(t.dense, ev.obj | HappensBefore::kAnnotationTag);
      if (IsForkKey(ev.obj)) {
        ForkParent& p = fork_parents_[ev.obj] = {ProcessIndexOfTid(t.tid), t.held, {}};
        for (const ThreadCtx& u : threads_) {
          if (ProcessIndexOfTid(u.tid) != p.process) continue;
          p.file_locks.insert(p.file_locks.end(), u.file_locks.begin(), u.file_locks.end());
        }
      }
      break;
    case EventKind::kHappensAfter:
      if (opts_.races && !(ev.flags & trace::kNoSync)) hb_.SyncAcquire(t.dense, ev.obj | HappensBefore::kAnnotationTag);
      if (IsForkKey(ev.obj)) Forked(ev.obj, t);
      break;
    case EventKind::kThreadCreate:
    case EventKind::kThreadStart:
    case EventKind::kThreadExit:
    case EventKind::kThreadJoinBegin:
    case EventKind::kThreadJoin:
    case EventKind::kThreadDetach:
      HandleThread(t, e);
      break;
    case EventKind::kSignalSend:
      if (opts_.races && !(ev.flags & trace::kNoSync)) hb_.SyncRelease(t.dense, ev.obj | HappensBefore::kAnnotationTag);
      break;
    case EventKind::kSignalEnter: {
      if (opts_.races && !(ev.flags & trace::kNoSync)) hb_.SyncAcquire(t.dense, ev.obj | HappensBefore::kAnnotationTag);
      SideRef s = Side(t, Op::kHandler, e);
      s.obj = ev.aux32;
      signals_.OnEnter(t.dense, s);
      break;
    }
    case EventKind::kSignalLeave: {
      SideRef s = Side(t, Op::kHandler, e);
      s.obj = ev.aux32;
      signals_.OnLeave(t.dense, s, ev.flags & trace::kErrnoChanged, ev.flags & trace::kSignalLongjmp);
      break;
    }
    case EventKind::kSignalUnsafeCall: {
      SideRef s = Side(t, Op::kCall, e);
      s.obj = ev.aux16;
      signals_.OnUnsafeCall(t.dense, s, ev.aux32);
      break;
    }
    case EventKind::kThreadStack:
      namer_.Stacks().Add(e.tid, ev.obj, ev.seq, ev.ts);
      if (opts_.races) race_.SetStack(t.dense, ev.obj, ev.seq);
      if (predict_) lifetimes_.Stack(e.tid, ev.obj, ev.seq);
      break;
    case EventKind::kThreadTls:
      namer_.Stacks().AddTls(e.tid, ev.obj, ev.seq, ev.site, ev.ts);
      break;
    case EventKind::kMapName:
      if (opts_.races) map_names_[t.dense] = {ev.obj, ev.flags & trace::kMapFile ? ev.aux32 : 0};
      break;
    case EventKind::kCrash:
      crash_signal_ = ev.aux32;
      crash_ = Side(t, Op::kSignal, e);
      break;
    case EventKind::kIgnoresAtExit: {
      // Named by the Begin's own site: the thread's stack now is the one it exits with.
      SideRef s = Side(t, Op::kIgnoreBegin, e);
      s.obj = ev.flags;
      s.stack = 0;
      s.lockset = 0;
      lifecycle_.OnIgnoreLeftOn(t.dense, s);
      break;
    }
    case EventKind::kNameThread:
      namer_.SetThreadName(static_cast<uint32_t>(ev.obj), std::string(source_.String(ev.aux32)));
      break;
    case EventKind::kNameLock:
      namer_.SetObjectName(ev.obj, std::string(source_.String(ev.aux32)));
      break;
    case EventKind::kMapShared:  // the mapping at ev.obj (untagged) is of a shared object
      if (auto it = file_maps_.find(t.dense); it != file_maps_.end() &&
          it->second.first != (ProcessAddressBase(ProcessIndexOfTid(t.tid)) | ev.obj)) {
        file_maps_.erase(it);
      }
      break;
    case EventKind::kNameVariable: {
      std::string name(source_.String(ev.aux32));
      // The name of a shared object at its first mapping, the thread's file mapping just
      // made: its block names it, as in a recording of one process.
      if (name.rfind("shared@", 0) == 0 && !file_maps_.empty()) {
        if (auto it = file_maps_.find(t.dense); it != file_maps_.end()) {
          const auto [base, size] = it->second;
          file_maps_.erase(it);
          if (opts_.races && size == ev.seq) {
            race_.CopyBlocks(base, size, ev.obj);
            break;
          }
        }
      }
      // aux16 = 0: a range of seq bytes.
      namer_.SetVariableName(ev.obj, ev.aux16 ? ev.aux16 : ev.seq, std::move(name));
      break;
    }
    default:
      break;
  }
}

void Analysis::HandleLock(ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  switch (e.kind()) {
    case EventKind::kLockRequest: {
      SideRef s = Side(t, Op::kRequest, e);
      s.shared = ev.flags & trace::kShared;
      monitor_.OnRequest(t, s, ev.flags);
      break;
    }
    case EventKind::kLockAcquired: {
      const bool shared = ev.flags & trace::kShared;
      uint8_t req_flags =
          t.pending.kind == Pending::kLock && t.pending.obj == ev.obj ? t.pending.flags : 0;
      SideRef s = Side(t, Op::kAcquire, e);
      s.shared = shared;
      // The lock-order edge is recorded before the hold is added (held = what was held).
      bool reentry = std::any_of(t.held.begin(), t.held.end(),
                                 [&](const Held& h) { return h.lock == ev.obj; });
      if (!reentry && opts_.lock_order && (!t.held.empty() || !t.file_locks.empty()) &&
          !((req_flags | ev.flags) & trace::kTry) && !(ev.flags & trace::kViaCondWait)) {
        const std::vector<Held>& held = HeldForOrder(t);
        SideRef os = s;  // its locks held, file locks too
        os.lockset = WithFileLocks(t, os.lockset);
        if (order_.OnAcquire(t, held, ev.obj, os, held_scratch_)) {
          t.fj_captured = t.fork_join->Get(t.fj_slot);
        }
      }
      // A new hold goes on top: extend the interned set instead of rebuilding it.
      if (monitor_.OnAcquired(t, s, shared, ev.flags, ev.aux32)) {
        t.lockset = locksets_.Child(t.lockset, ev.obj);
      }
      // A try-lock never stalls behind a waiter that holds the lock.
      if (!reentry && !(ev.flags & trace::kTry)) holds_.OnAcquired(t, s);
      // The lock's read of the mutex is checked before the acquisition orders anything (as
      // TSan does): an init the first unlock alone orders before it races with it, since the
      // lock could as well have come first.
      SyncObjectAccess(t, e, 1, false);
      // A thread that ignores synchronization keeps the lock state but gains no order.
      if (opts_.races && !(ev.flags & trace::kNoSync)) hb_.Acquire(t.dense, ev.obj, shared);
      break;
    }
    case EventKind::kLockTryFailed:
      if (t.pending.kind == Pending::kLock) EndPendingRequest(t);
      monitor_.OnTryFailed(Side(t, Op::kRequest, e), ev.flags & trace::kFailed);
      break;
    case EventKind::kLockRelease: {
      SideRef s = Side(t, Op::kRelease, e);
      bool was_shared = ev.flags & trace::kShared;
      const bool innermost = !t.held.empty() && t.held.back().lock == ev.obj;
      // Before the release: the unlock's read of the lock is ordered with the next owner.
      if (!(ev.flags & trace::kFailed)) SyncObjectAccess(t, e, 1, false);
      if (monitor_.OnRelease(t, s, ev.flags & trace::kShared, &was_shared,
                             ev.flags & trace::kFailed, ev.aux32)) {
        if (innermost && locksets_.Value(t.lockset) == ev.obj) {
          t.lockset = locksets_.Parent(t.lockset);
        } else {
          RebuildLockset(t);
        }
        if (opts_.races && !(ev.flags & trace::kNoSync)) {
          hb_.Release(t.dense, ev.obj, was_shared);
        }
      }
      // A condition wait holds what is left after its mutex went.
      if ((ev.flags & trace::kViaCondWait) && t.pending.kind == Pending::kCond) {
        t.pending.mutex = ev.obj;
        t.pending.where.lockset = t.lockset;
        CondWaitMutex(t, ev.obj);
        if (!t.held.empty()) {
          holds_.OnWaitHolding(t, t.pending.where, t.pending.flags & trace::kTimed);
        }
      }
      break;
    }
    case EventKind::kLockCreate:
      monitor_.OnCreate(ev.obj, ev.aux16);
      // Only an explicit init writes the object; a lock announced at its first use does not.
      if (ev.flags & trace::kExplicitInit) SyncObjectAccess(t, e, LockBytes(ev.aux16), true);
      break;
    case EventKind::kLockDestroy:
      monitor_.OnDestroy(t, Side(t, Op::kDestroy, e));
      if (opts_.lock_order) order_.Retire(ev.obj);
      SyncObjectAccess(t, e, LockBytes(ev.aux16), true);
      break;
    default:
      break;
  }
}

const std::vector<Held>& Analysis::HeldForOrder(const ThreadCtx& t) {
  held_scratch_.clear();
  for (const Held& h : t.held) held_scratch_.push_back(h.lock);
  for (const Held& h : t.file_locks) held_scratch_.push_back(h.lock);
  std::sort(held_scratch_.begin(), held_scratch_.end());
  if (t.file_locks.empty()) return t.held;
  held_all_.assign(t.held.begin(), t.held.end());
  held_all_.insert(held_all_.end(), t.file_locks.begin(), t.file_locks.end());
  std::stable_sort(held_all_.begin(), held_all_.end(), [](const Held& a, const Held& b) {
    return a.acquired.index < b.acquired.index;
  });
  return held_all_;
}

uint32_t Analysis::WithFileLocks(const ThreadCtx& t, uint32_t lockset) {
  for (const Held& h : t.file_locks) lockset = locksets_.Child(lockset, h.lock);
  return lockset;
}

void Analysis::HandleFileLock(ThreadCtx& t, const StreamEvent& e) {
  const trace::Event& ev = e.ev;
  auto held_by = [&](ThreadCtx& u) {
    return std::find_if(u.file_locks.begin(), u.file_locks.end(),
                        [&](const Held& h) { return h.lock == ev.obj; });
  };
  if (e.kind() == EventKind::kFileLockAcquired) {
    // A shared lock keeps out no other shared one, and a shared request jumps no queue:
    // only exclusive locks make cycles that can deadlock.
    if (ev.flags & trace::kShared) return;
    if (held_by(t) != t.file_locks.end()) return;  // again
    file_locks_seen_.insert(ev.obj);
    Held h;
    h.lock = ev.obj;
    h.acquired = Side(t, Op::kAcquire, e);
    h.acquired.lockset = WithFileLocks(t, h.acquired.lockset);
    // Taken without waiting (LOCK_NB), as a trylock: it can close no cycle.
    if ((!t.held.empty() || !t.file_locks.empty()) && !(ev.flags & trace::kTry)) {
      const std::vector<Held>& held = HeldForOrder(t);
      if (order_.OnAcquire(t, held, ev.obj, h.acquired, held_scratch_)) {
        t.fj_captured = t.fork_join->Get(t.fj_slot);
      }
    }
    t.file_locks.push_back(h);
    return;
  }
  // Given up by the thread that took it, or by another thread of its process (a close, an
  // unlock through the same descriptor, the exit). A fork child's exit leaves its parent's.
  auto drop = [&](ThreadCtx& u, std::vector<Held>::iterator it) {
    monitor_.AddWaitSpan(u.tid, ev.obj, 0, it->acquired.ts, ev.ts);  // the timeline's hold
    u.file_locks.erase(it);
  };
  if (auto it = held_by(t); it != t.file_locks.end()) return drop(t, it);
  const uint32_t process = ProcessIndexOfTid(t.tid);
  for (ThreadCtx& u : threads_) {
    if (ProcessIndexOfTid(u.tid) != process) continue;
    if (auto it = held_by(u); it != u.file_locks.end()) return drop(u, it);
  }
}

}  // namespace threadlens::analysis
