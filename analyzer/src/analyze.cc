// The analysis driver: one pass over the merged event stream, feeding per-thread state
// (shadow stacks, held locks, blocked state) to the detectors, then naming everything and
// assembling the Report.
#include "threadlens/analyzer/analyze.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis_types.h"
#include "blocked_state.h"
#include "cond_holds.h"
#include "lock_monitor.h"
#include "lock_order.h"
#include "race_detector.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/symbolizer.h"

namespace threadlens {
namespace analysis {

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead: return "read";
    case Op::kWrite: return "write";
    case Op::kRequest: return "request";
    case Op::kAcquire: return "acquire";
    case Op::kRelease: return "release";
    case Op::kWait: return "wait";
    case Op::kJoin: return "join";
    case Op::kSemWait: return "sem-wait";
    case Op::kDestroy: return "destroy";
    case Op::kExit: return "exit";
    case Op::kSignal: return "signal";
  }
  return "?";
}

}  // namespace analysis

namespace {

using namespace analysis;
using trace::EventKind;

// Sync objects other than locks share one clock table; the kind goes in the top bits.
constexpr uint64_t kAtomicTag = 1ull << 60;
constexpr uint64_t kSemTag = 2ull << 60;
constexpr uint64_t kAnnotationTag = 3ull << 60;
// Range accesses expand into at most this many element accesses each.
constexpr uint64_t kMaxRangeElements = 1 << 20;

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// A frame of the system headers or the C++ standard library: not where the user's bug is.
bool IsSystemFrame(const Frame& f) {
  static const char* kDirs[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm",
                                "/usr/local/include/c++/"};
  for (const char* d : kDirs) {
    if (f.file.rfind(d, 0) == 0) return true;
  }
  static const char* kFunctions[] = {"std::", "__gthread", "__gnu_cxx::", "__cxxabiv1::",
                                     "__pthread", "pthread_"};
  for (const char* p : kFunctions) {
    if (f.function.rfind(p, 0) == 0) return true;
  }
  return false;
}

int KindRank(const std::string& kind) {
  static const char* kOrder[] = {"deadlock", "self-deadlock", "lock-order", "race",
                                 "hang",     "misuse",        "contention"};
  for (int i = 0; i < 7; ++i) {
    if (kind == kOrder[i]) return i;
  }
  return 7;
}

bool IsAcquireOrder(uint8_t mo) {
  auto o = static_cast<trace::MemoryOrder>(mo);
  return o == trace::MemoryOrder::kConsume || o == trace::MemoryOrder::kAcquire ||
         o == trace::MemoryOrder::kAcqRel || o == trace::MemoryOrder::kSeqCst;
}
bool IsReleaseOrder(uint8_t mo) {
  auto o = static_cast<trace::MemoryOrder>(mo);
  return o == trace::MemoryOrder::kRelease || o == trace::MemoryOrder::kAcqRel ||
         o == trace::MemoryOrder::kSeqCst;
}

class Analysis {
 public:
  Analysis(EventSource& source, const AnalyzeOptions& opts)
      : source_(source),
        opts_(opts),
        race_(opts.max_races),
        order_(LockOrderOptions{opts.max_cycle_length, opts.max_cycles, opts.max_cycle_reports,
                                32}),
        monitor_(opts.max_misuse, opts.max_spans,
                 1e9 / static_cast<double>(source.Meta().ticks_per_second
                                               ? source.Meta().ticks_per_second
                                               : 1'000'000'000)),
        holds_(opts.max_misuse) {}

  Report Run() {
    // Events are read in small batches so the shadow memory of the batch's accesses can be
    // prefetched: on large traces the race detector waits on cache misses, not on work.
    constexpr size_t kBatch = 32;
    // Two batches in flight: the next batch's shadow slots are prefetched while the current
    // one is handled, so each miss has a whole batch of work to hide behind.
    StreamEvent batches[2][kBatch];
    auto prefetch = [&](const StreamEvent* b, size_t n) {
      if (!opts_.races) return;
      for (size_t i = 0; i < n; ++i) {
        auto k = b[i].kind();
        if (k == EventKind::kRead || k == EventKind::kWrite) race_.Prefetch(b[i].ev.obj);
      }
    };
    size_t cur = 0;
    size_t n = source_.NextBatch(batches[cur], kBatch);
    prefetch(batches[cur], n);
    while (n > 0) {
      size_t next_n = n == kBatch ? source_.NextBatch(batches[cur ^ 1], kBatch) : 0;
      prefetch(batches[cur ^ 1], next_n);
      const StreamEvent* batch = batches[cur];
      for (size_t i = 0; i < n; ++i) {
        const StreamEvent& e = batch[i];
        if (index_ == 0) begin_ts_ = e.ev.ts;
        end_ts_ = std::max(end_ts_, e.ev.ts);
        Handle(e);
        ++index_;
      }
      cur ^= 1;
      n = next_n;
    }
    return Finish();
  }

 private:
  // ---- threads ----
  ThreadCtx& NewThread(uint32_t tid) {
    uint32_t dense = static_cast<uint32_t>(threads_.size());
    threads_.emplace_back();
    ThreadCtx& t = threads_.back();
    t.tid = tid;
    t.dense = dense;
    auto fj = std::make_shared<VectorClock>();
    fj->Set(dense, 1);
    t.fork_join = fj;
    current_[tid] = dense;
    race_.AddThread(dense, tid);
    cached_tid_ = ~0u;
    return t;
  }
  ThreadCtx& Thread(uint32_t tid) {
    if (tid == cached_tid_) return threads_[cached_dense_];
    auto it = current_.find(tid);
    uint32_t dense = it == current_.end() ? NewThread(tid).dense : it->second;
    cached_tid_ = tid;
    cached_dense_ = dense;
    return threads_[dense];
  }
  void Start(ThreadCtx& t, uint64_t ts) {
    if (t.started) return;
    t.started = true;
    t.start_ts = ts;
  }
  void ForkEdge(ThreadCtx& parent, ThreadCtx& child) {
    race_.Fork(parent.dense, child.dense);
    auto cf = std::make_shared<VectorClock>(*child.fork_join);
    cf->Join(*parent.fork_join);
    child.fork_join = cf;
    auto pf = std::make_shared<VectorClock>(*parent.fork_join);
    pf->Tick(parent.dense);
    parent.fork_join = pf;
    child.parent = parent.tid;
    child.has_parent = true;
  }

  SideRef Side(const ThreadCtx& t, Op op, const StreamEvent& e) const {
    SideRef s;
    s.obj = e.ev.obj;
    s.site = e.ev.site;
    s.ts = e.ev.ts;
    s.index = index_;
    s.tid = t.tid;
    s.stack = t.stack;
    s.lockset = t.lockset;
    s.op = op;
    return s;
  }

  void RebuildLockset(ThreadCtx& t) {
    uint32_t node = 0;
    for (const Held& h : t.held) node = locksets_.Child(node, h.lock);
    t.lockset = node;
  }

  // ---- events ----
  // A range (aux16 = 0): `bytes` bytes of `element`-byte elements, each one access, as if
  // the accesses had not been coalesced. Very long ranges are checked on their first
  // kMaxRangeElements elements only (and a note says so): a memset of a large buffer must
  // not cost millions of shadow updates.
  void AccessRange(const ThreadCtx& t, SideRef s, bool write, uint64_t bytes, uint32_t element) {
    const uint64_t size = element ? element : 1;
    uint64_t n = (bytes + size - 1) / size;
    if (n > kMaxRangeElements) {
      n = kMaxRangeElements;
      ++ranges_cut_;
    }
    const uint64_t base = s.obj;
    s.size = static_cast<uint32_t>(size);
    for (uint64_t i = 0; i < n; ++i) {
      s.obj = base + i * size;
      race_.Access(t.dense, s, write);
    }
  }

  // The live heap block holding `addr`, if any.
  const HeapRef* HeapBlockOf(uint64_t addr) const {
    auto it = heap_.upper_bound(addr);
    if (it == heap_.begin()) return nullptr;
    --it;
    return addr < it->first + std::max<uint64_t>(it->second.size, 1) ? &it->second : nullptr;
  }

  void NoteHeapBlocks() {
    auto& found = race_.Findings();
    for (; races_named_ < found.size(); ++races_named_) {
      RawFinding& f = found[races_named_];
      if (f.vars.empty()) continue;
      if (const HeapRef* h = HeapBlockOf(f.vars[0])) f.heap = *h;
    }
  }

  // The watchdog's records come from the runtime itself (tid 0 in a binary trace), not
  // from a program thread: they must not create one.
  static bool IsRuntimeRecord(EventKind k) {
    return k == EventKind::kWatchdogFired || k == EventKind::kBlocked || k == EventKind::kHolds;
  }

  void HandleRuntime(const StreamEvent& e) {
    const trace::Event& ev = e.ev;
    switch (e.kind()) {
      case EventKind::kWatchdogFired:
        watchdog_ = true;
        if (ev.flags == static_cast<uint8_t>(trace::WatchdogReason::kAllBlocked)) {
          watchdog_all_blocked_ = true;
        }
        break;
      case EventKind::kBlocked: {
        BlockedThread b;
        b.tid = ev.aux32;
        b.obj = ev.obj;
        switch (static_cast<trace::BlockedOn>(ev.flags)) {
          case trace::BlockedOn::kLock: b.on = Pending::kLock; break;
          case trace::BlockedOn::kCond: b.on = Pending::kCond; break;
          case trace::BlockedOn::kJoin: b.on = Pending::kJoin; break;
          case trace::BlockedOn::kSem: b.on = Pending::kSem; break;
          default: b.on = Pending::kNone; break;
        }
        watchdog_blocked_.push_back(b);
        break;
      }
      case EventKind::kHolds: {
        HeldBy h;
        h.tid = ev.aux32;
        h.lock = ev.obj;
        watchdog_holds_.push_back(h);
        break;
      }
      default:
        break;
    }
  }

  void Handle(const StreamEvent& e) {
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
    switch (kind) {
      case EventKind::kRead:
      case EventKind::kWrite: {
        if (!opts_.races) break;
        SideRef s = Side(t, kind == EventKind::kRead ? Op::kRead : Op::kWrite, e);
        if (ev.aux16 != 0 || ev.seq == 0) {
          s.size = ev.aux16;
          race_.Access(t.dense, s, kind == EventKind::kWrite);
        } else {
          AccessRange(t, s, kind == EventKind::kWrite, ev.seq, ev.aux32);
        }
        // A new race: remember the heap block now, it may be freed before the end.
        if (race_.Findings().size() != races_named_) NoteHeapBlocks();
        break;
      }
      case EventKind::kFuncEntry:
        t.stack = stacks_.Child(t.stack, ev.site);
        break;
      case EventKind::kFuncExit:
        t.stack = stacks_.Parent(t.stack);
        break;
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
        if (!reentry && opts_.lock_order && !t.held.empty() &&
            !((req_flags | ev.flags) & trace::kTry) && !(ev.flags & trace::kViaCondWait)) {
          held_scratch_.clear();
          for (const Held& h : t.held) held_scratch_.push_back(h.lock);
          std::sort(held_scratch_.begin(), held_scratch_.end());
          order_.OnAcquire(t, ev.obj, s, held_scratch_);
        }
        // A new hold goes on top: extend the interned set instead of rebuilding it.
        if (monitor_.OnAcquired(t, s, shared, ev.flags)) {
          t.lockset = locksets_.Child(t.lockset, ev.obj);
        }
        if (!reentry) holds_.OnAcquired(s);
        if (opts_.races) race_.Acquire(t.dense, ev.obj, shared);
        break;
      }
      case EventKind::kLockTryFailed:
        if (t.pending.kind == Pending::kLock) t.pending = Pending{};
        break;
      case EventKind::kLockRelease: {
        SideRef s = Side(t, Op::kRelease, e);
        bool was_shared = ev.flags & trace::kShared;
        const bool innermost = !t.held.empty() && t.held.back().lock == ev.obj;
        if (monitor_.OnRelease(t, s, ev.flags & trace::kShared, &was_shared)) {
          if (innermost && locksets_.Value(t.lockset) == ev.obj) {
            t.lockset = locksets_.Parent(t.lockset);
          } else {
            RebuildLockset(t);
          }
          if (opts_.races) race_.Release(t.dense, ev.obj, was_shared);
        }
        // A condition wait holds what is left after its mutex went.
        if ((ev.flags & trace::kViaCondWait) && t.pending.kind == Pending::kCond) {
          t.pending.where.lockset = t.lockset;
          if (!t.held.empty()) holds_.OnWaitHolding(t, t.pending.where, t.pending.flags & trace::kTimed);
        }
        break;
      }
      case EventKind::kLockCreate:
        monitor_.OnCreate(ev.obj, ev.aux16);
        break;
      case EventKind::kLockDestroy:
        monitor_.OnDestroy(t, Side(t, Op::kDestroy, e));
        break;
      case EventKind::kCondWaitBegin:
        t.pending = Pending{Pending::kCond, ev.obj, Side(t, Op::kWait, e), ev.flags, false};
        break;
      case EventKind::kCondWaitEnd: {
        if (t.pending.kind == Pending::kCond) t.pending = Pending{};
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
        cond_signals_[ev.obj] = t.fork_join;
        auto fj = std::make_shared<VectorClock>(*t.fork_join);
        fj->Tick(t.dense);
        t.fork_join = fj;
        break;
      }
      case EventKind::kSemWaitBegin:
        t.pending = Pending{Pending::kSem, ev.obj, Side(t, Op::kSemWait, e), ev.flags, false};
        break;
      case EventKind::kSemWaitEnd:
        if (t.pending.kind == Pending::kSem) t.pending = Pending{};
        if (opts_.races && !(ev.flags & trace::kFailed)) race_.SyncAcquire(t.dense, ev.obj | kSemTag);
        break;
      case EventKind::kSemPost:
        if (opts_.races) race_.SyncRelease(t.dense, ev.obj | kSemTag);
        break;
      case EventKind::kAtomicLoad:
      case EventKind::kAtomicStore:
      case EventKind::kAtomicRmw: {
        if (!opts_.races) break;
        bool load = kind != EventKind::kAtomicStore, store = kind != EventKind::kAtomicLoad;
        if (load && IsAcquireOrder(ev.flags)) race_.SyncAcquire(t.dense, ev.obj | kAtomicTag);
        if (store && IsReleaseOrder(ev.flags)) race_.SyncRelease(t.dense, ev.obj | kAtomicTag);
        break;
      }
      case EventKind::kHappensBefore:
        if (opts_.races) race_.SyncRelease(t.dense, ev.obj | kAnnotationTag);
        break;
      case EventKind::kHappensAfter:
        if (opts_.races) race_.SyncAcquire(t.dense, ev.obj | kAnnotationTag);
        break;
      case EventKind::kAlloc: {
        if (!opts_.races) break;
        race_.Forget(ev.obj, ev.seq);
        // A block allocated over one never freed (free not traced) replaces it.
        auto it = heap_.lower_bound(ev.obj);
        while (it != heap_.end() && it->first < ev.obj + std::max<uint64_t>(ev.seq, 1)) {
          it = heap_.erase(it);
        }
        if (it != heap_.begin()) {
          auto prev = std::prev(it);
          if (prev->first + prev->second.size > ev.obj) heap_.erase(prev);
        }
        heap_[ev.obj] = HeapRef{ev.obj, ev.seq, ev.site, t.stack, true};
        break;
      }
      case EventKind::kFree: {
        auto it = heap_.find(ev.obj);
        if (it != heap_.end()) {
          if (opts_.races) race_.Forget(ev.obj, it->second.size);
          heap_.erase(it);
        }
        break;
      }
      case EventKind::kThreadCreate: {
        uint32_t child_tid = static_cast<uint32_t>(ev.obj);
        auto it = current_.find(child_tid);
        ThreadCtx* child = it == current_.end() || threads_[it->second].exited
                               ? &NewThread(child_tid)
                               : &threads_[it->second];
        ForkEdge(t, *child);
        forked_.insert(child->dense);
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
        t.exited = true;
        t.end_ts = ev.ts;
        break;
      case EventKind::kThreadJoinBegin:
        t.pending = Pending{Pending::kJoin, ev.obj, Side(t, Op::kJoin, e), ev.flags, false};
        break;
      case EventKind::kThreadJoin: {
        if (t.pending.kind == Pending::kJoin) t.pending = Pending{};
        if (ev.flags & trace::kFailed) break;
        auto it = current_.find(static_cast<uint32_t>(ev.obj));
        if (it == current_.end()) break;
        ThreadCtx& child = threads_[it->second];
        if (opts_.races) race_.Join(t.dense, child.dense);
        auto jf = std::make_shared<VectorClock>(*t.fork_join);
        jf->Join(*child.fork_join);
        t.fork_join = jf;
        if (!child.exited) {
          child.exited = true;
          child.end_ts = ev.ts;
        }
        break;
      }
      case EventKind::kNameThread:
        thread_names_[static_cast<uint32_t>(ev.obj)] = std::string(source_.String(ev.aux32));
        break;
      case EventKind::kNameLock:
        object_names_[ev.obj] = std::string(source_.String(ev.aux32));
        break;
      case EventKind::kNameVariable:
        // aux16 = 0: a range of seq bytes.
        var_names_[ev.obj] = {ev.aux16 ? ev.aux16 : ev.seq, std::string(source_.String(ev.aux32))};
        break;
      default:
        break;
    }
  }

  // ---- end of trace ----
  void FindBlockedState(std::vector<RawFinding>& raw, std::vector<std::string>& notes) {
    std::vector<BlockedThread> blocked;
    std::vector<HeldBy> holds;
    std::set<uint32_t> listed;
    auto live = [&](uint32_t tid) -> ThreadCtx* {
      auto it = current_.find(tid);
      return it == current_.end() ? nullptr : &threads_[it->second];
    };
    // The watchdog's records are authoritative; the open requests of the trace fill in
    // where they were made (and stand alone when there was no watchdog).
    for (BlockedThread b : watchdog_blocked_) {
      if (!listed.insert(b.tid).second) continue;
      if (ThreadCtx* t = live(b.tid); t && t->pending.kind != Pending::kNone) {
        b.where = t->pending.where;
        b.has_where = true;
      }
      blocked.push_back(b);
    }
    for (const ThreadCtx& t : threads_) {
      if (t.exited || t.pending.kind == Pending::kNone || current_[t.tid] != t.dense) continue;
      if (!listed.insert(t.tid).second) continue;
      BlockedThread b;
      b.tid = t.tid;
      b.on = t.pending.kind;
      b.obj = t.pending.obj;
      b.where = t.pending.where;
      b.has_where = true;
      blocked.push_back(b);
    }
    std::set<std::pair<uint32_t, uint64_t>> held_listed;
    for (HeldBy h : watchdog_holds_) {
      if (ThreadCtx* t = live(h.tid)) {
        for (const Held& x : t->held) {
          if (x.lock == h.lock) {
            h.acquired = x.acquired;
            h.has_acquired = true;
          }
        }
      }
      held_listed.insert({h.tid, h.lock});
      holds.push_back(h);
    }
    for (const ThreadCtx& t : threads_) {
      if (current_[t.tid] != t.dense) continue;
      for (const Held& x : t.held) {
        if (!held_listed.insert({t.tid, x.lock}).second) continue;
        holds.push_back(HeldBy{t.tid, x.lock, x.acquired, true});
      }
    }
    if (blocked.empty()) return;
    for (const BlockedThread& b : blocked) {
      if (ThreadCtx* t = live(b.tid)) t->blocked_at_end = true;
    }
    auto recursive = [&](uint64_t lock) {
      auto it = monitor_.Locks().find(lock);
      return it != monitor_.Locks().end() &&
             it->second.type == static_cast<uint16_t>(trace::LockType::kRecursive);
    };
    // Nobody left to wake a waiter: every live thread is blocked (or the watchdog said so).
    bool nobody_running = watchdog_all_blocked_;
    if (!nobody_running) {
      nobody_running = true;
      for (const ThreadCtx& t : threads_) {
        if (current_[t.tid] != t.dense || !t.started || t.exited) continue;
        if (!listed.count(t.tid)) nobody_running = false;
      }
    }
    std::set<uint32_t> accounted;
    for (RawFinding& f : FindBlocked(blocked, holds, recursive, nobody_running, &accounted)) {
      // A self-deadlock seen at its request is already reported: what waits behind it
      // joins that finding.
      if (f.kind == "self-deadlock" && monitor_.SelfDeadlockReported(f.tids[0], f.locks[0])) {
        if (!f.waiters.empty()) {
          self_waiters_[{f.tids[0], f.locks[0]}] = std::move(f.waiters);
        }
        continue;
      }
      raw.push_back(std::move(f));
    }
    if (!nobody_running) {
      for (const BlockedThread& b : blocked) {
        if (b.on == Pending::kLock || b.on == Pending::kNone || accounted.count(b.tid)) continue;
        notes.push_back(ThreadName(b.tid) + " was still waiting on " +
                        (b.on == Pending::kJoin ? "thread " + ThreadName(static_cast<uint32_t>(b.obj))
                                                : ObjectName(b.obj)) +
                        " when the trace ended; other threads were still running, so it is "
                        "not reported as a hang");
      }
    }
  }

  // ---- naming ----
  std::string ThreadName(uint32_t tid) const {
    auto it = thread_names_.find(tid);
    if (it != thread_names_.end() && !it->second.empty()) return it->second;
    return "T" + std::to_string(tid);
  }

  Symbolizer* Sym() {
    if (!opts_.symbolize) return nullptr;
    if (opts_.symbolizer) return opts_.symbolizer;
    if (!symbolizer_) symbolizer_ = MakeSymbolizer(source_.Modules());
    return symbolizer_.get();
  }

  // The frames of one site, innermost first: one, or several where the compiler inlined
  // calls at a pc (a lock call inlined through std::mutex::lock into the user's function).
  const Stack& FramesOf(uint64_t site) {
    auto it = frames_.find(site);
    if (it != frames_.end()) return it->second;
    Stack frames;
    if (site & trace::kSiteIsString) {
      Frame f;
      std::string s(source_.String(static_cast<uint32_t>(site)));
      size_t colon = s.rfind(':');
      bool has_line = colon != std::string::npos && colon + 1 < s.size() &&
                      std::all_of(s.begin() + colon + 1, s.end(), ::isdigit);
      if (has_line) {
        f.file = s.substr(0, colon);
        f.line = std::atoi(s.c_str() + colon + 1);
      } else {
        f.function = s;
      }
      frames.push_back(std::move(f));
    } else if (site != 0) {
      if (Symbolizer* sym = Sym()) frames = sym->ResolveCodeInlined(site);
      if (frames.empty()) {
        Frame f;
        f.pc = site;
        frames.push_back(std::move(f));
      }
    } else {
      frames.emplace_back();
    }
    return frames_.emplace(site, std::move(frames)).first->second;
  }

  Stack StackOf(uint64_t site, uint32_t node) {
    Stack s;
    auto append = [&](uint64_t pc) {
      const Stack& f = FramesOf(pc);
      s.insert(s.end(), f.begin(), f.end());
    };
    if (site != 0) append(site);
    for (uint64_t pc : stacks_.Values(node)) append(pc);
    return s;
  }

  // The innermost frame of the user's code (outside the system headers and the standard
  // library), else the innermost frame that names a function, else the site's own.
  Frame UserFrame(uint64_t site, uint32_t node) {
    Stack s = StackOf(site, node);
    for (const Frame& f : s) {
      if (!f.function.empty() && !IsSystemFrame(f)) return f;
    }
    for (const Frame& f : s) {
      if (!f.function.empty()) return f;
    }
    return s.empty() ? Frame{} : s.front();
  }

  // Function of the innermost user frame that names one, for fallback names.
  std::string FunctionOf(uint64_t site, uint32_t node) { return UserFrame(site, node).function; }

  std::string ObjectName(uint64_t obj) {
    auto it = object_names_.find(obj);
    if (it != object_names_.end() && !it->second.empty()) return it->second;
    auto cached = fallback_names_.find(obj);
    if (cached != fallback_names_.end()) return cached->second;
    std::string name;
    if (Symbolizer* sym = Sym(); sym && source_.Meta().format != "std") {
      name = sym->ResolveData(obj);
    }
    if (name.empty()) {
      auto l = monitor_.Locks().find(obj);
      bool rw = l != monitor_.Locks().end() &&
                l->second.type == static_cast<uint16_t>(trace::LockType::kRwLock);
      std::string fn;
      if (l != monitor_.Locks().end() && l->second.acquired_ever) {
        fn = FunctionOf(l->second.first_acquire.site, l->second.first_acquire.stack);
      }
      name = (rw ? "rwlock@" : "mutex@") + Hex(obj);
      if (!fn.empty()) {
        name = std::string(rw ? "rwlock" : "lock") + " first taken in " + fn;
        // Two locks first taken in the same function need distinct names.
        if (!fallback_used_.insert(name).second) name += " (" + Hex(obj) + ")";
      }
    }
    fallback_names_[obj] = name;
    return name;
  }

  // "heap block of 24 bytes allocated at make_table() table.cc:12 (+8)".
  std::string HeapName(const HeapRef& h, uint64_t addr) {
    std::string where;
    Frame f = UserFrame(h.site, h.stack);
    if (f.file.empty()) {
      // The function from the stack, the line from the allocating call itself.
      for (const Frame& s : FramesOf(h.site)) {
        if (!s.file.empty()) {
          f.file = s.file;
          f.line = s.line;
          break;
        }
      }
    }
    if (!f.function.empty()) where = f.function;
    if (!f.file.empty()) {
      size_t slash = f.file.rfind('/');
      std::string file = slash == std::string::npos ? f.file : f.file.substr(slash + 1);
      where += (where.empty() ? "" : " ") + file + (f.line ? ":" + std::to_string(f.line) : "");
    }
    if (where.empty()) where = Hex(h.site ? h.site : h.base);
    std::string name = "heap block of " + std::to_string(h.size) + " byte" +
                       (h.size == 1 ? "" : "s") + " allocated at " + where;
    if (addr != h.base) name += " (+" + std::to_string(addr - h.base) + ")";
    return name;
  }

  std::string VariableName(uint64_t addr, const HeapRef* heap = nullptr) {
    auto it = var_names_.upper_bound(addr);
    if (it != var_names_.begin()) {
      --it;
      uint64_t size = std::max<uint64_t>(it->second.first, 1);
      if (addr < it->first + size) {
        if (addr == it->first) return it->second.second;
        return it->second.second + "+" + std::to_string(addr - it->first);
      }
    }
    if (Symbolizer* sym = Sym(); sym && source_.Meta().format != "std") {
      std::string n = sym->ResolveData(addr);
      if (!n.empty()) return n;
    }
    if (heap && heap->valid) return HeapName(*heap, addr);
    return Hex(addr);
  }

  std::vector<std::string> LocksetNames(uint32_t node) {
    std::vector<std::string> out;
    std::vector<uint64_t> locks = locksets_.Values(node);
    for (auto it = locks.rbegin(); it != locks.rend(); ++it) out.push_back(ObjectName(*it));
    return out;
  }

  Access Materialize(const SideRef& s, bool is_variable) {
    Access a;
    a.thread = ThreadName(s.tid);
    a.tid = s.tid;
    a.op = s.shared && (s.op == Op::kAcquire || s.op == Op::kRequest)
               ? std::string(OpName(s.op)) + "-shared"
               : OpName(s.op);
    if (s.op == Op::kJoin) a.object = ThreadName(static_cast<uint32_t>(s.obj));
    else if (is_variable) a.object = VariableName(s.obj);
    else a.object = ObjectName(s.obj);
    a.address = s.op == Op::kJoin ? 0 : s.obj;
    a.size = s.size;
    a.atomic = s.atomic;
    a.stack = StackOf(s.site, s.stack);
    a.held = LocksetNames(s.lockset);
    a.ts = s.ts;
    a.event_index = s.index;
    return a;
  }

  static std::string Join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += sep;
      out += v[i];
    }
    return out;
  }

  static void AddUnique(std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  }

  Finding Name(const RawFinding& r) {
    Finding f;
    f.kind = r.kind;
    f.severity = r.severity;
    f.subkind = r.subkind;
    f.detail = r.detail;
    f.contention = r.contention;
    const bool race = r.kind == "race";
    for (const SideRef& s : r.sides) f.accesses.push_back(Materialize(s, race));
    for (uint32_t tid : r.tids) AddUnique(f.threads, ThreadName(tid));
    for (uint64_t l : r.locks) AddUnique(f.locks, ObjectName(l));
    for (uint64_t v : r.vars) AddUnique(f.variables, VariableName(v, &r.heap));
    if (race && r.heap.valid && !r.vars.empty()) {
      for (Access& a : f.accesses) {
        if (a.address == r.vars[0]) a.object = f.variables.back();
      }
    }
    // Threads stuck behind a (self-)deadlock: listed, and for a deadlock also as sides.
    for (const SideRef& w : r.waiters) {
      Access a = Materialize(w, false);
      f.detail += std::string(f.detail.empty() ? "" : " ") + a.thread + " waits " +
                  (w.op == Op::kJoin ? "for thread " + a.object + " to end"
                                     : "for " + a.object) +
                  ", so it is stuck too.";
      if (r.kind == "deadlock") f.accesses.push_back(std::move(a));
    }
    for (const RawEdge& e : r.cycle) {
      CycleEdge c;
      if (r.wait_for) {
        c.from = ThreadName(static_cast<uint32_t>(e.from));
        c.to = ThreadName(static_cast<uint32_t>(e.to));
      } else {
        c.from = ObjectName(e.from);
        c.to = ObjectName(e.to);
      }
      c.thread = ThreadName(e.tid);
      c.tid = e.tid;
      c.from_site = Materialize(e.from_site, false);
      c.to_site = Materialize(e.to_site, false);
      f.cycle.push_back(std::move(c));
    }
    Title(f);
    f.fingerprint = FingerprintOf(f);
    return f;
  }

  void Title(Finding& f) {
    const auto& a = f.accesses;
    if (f.kind == "race" && a.size() >= 2) {
      f.title = "data race on " + (f.variables.empty() ? a[1].object : f.variables[0]) + ": " +
                a[1].op + " by " + a[1].thread + " vs earlier " + a[0].op + " by " +
                a[0].thread;
    } else if (f.kind == "lock-order") {
      std::vector<std::string> locks;
      for (const CycleEdge& e : f.cycle) locks.push_back(e.from);
      if (!f.cycle.empty()) locks.push_back(f.cycle.front().from);
      f.title = std::string(f.severity == Severity::kError ? "potential deadlock"
                                                            : "inconsistent lock order") +
                ": lock-order cycle " + Join(locks, " -> ") + " (threads " +
                Join(f.threads, ", ") + ")";
    } else if (f.kind == "deadlock") {
      std::vector<std::string> parts;
      for (const CycleEdge& e : f.cycle) {
        parts.push_back(e.from + " waits for " +
                        (e.from_site.op == "acquire" ? e.from_site.object + " held by " : "") +
                        e.to);
      }
      f.title = "deadlock: " + Join(parts, "; ");
      if (a.size() > f.cycle.size()) {
        size_t more = a.size() - f.cycle.size();
        f.title += " (" + std::to_string(more) + " more thread" + (more > 1 ? "s" : "") +
                   " stuck behind it)";
      }
    } else if (f.kind == "self-deadlock" && !a.empty()) {
      f.title = "self-deadlock: " + a[0].thread + " requests " + a[0].object +
                ", which it already holds";
    } else if (f.kind == "hang" && !a.empty()) {
      std::string what = f.subkind == "cond"   ? "condition variable " + a[0].object
                         : f.subkind == "join" ? "thread " + a[0].object + " to end"
                         : f.subkind == "lock" ? "lock " + a[0].object + ", whose holder exited"
                                               : "semaphore " + a[0].object;
      f.title = "hang: " + a[0].thread + " blocked forever waiting on " + what;
      if (a.size() > 1) {
        f.title += " (" + std::to_string(a.size() - 1) + " more thread" +
                   (a.size() > 2 ? "s" : "") + " stuck behind it)";
      }
    } else if (f.kind == "misuse" && !a.empty()) {
      const std::string lock = f.locks.empty() ? a[0].object : f.locks[0];
      if (f.subkind == "unlock-not-held") {
        f.title = "unlock of " + lock + ", which " + a[0].thread + " does not hold";
      } else if (f.subkind == "unlock-not-owner") {
        f.title = a[0].thread + " unlocks " + lock + ", which another thread holds";
      } else if (f.subkind == "held-at-exit") {
        f.title = a[0].thread + " exits holding " + lock;
      } else if (f.subkind == "wait-holding-lock" && a.size() >= 3) {
        if (a.size() >= 4) {
          f.title = std::string(f.severity == Severity::kError ? "potential deadlock: " : "") +
                    a[0].thread + " waits on " + a[0].object + " holding " + lock + ", which " +
                    a[2].thread + " takes before it notifies " + a[0].object;
          f.detail = "If " + a[0].thread + " waits first, " + a[2].thread + " blocks on " +
                     lock + " and never sends the notification that would wake " +
                     a[0].thread + " (nested monitor lockout). Release " + lock +
                     " before waiting, or wait on a condition variable of " + lock + ".";
        } else {
          f.title = a[0].thread + " waits on " + a[0].object + " holding " + lock + ", which " +
                    a[2].thread + " also takes";
          f.detail = a[2].thread + " stalls on " + lock + " for as long as " + a[0].thread +
                     " sleeps; if the notification never comes, it never gets " + lock + ".";
        }
      } else {
        f.title = lock + " destroyed while locked";
      }
    } else if (f.kind == "contention" && f.contention) {
      const ContentionStats& c = *f.contention;
      f.title = "contention on " + (f.locks.empty() ? std::string("?") : f.locks[0]) + ": " +
                std::to_string(c.contended) + " of " + std::to_string(c.acquisitions) +
                " acquisitions waited";
    } else {
      f.title = f.kind;
    }
  }

  Report Finish() {
    Report rep;
    const TraceMeta& meta = source_.Meta();
    rep.trace = meta.path;
    rep.program = meta.program;
    rep.events = index_;
    rep.ticks_per_second = meta.ticks_per_second;
    rep.begin_ticks = begin_ts_;
    rep.end_ticks = end_ts_;
    rep.watchdog = meta.watchdog || watchdog_;
    rep.complete = meta.complete;
    rep.warnings = source_.Warnings();

    std::vector<RawFinding> raw = race_.TakeFindings();
    if (ranges_cut_ > 0) {
      rep.notes.push_back("race: " + std::to_string(ranges_cut_) + " range access" +
                          (ranges_cut_ > 1 ? "es" : "") + " longer than " +
                          std::to_string(kMaxRangeElements) +
                          " elements were checked on their first " +
                          std::to_string(kMaxRangeElements) + " elements only");
    }
    if (race_.truncated()) {
      rep.notes.push_back("race: reported the first " + std::to_string(opts_.max_races) +
                          " distinct races only");
    }
    if (opts_.lock_order) {
      for (RawFinding& f : order_.Find(rep.notes)) raw.push_back(std::move(f));
    }
    FindBlockedState(raw, rep.notes);
    for (RawFinding& f : monitor_.TakeFindings()) {
      if (f.kind == "contention" && !opts_.contention) continue;
      if (f.kind == "self-deadlock") {
        auto w = self_waiters_.find({f.tids[0], f.locks[0]});
        if (w != self_waiters_.end()) {
          for (const SideRef& s : w->second) f.tids.push_back(s.tid);
          f.waiters = std::move(w->second);
        }
      }
      raw.push_back(std::move(f));
    }
    for (RawFinding& f : holds_.TakeFindings()) raw.push_back(std::move(f));
    if (holds_.truncated()) {
      rep.notes.push_back("misuse: reported the first " + std::to_string(opts_.max_misuse) +
                          " locks held across condition waits only");
    }
    if (monitor_.misuse_truncated()) {
      rep.notes.push_back("misuse: reported the first " + std::to_string(opts_.max_misuse) +
                          " only");
    }
    std::stable_sort(raw.begin(), raw.end(), [](const RawFinding& a, const RawFinding& b) {
      if (a.severity != b.severity) return a.severity < b.severity;
      int ka = KindRank(a.kind), kb = KindRank(b.kind);
      if (ka != kb) return ka < kb;
      return a.sort_key < b.sort_key;
    });
    for (const RawFinding& r : raw) rep.findings.push_back(Name(r));

    for (const ThreadCtx& t : threads_) {
      ThreadInfo ti;
      ti.tid = t.tid;
      ti.name = ThreadName(t.tid);
      ti.parent = t.has_parent ? t.parent : 0;
      ti.start = t.start_ts;
      ti.end = t.exited ? t.end_ts : end_ts_;
      ti.blocked_at_end = t.blocked_at_end;
      rep.threads.push_back(std::move(ti));
    }
    std::vector<std::pair<uint64_t, const LockState*>> locks;
    for (const auto& [addr, st] : monitor_.Locks()) locks.push_back({addr, &st});
    std::sort(locks.begin(), locks.end(), [](const auto& a, const auto& b) {
      return a.second->first_acquire.index != b.second->first_acquire.index
                 ? a.second->first_acquire.index < b.second->first_acquire.index
                 : a.first < b.first;
    });
    for (const auto& [addr, st] : locks) {
      LockInfo li;
      li.name = ObjectName(addr);
      li.address = addr;
      switch (static_cast<trace::LockType>(st->type)) {
        case trace::LockType::kNormal: li.type = "normal"; break;
        case trace::LockType::kRecursive: li.type = "recursive"; break;
        case trace::LockType::kErrorCheck: li.type = "errorcheck"; break;
        case trace::LockType::kRwLock: li.type = "rwlock"; break;
        case trace::LockType::kSpin: li.type = "spin"; break;
        default: li.type = "unknown"; break;
      }
      rep.locks.push_back(std::move(li));
    }
    for (const auto& g : order_.Graph()) {
      LockOrderEdge e;
      e.from = ObjectName(g.from);
      e.to = ObjectName(g.to);
      for (uint32_t tid : g.tids) e.threads.push_back(ThreadName(tid));
      e.from_site = Materialize(g.from_site, false);
      e.to_site = Materialize(g.to_site, false);
      e.count = g.count;
      rep.lock_order.push_back(std::move(e));
    }
    // Holds still open at the end run to the end of the trace.
    for (const ThreadCtx& t : threads_) {
      for (const Held& h : t.held) {
        monitor_.Spans().push_back(
            RawSpan{t.tid, h.lock, static_cast<uint8_t>(h.shared ? 2 : 0), h.acquired.ts,
                    end_ts_});
      }
      if (t.pending.kind == Pending::kLock) {
        monitor_.Spans().push_back(RawSpan{t.tid, t.pending.obj, 1, t.pending.where.ts, end_ts_});
      }
    }
    size_t kept = std::min(monitor_.Spans().size(), opts_.max_spans);
    for (size_t i = 0; i < kept; ++i) {
      const RawSpan& s = monitor_.Spans()[i];
      Span sp;
      sp.tid = s.tid;
      sp.object = ObjectName(s.obj);
      sp.kind = s.kind == 0 ? "hold" : s.kind == 1 ? "wait" : "hold-shared";
      sp.begin = s.begin;
      sp.end = s.end;
      rep.spans.push_back(std::move(sp));
    }
    rep.spans_truncated = monitor_.spans_truncated() || monitor_.Spans().size() > kept;
    if (meta.format == "std") {
      rep.notes.push_back("STD trace: timestamps are line numbers, so wait and hold times "
                          "count trace lines, not nanoseconds");
    }
    return rep;
  }

  EventSource& source_;
  AnalyzeOptions opts_;
  RaceDetector race_;
  LockOrderDetector order_;
  LockMonitor monitor_;
  CondHoldDetector holds_;
  std::deque<ThreadCtx> threads_;  // a deque: references stay valid as threads are added
  std::unordered_map<uint32_t, uint32_t> current_;  // tid -> dense index of its live thread
  std::set<uint32_t> forked_;
  uint32_t cached_tid_ = ~0u, cached_dense_ = 0;
  PathTable stacks_, locksets_;
  std::vector<uint64_t> held_scratch_;
  std::map<uint64_t, HeapRef> heap_;  // live heap blocks by address (erased on free)
  size_t races_named_ = 0;           // race findings already given their heap block
  std::unordered_map<uint64_t, std::shared_ptr<const VectorClock>> cond_signals_;
  std::unordered_map<uint32_t, std::string> thread_names_;
  std::unordered_map<uint64_t, std::string> object_names_;
  std::map<uint64_t, std::pair<uint64_t, std::string>> var_names_;
  std::unordered_map<uint64_t, std::string> fallback_names_;
  std::set<std::string> fallback_used_;
  std::unordered_map<uint64_t, Stack> frames_;
  std::unique_ptr<Symbolizer> symbolizer_;
  std::vector<BlockedThread> watchdog_blocked_;
  std::map<std::pair<uint32_t, uint64_t>, std::vector<SideRef>> self_waiters_;
  std::vector<HeldBy> watchdog_holds_;
  bool watchdog_ = false;
  bool watchdog_all_blocked_ = false;
  uint64_t index_ = 0, begin_ts_ = 0, end_ts_ = 0;
  uint64_t ranges_cut_ = 0;
};

// A heap block's name carries its size, line and offset, which vary from run to run and
// edit to edit; its fingerprint key is the allocating function (else file) only.
constexpr const char* kHeapPrefix = "heap block of ";
std::string HeapKey(const std::string& name) {
  const std::string at = " allocated at ";
  size_t p = name.find(at);
  if (p == std::string::npos) return "heap";
  std::string where = name.substr(p + at.size());
  size_t off = where.rfind(" (+");
  if (off != std::string::npos) where.resize(off);
  // Drop the trailing "file.cc:12" (or keep the file alone when no function was known).
  size_t sp = where.rfind(' ');
  std::string last = sp == std::string::npos ? where : where.substr(sp + 1);
  size_t colon = last.rfind(':');
  bool file_line = colon != std::string::npos && colon + 1 < last.size() &&
                   std::all_of(last.begin() + colon + 1, last.end(), ::isdigit);
  if (file_line) where = sp == std::string::npos ? last.substr(0, colon) : where.substr(0, sp);
  if (where.rfind("0x", 0) == 0) return "heap";
  return "heap@" + where;
}

// Names that carry an address are not stable across runs; fingerprints skip them.
bool Unstable(const std::string& name) {
  return name.empty() || name.rfind("0x", 0) == 0 || name.find("@0x") != std::string::npos ||
         name.find("(0x") != std::string::npos;
}

}  // namespace

std::string FingerprintOf(const Finding& f) {
  std::vector<std::string> parts;
  for (const Access& a : f.accesses) {
    // The user's function: the first frame outside the system headers and the standard
    // library (a lock inlined through std::mutex::lock names worker(), not std::mutex::lock).
    const Frame* named = nullptr;
    for (const Frame& fr : a.stack) {
      if (fr.function.empty()) continue;
      if (!IsSystemFrame(fr)) {
        named = &fr;
        break;
      }
      if (!named) named = &fr;
    }
    if (named) parts.push_back("fn:" + named->function);
  }
  for (const std::string& l : f.locks) {
    if (!Unstable(l)) parts.push_back("lock:" + l);
  }
  for (const std::string& v : f.variables) {
    if (v.rfind(kHeapPrefix, 0) == 0) parts.push_back("var:" + HeapKey(v));
    else if (!Unstable(v)) parts.push_back("var:" + v);
  }
  // What a hung thread waits on (a condition variable, semaphore or thread) is no lock.
  if (f.kind == "hang" && !f.accesses.empty() && f.subkind != "join" &&
      !Unstable(f.accesses[0].object)) {
    parts.push_back("obj:" + f.accesses[0].object);
  }
  // Sorted: the same whichever thread came first or where the cycle starts.
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  std::string key = f.kind + "|" + f.subkind;
  for (const std::string& p : parts) key += "|" + p;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, Fnv1a(key));
  return buf;
}

Report Analyze(EventSource& source, const AnalyzeOptions& options) {
  return Analysis(source, options).Run();
}

Report AnalyzeFile(const std::string& path, const AnalyzeOptions& options) {
  std::unique_ptr<EventSource> source = OpenTrace(path);
  return Analyze(*source, options);
}

}  // namespace threadlens
