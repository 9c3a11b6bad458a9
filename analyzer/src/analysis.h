// The analysis driver: one pass over the merged event stream. It keeps per-thread state
// (shadow stacks, held locks, what a thread is blocked on), feeds the happens-before engine,
// the race detector and the lock detectors, and at the end assembles the Report.
// analysis_events.cc handles the stream (analysis_memory.cc its memory events);
// analysis_finish.cc the end of the trace.
#pragma once

#include <array>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analysis_types.h"
#include "flat_map.h"
#include "blocked_state.h"
#include "cond_holds.h"
#include "hang_explain.h"
#include "clock_slots.h"
#include "hb_engine.h"
#include "lock_monitor.h"
#include "lock_order.h"
#include "namer.h"
#include "predict_lifetimes.h"
#include "predict_trace.h"
#include "race_detector.h"
#include "signal_checks.h"
#include "thread_lifecycle.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"

namespace threadlens::analysis {

class Analysis {
 public:
  Analysis(EventSource& source, const AnalyzeOptions& opts)
      : source_(source),
        opts_(opts),
        race_(hb_, opts.max_races, RaceWorkers(opts, source)),
        order_(LockOrderOptions{opts.max_cycle_length, opts.max_cycles, opts.max_cycle_reports,
                                32}),
        monitor_(opts.max_misuse, opts.max_spans,
                 1e9 / static_cast<double>(source.Meta().ticks_per_second
                                               ? source.Meta().ticks_per_second
                                               : 1'000'000'000)),
        holds_(opts.max_misuse),
        namer_(source, opts_, stacks_, locksets_, monitor_.Locks()),
        std_trace_(source.Meta().format == "std") {
    hb_.SameThreadStoresContinue(opts_.cxx11_release_sequences);
    if (opts_.predict) {
      predict_ = std::make_unique<PredictTrace>();
      predict_->SetGranular(!std_trace_);
      // The model's limit from the environment (0: none), for the commands that predict.
      if (const char* env = std::getenv("THREADLENS_PREDICT_EVENTS"); env && *env) {
        opts_.max_predict_events = std::strtoull(env, nullptr, 10);
      }
    }
    monitor_.SetHoldDropper([this](uint32_t tid, uint64_t lock) { return DropHold(tid, lock); });
    namer_.SetHeapLookup([this](uint64_t addr) { return race_.BlockAt(addr); });
    // A lock first taken while a heap block held it is named after that block's field, also
    // once a later block took the memory.
    race_.SetCallSites(&stacks_);
    race_.SetBlockReplaced([this](const HeapRef& old, const HeapRef& by) {
      monitor_.ForEachTakenIn(old.base, old.Extent(), [&](uint64_t lock, const LockState& st) {
        const uint64_t first = st.first_acquire.index;
        if (old.index < first && first < by.index) namer_.NoteFirstBlock(lock, old);
      });
    });
    monitor_.SetFirstTaken([this](const SideRef& s) { NoteSyncOnStack(s.obj, s); });
    race_.SetStackOwner([this](uint64_t addr, uint64_t ts, uint64_t index) {
      return StackOwnerAt(addr, ts, index);
    });
    race_.SetRemapped([this](uint64_t addr, uint64_t ts, bool ordered, uint64_t freed) {
      return Remapped(addr, ts, ordered, freed);
    });
    race_.SetStackGone([this](uint64_t addr, uint64_t ts, uint64_t alloc_ts) {
      return namer_.Stacks().EndedBetween(addr, ts, alloc_ts);
    });
    // An unmodified program's trace has no accesses: its only memory events (the bytes of
    // locks and descriptors) would race where invisible atomics synchronize.
    if (opts_.races && source.Meta().uninstrumented) {
      opts_.races = false;
      races_skipped_ = true;
    }
    FindOpenMPRuntime(source);
  }

  Report Run();
  // Worker threads for the race detector's shadow shards (none when races are off).
  static unsigned RaceWorkers(const AnalyzeOptions& opts, EventSource& source);

 private:
  // ---- threads (analysis_events.cc) ----
  ThreadCtx& NewThread(uint32_t tid);
  // Most events are the same thread's as the one before: that one is kept at hand.
  ThreadCtx& Thread(uint32_t tid) { return tid == cached_tid_ ? *cached_ : ThreadSlow(tid); }
  ThreadCtx& ThreadSlow(uint32_t tid);
  void Start(ThreadCtx& t, uint64_t ts);
  void ForkEdge(ThreadCtx& parent, ThreadCtx& child, uint64_t site = 0);
  // Inline: a memory access's side is built in registers and handed on without a trip
  // through memory (a load of two fields stored apart waits for the stores to retire).
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
  // The thread whose stack holds `addr` at time `ts`, placed where it was at stream
  // position `index` (call path, a pc in its innermost frame); tid 0 when not known.
  SideRef StackOwnerAt(uint64_t addr, uint64_t ts, uint64_t index);
  // With races: a function entry or exit, out of Handle's line (analysis without races
  // reads none of it; analysis_memory.cc).
  void EnterFrame(ThreadCtx& t, const trace::Event& ev);
  void ExitFrame(ThreadCtx& t, uint64_t resume);
  // Thread t's call path just changed: a mark (inline, for every entry and exit).
  void MarkFrames(ThreadCtx& t) {
    if (t.marks.size() >= t.marks_pruned_at) PruneMarks(t);
    t.marks.push_back({index_ + 1, 0, t.stack});
    t.mark_wants_pc = true;
  }
  void PruneMarks(ThreadCtx& t);
  // Thread t ended: its marks go once every race on an access before its end is reported.
  void DropMarksAfter(ThreadCtx& t);
  void RebuildLockset(ThreadCtx& t);
  // Thread t ended and was detached (in either order).
  void Ended(ThreadCtx& t);
  // Thread t's fork/join clock gets a slot of its own if it has none yet.
  void OwnForkJoin(ThreadCtx& t);
  // Ends live thread `tid`'s hold of `lock` (another thread unlocked it) and returns it.
  std::optional<Held> DropHold(uint32_t tid, uint64_t lock);

  // ---- events (analysis_events.cc) ----
  void Handle(const StreamEvent& e);
  void HandleRuntime(const StreamEvent& e);
  void HandleMemory(ThreadCtx& t, const StreamEvent& e);
  void HandleHeap(ThreadCtx& t, const StreamEvent& e);
  // The fork of `key` reached the child (process `child`): the parent's heap is its too.
  void Forked(uint64_t key, ThreadCtx& child);
  // The process at `index` ended (exit or exec): its heap blocks are gone.
  void ProcessEnded(uint32_t index);
  // The live heap blocks (base, usable size) in [from, from + span): a process's, by its tag.
  std::vector<std::pair<uint64_t, uint64_t>> LiveBlocksIn(uint64_t from, uint64_t span) const;
  void InheritLocks(const std::vector<Held>& held, uint32_t parent, uint32_t child,
                    ThreadCtx& t);
  void HandleLock(ThreadCtx& t, const StreamEvent& e);
  // A descriptor's file lock taken or given up: an edge of the lock-order graph, no more.
  void HandleFileLock(ThreadCtx& t, const StreamEvent& e);
  // The locks t holds for the lock-order graph: its traced ones and its file locks, in the
  // order it took them (held_all_ when it holds file locks); held_scratch_ gets them sorted.
  const std::vector<Held>& HeldForOrder(const ThreadCtx& t);
  // `lockset` (t's traced locks held) with t's file locks added: what its side says it holds.
  uint32_t WithFileLocks(const ThreadCtx& t, uint32_t lockset);
  void HandleThread(ThreadCtx& t, const StreamEvent& e);
  // A synchronization object's own bytes: lock operations read them (atomically), init and
  // destroy write them, so a destroy racing a use is a race.
  void SyncObjectAccess(const ThreadCtx& t, const StreamEvent& e, uint64_t size, bool write);
  // A synchronization object used (side `s`) on a thread's stack: the namer learns that
  // thread's frames then, which place the local variable that holds it.
  void NoteSyncOnStack(uint64_t obj, const SideRef& s);
  // Whether to look for synchronization object `obj` on a thread's stack: at its first use,
  // for the first kStackLooks objects.
  bool FirstLookOnStack(uint64_t obj);
  // `t` just released `mutex` to wait on its pending condition variable (cond_mutex.cc).
  void CondWaitMutex(ThreadCtx& t, uint64_t mutex);

  // ---- prediction (analysis_predict.cc) ----
  void RecordPredict(const ThreadCtx& t, const StreamEvent& e);
  void RecordAccess(const ThreadCtx& t, const StreamEvent& e, PredictTrace::Op op, bool atomic);
  void RecordPredict(const ThreadCtx& t, PredictTrace::Op op, uint64_t obj, uint64_t site,
                     bool shared = false, bool atomic = false, bool blocking = true,
                     bool after_wake = false, uint16_t life = 0, bool part = false);
  // Checks each lock-order cycle for a sync-preserving deadlock (predict_deadlock.h).
  void PredictDeadlocks(std::vector<RawFinding>& cycles, std::vector<std::string>& notes);
  // Adds the races happens-before did not report: sync-preserving ones (predict_race.h), then
  // WCP candidates a schedule proves (predict_wcp.h, predict_schedule.h);
  // analysis_predict_race.cc.
  void PredictRaces(std::vector<RawFinding>& raw, std::vector<std::string>& notes);
  // Adds lost notifications and deadlocks through a condition wait (predict_comm.h).
  void PredictCommunication(std::vector<RawFinding>& raw, std::vector<std::string>& notes);
  // Adds sem_waits that block forever in a reordering, as hangs or deadlocks (predict_sem.h).
  void PredictSemaphores(std::vector<RawFinding>& raw, std::vector<std::string>& notes);

  // ---- end of trace (analysis_finish.cc) ----
  void FindBlockedState(std::vector<RawFinding>& raw, std::vector<std::string>& notes);
  // Sets BlockedThread::process of the waits for a child process (blocked_state.h).
  void ResolveProcessWaits(std::vector<BlockedThread>& blocked,
                           const std::set<uint32_t>& listed) const;
  // The detail of a condition-variable or semaphore hang (hang_explain.h).
  std::string ExplainHang(const RawFinding& f, const std::vector<HeldBy>& holds,
                          const std::set<uint32_t>& blocked);
  RawFinding TimeoutFinding(const std::vector<BlockedThread>& blocked);
  Report Finish();

  EventSource& source_;
  AnalyzeOptions opts_;
  HappensBefore hb_;
  RaceDetector race_;
  LockOrderDetector order_;
  ClockSlots fj_slots_;  // of the fork/join clocks
  LockMonitor monitor_;
  CondHoldDetector holds_;
  ThreadLifecycle lifecycle_;
  SignalChecks signals_;
  HangExplainer hangs_;
  PathTable stacks_, locksets_;
  Namer namer_;
  std::vector<Held> held_all_;  // HeldForOrder's, when a thread holds file locks
  std::set<uint64_t> file_locks_seen_;  // the file locks taken, for the report's locks
  std::deque<ThreadCtx> threads_;  // a deque: references stay valid as threads are added
  // Ended threads whose marks are kept still (stream position of the end, dense index), in
  // stream order.
  std::deque<std::pair<uint64_t, uint32_t>> ended_marks_;
  // Per thread (dense index): the frames it last recorded (FrameBases::Record), by call path
  // mod kFrameMemo. Recording one again changes nothing, so a loop's repeated calls skip the
  // map. (Kept apart: in ThreadCtx it slowed the analysis without races.) Made at a thread's
  // first frame, dropped at its end: a program that starts a thread per request keeps none
  // for its ended threads.
  static constexpr uint32_t kFrameMemo = 16;
  struct FrameMemo {
    uint64_t sp = 0;
    uint32_t node = 0, fp_offset = 0;
  };
  std::vector<std::unique_ptr<std::array<FrameMemo, kFrameMemo>>> frame_memo_;
  std::unordered_map<uint32_t, uint32_t> current_;  // tid -> dense index of its live thread
  std::set<uint32_t> forked_;
  uint64_t cached_tid_ = kNoCachedTid;  // 64 bits: no 32-bit tid a trace holds matches it
  static constexpr uint64_t kNoCachedTid = ~0ull;
  ThreadCtx* cached_ = nullptr;  // threads_ is a deque: the pointer stays valid
  std::vector<uint64_t> held_scratch_;
  static constexpr size_t kStackLooks = 4096;
  std::unordered_set<uint64_t> stack_looks_;  // FirstLookOnStack
  FlatMap<uint64_t> live_sizes_;  // live heap blocks' sizes by base: what a free ends
  // Per thread (dense), the mapping its next allocation makes (kMapName): address, and the
  // file's string (0: anonymous memory).
  std::unordered_map<uint32_t, std::pair<uint64_t, uint32_t>> map_names_;
  // Per thread (dense), its last mapping of a file (base, size): in a recording of several
  // processes the shared object it maps is named by it (where, and which file), not as
  // "shared@".
  std::unordered_map<uint32_t, std::pair<uint64_t, uint64_t>> file_maps_;
  // A fork not yet seen from the child: the forking process, and the locks its forking
  // thread held (the child's thread holds them too).
  struct ForkParent {
    uint32_t process = 0;
    std::vector<Held> held;
    std::vector<Held> file_locks;  // its process's, held through descriptors the child copies
  };
  std::unordered_map<uint64_t, ForkParent> fork_parents_;  // fork key -> its parent
  std::unordered_map<uint64_t, std::shared_ptr<const VectorClock>> cond_signals_;
  // Condition variable -> the threads (dense) that began a wait on it, in that order: those
  // still waiting, and (dropped at the next full look) some whose wait ended.
  struct CondWaiters {
    std::vector<uint32_t> threads;
    uint64_t mutex = 0;  // the mutex of every entry's wait, unless `mixed`
    bool mixed = false;
    size_t kept = 0;  // entries after the last full look
  };
  std::unordered_map<uint64_t, CondWaiters> cond_waiters_;
  std::set<std::pair<uint64_t, uint64_t>> cond_mutex_seen_;  // (wait site, other wait site)
  std::vector<BlockedThread> watchdog_blocked_;
  std::map<std::pair<uint32_t, uint64_t>, std::vector<SideRef>> self_waiters_;
  std::vector<HeldBy> watchdog_holds_;
  std::unique_ptr<PredictTrace> predict_;  // only with AnalyzeOptions::predict
  uint64_t predict_cut_ = 0;  // accesses longer than the prediction model keeps
  uint64_t predict_full_at_ = 0;  // the stream position where the model reached its limit
  PredictLifetimes lifetimes_;  // binary traces: which life of its memory an access touched
  // The OpenMP runtime's code (libomp, libgomp): it orders its own locks and condition
  // variables with atomics no tool sees, so their bytes are not checked when it uses them.
  void FindOpenMPRuntime(EventSource& source);
  // Not a use of freed memory to report: a descriptor's object, or freed heap memory the C
  // library mapped again unseen (a thread's stack or a library).
  bool Remapped(uint64_t addr, uint64_t ts, bool ordered, uint64_t freed);
  std::vector<std::pair<uint64_t, uint64_t>> openmp_text_;  // [base, base + size)
  bool std_trace_;
  // The program crashed (a kCrash record): its signal, and where the faulting thread was.
  uint32_t crash_signal_ = 0;
  SideRef crash_;
  bool races_skipped_ = false;  // the program was not instrumented
  bool watchdog_ = false;
  bool watchdog_all_blocked_ = false;
  bool timed_out_ = false;    // the run's time limit ended it (WatchdogReason::kTimeout)
  // Threads that ended unjoined in a program stopped before it could join them (watchdog,
  // crash, kill): not leaks, said in a note.
  std::vector<uint32_t> unjoined_at_stop_;
  uint32_t time_limit_ms_ = 0;
  uint64_t index_ = 0, begin_ts_ = 0, end_ts_ = 0;
};

}  // namespace threadlens::analysis
