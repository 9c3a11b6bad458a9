// The analysis driver at the end of the trace: threads still blocked (deadlocks, hangs),
// the detectors' findings collected, sorted and named, and the Report assembled.
#include <cstring>
#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_set>

#include "analysis.h"
#include "capstone_api.h"
#include "process_tree.h"

namespace threadlens::analysis {

namespace {

int KindRank(const std::string& kind) {
  static const char* kOrder[] = {"deadlock", "self-deadlock", "lock-order", "race",
                                 "hang",     "timeout",       "misuse",     "contention"};
  for (int i = 0; i < 8; ++i) {
    if (kind == kOrder[i]) return i;
  }
  return 8;
}

}  // namespace

// The run's time limit ended it: one finding with every live thread, the blocked ones'
// waits as its sides (the running ones have no site: they were anywhere).
RawFinding Analysis::TimeoutFinding(const std::vector<BlockedThread>& blocked) {
  RawFinding f;
  f.kind = "timeout";
  f.severity = Severity::kError;
  std::set<uint32_t> waiting;
  for (const BlockedThread& b : blocked) {
    if (b.on == Pending::kNone) continue;
    f.sides.push_back(BlockedSide(b));
    waiting.insert(b.tid);
  }
  std::string running, stuck;
  for (const ThreadCtx& t : threads_) {
    if (current_[t.tid] != t.dense || !t.started || t.exited) continue;
    f.tids.push_back(t.tid);
    std::string& list = waiting.count(t.tid) ? stuck : running;
    list += (list.empty() ? "" : ", ") + namer_.ThreadName(t.tid);
  }
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", time_limit_ms_ / 1000.0);
  // The title for now: it becomes one after naming (the namer titles the kinds it knows).
  f.detail = std::string("ended by --timeout ") + limit + " s" +
             (running.empty() ? "" : "; still running: " + running) +
             (stuck.empty() ? "" : "; blocked: " + stuck);
  return f;
}

std::string Analysis::ExplainHang(const RawFinding& f, const std::vector<HeldBy>& holds,
                                  const std::set<uint32_t>& blocked) {
  const SideRef& waiter = f.sides[0];
  uint64_t mutex = 0;
  if (auto it = current_.find(waiter.tid); it != current_.end()) {
    mutex = threads_[it->second].pending.mutex;
  }
  HangExplainer::Naming n;
  n.thread = [&](uint32_t tid) { return namer_.ThreadName(tid); };
  n.object = [&](uint64_t obj) {
    return namer_.ObjectName(obj, obj == waiter.obj && f.subkind == "cond" ? Namer::ObjectKind::kCond
                                  : obj == waiter.obj                      ? Namer::ObjectKind::kSem
                                                                           : Namer::ObjectKind::kLock);
  };
  n.where = [&](const SideRef& s) { return namer_.ShortSite(s); };
  n.end = [&](uint32_t tid) {
    auto it = current_.find(tid);
    if (it == current_.end() || threads_[it->second].exited) return HangExplainer::ThreadEnd::kExited;
    return blocked.count(tid) ? HangExplainer::ThreadEnd::kBlocked
                              : HangExplainer::ThreadEnd::kRunning;
  };
  n.holder = [&](uint64_t lock) {
    for (const HeldBy& h : holds) {
      if (h.lock == lock) return namer_.ThreadName(h.tid);
    }
    return std::string();
  };
  return hangs_.Explain(f.subkind == "cond", waiter, mutex, n);
}

void Analysis::ResolveProcessWaits(std::vector<BlockedThread>& blocked,
                                   const std::set<uint32_t>& listed) const {
  // A child ends only by one of its threads: one still running may yet end it. Of an image
  // replaced by exec, the last (the one the pid runs now).
  const std::vector<ProcessInfo>& procs = source_.Processes();
  for (BlockedThread& b : blocked) {
    if (b.on != Pending::kProcess || b.obj == 0) continue;
    const uint32_t pid = trace::ExitKeyPid(b.obj);
    for (size_t i = procs.size(); i-- > 0 && !b.process;) {
      if (procs[i].pid == pid) b.process = static_cast<uint32_t>(i) + 1;
    }
    for (const ThreadCtx& t : threads_) {
      if (!b.process) break;
      const auto it = current_.find(t.tid);
      if (it == current_.end() || it->second != t.dense || !t.started || t.exited) continue;
      if (ProcessIndexOfTid(t.tid) == b.process - 1 && !listed.count(t.tid)) b.process = 0;
    }
  }
}

void Analysis::FindBlockedState(std::vector<RawFinding>& raw, std::vector<std::string>& notes) {
  std::vector<BlockedThread> blocked;
  std::vector<HeldBy> holds;
  std::set<uint32_t> listed;
  auto live = [&](uint32_t tid) -> ThreadCtx* {
    auto it = current_.find(tid);
    return it == current_.end() ? nullptr : &threads_[it->second];
  };
  // The watchdog's records are authoritative; the open requests of the trace fill in
  // where they were made (and stand alone when there was no watchdog).
  // A blocked thread's locks held: the traced ones, and the file locks the watchdog saw it
  // hold (no traced event takes them; their records carry where).
  auto with_file_locks = [&](uint32_t lockset, uint32_t tid) {
    for (const HeldBy& h : watchdog_holds_) {
      if (h.tid != tid || !h.has_acquired) continue;
      const std::vector<uint64_t> in = locksets_.Values(lockset);
      if (std::find(in.begin(), in.end(), h.lock) == in.end()) {
        lockset = locksets_.Child(lockset, h.lock);
      }
    }
    return lockset;
  };
  for (BlockedThread b : watchdog_blocked_) {
    if (!listed.insert(b.tid).second) continue;
    if (ThreadCtx* t = live(b.tid); t && t->pending.kind != Pending::kNone) {
      b.where = t->pending.where;
      b.has_where = true;
      b.timed = t->pending.flags & trace::kTimed;
    } else if (t && b.has_where) {
      b.where.stack = t->stack;  // the blocking call's caller, where the thread last recorded
      b.where.lockset = t->lockset;
    }
    if (b.has_where) b.where.lockset = with_file_locks(b.where.lockset, b.tid);
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
    b.timed = t.pending.flags & trace::kTimed;
    blocked.push_back(b);
  }
  ResolveProcessWaits(blocked, listed);
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
  if (timed_out_) raw.push_back(TimeoutFinding(blocked));
  if (blocked.empty()) return;
  for (const BlockedThread& b : blocked) {
    if (ThreadCtx* t = live(b.tid)) t->blocked_at_end = true;
  }
  auto recursive = [&](uint64_t lock) {
    auto it = monitor_.Locks().find(lock);
    return it != monitor_.Locks().end() &&
           it->second.type == static_cast<uint16_t>(trace::LockType::kRecursive);
  };
  // The program ended on its own (clean close, the watchdog silent): whatever still waited
  // was idle, not hung. Only a binary trace records how the program ended.
  const TraceMeta& meta = source_.Meta();
  const bool exited = meta.format == "binary" && meta.complete && !meta.watchdog && !watchdog_;
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
  // A crash ended it: what the threads waited on then was cut short, not hung.
  const bool hangs = nobody_running && !exited && crash_signal_ == 0;
  for (RawFinding& f : FindBlocked(blocked, holds, recursive, hangs, &accounted)) {
    // A self-deadlock seen at its request is already reported: what waits behind it
    // joins that finding.
    if (f.kind == "self-deadlock" && monitor_.SelfDeadlockReported(f.tids[0], f.locks[0])) {
      if (!f.waiters.empty()) {
        self_waiters_[{f.tids[0], f.locks[0]}] = std::move(f.waiters);
      }
      continue;
    }
    // STD traces record no notifications: nothing to explain from.
    if (f.kind == "hang" && (f.subkind == "cond" || f.subkind == "sem") && !f.sides.empty() &&
        f.detail.empty() && meta.format == "binary") {
      f.detail = ExplainHang(f, holds, listed);
    }
    raw.push_back(std::move(f));
  }
  if (!hangs) {
    for (const BlockedThread& b : blocked) {
      if (b.on == Pending::kNone || accounted.count(b.tid)) continue;
      if (b.on == Pending::kLock && !exited) continue;
      const Namer::ObjectKind kind = b.on == Pending::kCond    ? Namer::ObjectKind::kCond
                                     : b.on == Pending::kSem   ? Namer::ObjectKind::kSem
                                     : b.on == Pending::kFutex ? Namer::ObjectKind::kWord
                                                               : Namer::ObjectKind::kLock;
      notes.push_back(namer_.ThreadName(b.tid) + " was still waiting on " +
                      (b.on == Pending::kJoin ? "thread " + namer_.ThreadName(static_cast<uint32_t>(b.obj))
                       : b.on == Pending::kSignal ? SignalWaitName(b.obj)
                                              : namer_.ObjectName(b.obj, kind)) +
                      (exited ? " when the program exited; the program ended on its own, so "
                                "it is not reported as a hang"
                              : " when the trace ended; other threads were still running, so "
                                "it is not reported as a hang"));
    }
  }
}


Report Analysis::Finish() {
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
  rep.truncated = meta.truncated;
  rep.signal_flushed = meta.signal_flushed;
  rep.warnings = source_.Warnings();

  std::vector<RawFinding> raw = race_.TakeFindings();
  if (uint64_t cut = race_.ranges_cut(); cut > 0) {
    const std::string mib = std::to_string(RaceDetector::kMaxRangeBytes >> 20) + " MiB";
    rep.notes.push_back("race: " + std::to_string(cut) + " range access" +
                        (cut > 1 ? "es longer than " + mib + " were checked on their"
                                 : " longer than " + mib + " was checked on its") +
                        " first " + mib + " only");
  }
  if (uint64_t cut = race_.lifetimes_cut(); cut > 0) {
    rep.notes.push_back("race: " + std::to_string(cut) + " heap block" +
                        (cut > 1 ? "s" : "") + " of 4 GiB or more had " +
                        (cut > 1 ? "their" : "its") +
                        " allocation and free checked on the first 4 GiB only");
  }
  if (uint64_t n = race_.unchecked(); n > 0) {
    rep.notes.push_back("race: " + std::to_string(n) + " accesses of threads that found " +
                        std::to_string(ShadowMemory::kMaxThreads) +
                        " clock slots taken (threads alive at once, or ended and not yet "
                        "joined) were not checked");
  }
  if (!raw.empty() && !opts_.cxx11_release_sequences && hb_.own_sequence_stores() > 0) {
    const uint64_t n = hb_.own_sequence_stores();
    rep.notes.push_back(
        "race: " + std::to_string(n) + " relaxed store" + (n > 1 ? "s" : "") +
        " ended a release sequence " + (n > 1 ? "their" : "its") +
        " own thread had started, as C++20 says; before C++20 such a store continued it. "
        "Code written to the older rule (oneTBB's task deque) races under C++20: "
        "`--release-sequences c++11` checks it under that rule");
  }
  if (races_skipped_) {
    rep.notes.push_back("race: the program was not built with threadlens-c++ or threadlens-cc, so "
                        "its memory accesses were not recorded and races were not checked");
  }
  if (predict_ && predict_full_at_ != 0) {
    rep.notes.push_back("prediction: its model reached " +
                        std::to_string(opts_.max_predict_events) +
                        " events (an access is one per 8-byte granule) at event " +
                        std::to_string(predict_full_at_) + " of " + std::to_string(index_) +
                        "; it predicts from the trace up to there only");
  }
  if (predict_ && opts_.races) PredictRaces(raw, rep.notes);
  if (race_.truncated()) {
    rep.notes.push_back("race: reported the first " + std::to_string(opts_.max_races) +
                        " distinct races only");
  }
  if (opts_.lock_order) {
    std::vector<RawFinding> cycles = order_.Find(rep.notes);
    if (predict_) PredictDeadlocks(cycles, rep.notes);
    for (RawFinding& f : cycles) raw.push_back(std::move(f));
  }
  if (predict_) PredictCommunication(raw, rep.notes);
  if (predict_) PredictSemaphores(raw, rep.notes);
  FindBlockedState(raw, rep.notes);
  for (uint32_t tid : unjoined_at_stop_) {
    rep.notes.push_back(namer_.ThreadName(tid) +
                        " ended and was never joined, but the program was stopped before it "
                        "could join it: not reported as a thread leak");
  }
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
  namer_.LearnHeapObjects(raw);
  for (const RawFinding& r : raw) {
    rep.findings.push_back(namer_.Name(r));
    Finding& f = rep.findings.back();
    if (f.kind == "timeout") {
      f.title = "timeout: " + r.detail;
      f.detail = "The program did not end within the run's time limit: a livelock, a busy "
                 "loop, a wait on something outside the program, or a slow run. Where each "
                 "blocked thread waited is listed below.";
    }
  }

  DisambiguateFingerprints(rep.findings);
  // A race whose fingerprint an earlier one has is the same bug at other pcs of the same
  // lines (code the compiler duplicated or inlined twice): reported, and counted, once.
  std::unordered_set<std::string> races;
  std::erase_if(rep.findings, [&](const Finding& f) {
    return f.kind == "race" && !races.insert(f.fingerprint).second;
  });

  for (const ProcessInfo& p : source_.Processes()) rep.pids.push_back(p.pid);
  for (const ThreadCtx& t : threads_) {
    ThreadInfo ti;
    ti.tid = t.tid;
    ti.pid = namer_.PidOf(t.tid);
    ti.name = namer_.ThreadName(t.tid);
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
    li.name = namer_.ObjectName(addr);
    li.address = LocalAddress(addr);
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
  for (uint64_t key : file_locks_seen_) {
    if (monitor_.Locks().count(key)) continue;
    LockInfo li;
    li.name = namer_.ObjectName(key);
    li.address = key;
    li.type = "file";
    rep.locks.push_back(std::move(li));
  }
  // The graph is for drawing: past a few thousand edges no drawing is readable, and each
  // edge carries two sites.
  constexpr size_t kMaxGraphEdges = 5000;
  auto graph = order_.Graph();
  if (graph.size() > kMaxGraphEdges) {
    rep.notes.push_back("lock-order graph: kept " + std::to_string(kMaxGraphEdges) + " of " +
                        std::to_string(graph.size()) + " edges for the drawings");
    graph.resize(kMaxGraphEdges);
  }
  for (const auto& g : graph) {
    LockOrderEdge e;
    e.from = namer_.ObjectName(g.from);
    e.to = namer_.ObjectName(g.to);
    for (uint32_t tid : g.tids) e.threads.push_back(namer_.ThreadName(tid));
    e.from_site = namer_.Materialize(g.from_site, false);
    e.to_site = namer_.Materialize(g.to_site, false);
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
    for (const Held& h : t.file_locks) {
      monitor_.Spans().push_back(RawSpan{t.tid, h.lock, 0, h.acquired.ts, end_ts_});
    }
    if (t.pending.kind == Pending::kLock) {
      monitor_.Spans().push_back(RawSpan{t.tid, t.pending.obj, 1, t.pending.where.ts, end_ts_});
    } else if (t.pending.kind != Pending::kNone && !t.exited) {
      const uint8_t kind = t.pending.kind == Pending::kCond    ? 3
                           : t.pending.kind == Pending::kJoin  ? 4
                           : t.pending.kind == Pending::kFutex ? 6
                                                               : 5;
      monitor_.Spans().push_back(RawSpan{t.tid, t.pending.obj, kind, t.pending.where.ts, end_ts_});
    }
  }
  size_t kept = std::min(monitor_.Spans().size(), opts_.max_spans);
  for (size_t i = 0; i < kept; ++i) {
    const RawSpan& s = monitor_.Spans()[i];
    Span sp;
    sp.tid = s.tid;
    static const char* const kKinds[] = {"hold", "wait",     "hold-shared", "cond-wait",
                                         "join", "sem-wait", "futex-wait"};
    sp.kind = s.kind < 7 ? kKinds[s.kind] : "wait";
    sp.object = s.kind == 4   ? namer_.ThreadName(static_cast<uint32_t>(s.obj))
                : s.kind == 3 ? namer_.ObjectName(s.obj, Namer::ObjectKind::kCond)
                : s.kind == 5 ? namer_.ObjectName(s.obj, Namer::ObjectKind::kSem)
                : s.kind == 6 ? namer_.ObjectName(s.obj, Namer::ObjectKind::kWord)
                              : namer_.ObjectName(s.obj);
    sp.begin = s.begin;
    sp.end = s.end;
    rep.spans.push_back(std::move(sp));
  }
  rep.spans_truncated = monitor_.spans_truncated() || monitor_.Spans().size() > kept;
  if (meta.format == "std") {
    rep.notes.push_back("STD trace: timestamps are line numbers, so wait and hold times "
                        "count trace lines, not nanoseconds");
  }
  if (crash_signal_ != 0) {
    const char* abbrev = sigabbrev_np(static_cast<int>(crash_signal_));
    // Where the thread was: the fault's own frame when it is the program's, else the
    // program's innermost frame (abort's raise is in the C library; its caller is not).
    std::string where;
    const Access at = namer_.Materialize(crash_, false);
    auto installed = [](const std::string& m) {  // the system's libraries, not the program's
      return m.rfind("/lib/", 0) == 0 || m.rfind("/usr/lib/", 0) == 0 || m.rfind("/lib64/", 0) == 0;
    };
    for (const Frame& f : at.stack) {
      if (!f.function.empty() && !IsSystemFrame(f) && !installed(f.module)) {
        where = f.Describe();
        break;
      }
    }
    if (where.empty() && !at.stack.empty()) where = at.stack[0].Describe();
    rep.warnings.push_back(
        "the program crashed: " + namer_.ThreadName(crash_.tid) + " took " +
        (abbrev ? "SIG" + std::string(abbrev) + " (signal " + std::to_string(crash_signal_) + ")"
                : "signal " + std::to_string(crash_signal_)) +
        (where.empty() ? "" : " in " + where) +
        "; what the other threads were waiting on then is not reported as a hang");
  }
  for (std::string& w : namer_.NameWarnings()) rep.warnings.push_back(std::move(w));
  if (const std::string p = code_flow::x86::CapstoneProblem(); !p.empty()) {
    rep.warnings.push_back(p + ": fields only the machine code names are given as offsets");
  }
  return rep;
}


}  // namespace threadlens::analysis
