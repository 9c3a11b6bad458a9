// A condition variable waited on with two mutexes at once. POSIX binds a condition variable
// to the mutex of its waits for as long as any thread waits on it: a wait with another mutex
// meanwhile is undefined behaviour (Helgrind reports it; ThreadSanitizer does not). Usually
// two code paths that guard one condition with different locks: a notifier that holds one
// of them is not ordered with the waiter that holds the other, and wake-ups get lost.
//
// Cost: O(threads waiting on the condition variable) per wait.
#include "analysis.h"

namespace threadlens::analysis {

void Analysis::CondWaitMutex(ThreadCtx& t, uint64_t mutex) {
  const uint64_t cv = t.pending.obj;
  std::vector<uint32_t>& waiters = cond_waiters_[cv];
  // Those whose wait on `cv` has ended are gone from the list.
  std::erase_if(waiters, [&](uint32_t d) {
    const ThreadCtx& w = threads_[d];
    return d == t.dense || w.exited || w.pending.kind != Pending::kCond || w.pending.obj != cv;
  });
  for (uint32_t d : waiters) {
    const ThreadCtx& w = threads_[d];
    if (w.pending.mutex == 0 || w.pending.mutex == mutex) continue;
    if (!cond_mutex_seen_.insert({t.pending.where.site, w.pending.where.site}).second) continue;
    RawFinding f;
    f.kind = "misuse";
    f.subkind = "cond-mutexes";
    f.severity = Severity::kError;
    f.sides = {t.pending.where, w.pending.where};
    f.locks = {mutex, w.pending.mutex};
    f.tids = {t.tid, w.tid};
    f.sort_key = t.pending.where.index;
    monitor_.AddMisuse(std::move(f));
    break;
  }
  waiters.push_back(t.dense);
}

}  // namespace threadlens::analysis
