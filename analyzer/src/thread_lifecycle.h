// Thread lifecycle checks: a thread that ended but was never joined nor detached (a thread
// leak, as ThreadSanitizer reports it), a thread detached twice, a detached thread joined,
// a joined thread detached, and a thread that ends with ignores on (AnnotateIgnore*Begin
// without its End).
//
// Cost: O(1) per thread event. Memory: a record per thread not yet ended and joined or
// detached; then only its join or first detach, what a later detach or join is checked
// against.
#pragma once

#include <cstdint>
#include <set>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"

namespace threadlens::analysis {

class ThreadLifecycle {
 public:
  // Threads are keyed by their dense index: a trace's tid may be reused after a thread ends.
  void OnCreate(uint32_t dense, const SideRef& create);
  void OnCreateFailed(uint32_t dense) { threads_.erase(dense); }
  // `ended_process`: its exit ended the process (exit, _exit): never a leak.
  void OnExit(uint32_t dense, const SideRef& exit, bool ended_process = false);
  // `join` is the joining thread's call, `ok` whether it succeeded; reports the join of a
  // detached thread (whether or not it failed: it is undefined behaviour either way).
  void OnJoin(uint32_t dense, uint32_t joined_tid, const SideRef& join, bool ok);
  // `detach` is the detaching thread's call; reports a second detach of the same thread and
  // the detach of a thread already joined. Detaching a thread that ended unjoined is fine.
  void OnDetach(uint32_t dense, uint32_t detached_tid, const SideRef& detach);
  // An ignore the thread left on (kIgnoresAtExit, before its exit): with its exit, a warning.
  void OnIgnoreLeftOn(uint32_t dense, const SideRef& begin) {
    threads_[dense].ignores.push_back(begin);
  }

  // Double detaches, joins of detached and detaches of joined threads as they came, then the
  // threads created in the trace that ended without a join or a detach. A thread still running at
  // the end is no leak here: the hang and deadlock findings speak for blocked threads, and a trace
  // may have been cut. Nor is a thread another one was joining when the trace ended (the
  // program died, or was ended, inside the join): `being_joined` holds their tids.
  std::vector<RawFinding> TakeFindings(const std::set<uint32_t>& being_joined = {});
  // Threads whose full record is kept (not yet ended and joined or detached).
  size_t unsettled() const { return threads_.size(); }

 private:
  struct Record {
    bool created = false, exited = false, joined = false, detached = false;
    SideRef create, exit, first_detach, join;
    std::vector<SideRef> ignores;
  };
  // Ended and joined, or ended and detached: no leak, so only `at` (the join, or the first
  // detach) is kept.
  struct Settled {
    bool joined = false;
    SideRef at;
  };
  void AddFinding(const char* subkind, const SideRef& now, const SideRef& before, uint32_t other);
  // Moves the thread's record to settled_ once it has ended and been joined or detached.
  void MaybeSettle(uint32_t dense);
  std::unordered_map<uint32_t, Record> threads_;
  std::unordered_map<uint32_t, Settled> settled_;
  std::vector<RawFinding> findings_;
};

}  // namespace threadlens::analysis
