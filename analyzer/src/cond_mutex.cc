// A condition variable waited on with two mutexes at once. POSIX binds a condition variable
// to the mutex of its waits for as long as any thread waits on it: a wait with another mutex
// meanwhile is undefined behaviour (Helgrind reports it; ThreadSanitizer does not). Usually
// two code paths that guard one condition with different locks: a notifier that holds one
// of them is not ordered with the waiter that holds the other, and wake-ups get lost.
//
// Cost: O(1) amortized per wait while every waiter uses one mutex (a pool of a thousand
// workers waiting on one condition variable); O(threads waiting on it) otherwise.
#include <unordered_set>

#include "analysis.h"

namespace threadlens::analysis {

void Analysis::CondWaitMutex(ThreadCtx& t, uint64_t mutex) {
  CondWaiters& c = cond_waiters_[t.pending.obj];
  // Every entry's wait used this mutex: every thread still waiting holds it, nothing to
  // report. The list is looked over in full now and then, so it stays within about twice the
  // threads waiting.
  if (!c.mixed && (c.threads.empty() || c.mutex == mutex) &&
      c.threads.size() < 2 * c.kept + 16) {
    c.mutex = mutex;
    c.threads.push_back(t.dense);
    return;
  }
  const uint64_t cv = t.pending.obj;
  std::vector<uint32_t>& waiters = c.threads;
  // Those whose wait on `cv` has ended are gone from the list, and each thread still waiting
  // keeps its latest entry: the list is in the order the waits began.
  std::erase_if(waiters, [&](uint32_t d) {
    const ThreadCtx& w = threads_[d];
    return d == t.dense || w.exited || w.pending.kind != Pending::kCond || w.pending.obj != cv;
  });
  std::unordered_set<uint32_t> later;
  for (size_t i = waiters.size(); i-- > 0;) {
    if (!later.insert(waiters[i]).second) waiters[i] = t.dense;  // an earlier entry: dropped
  }
  std::erase(waiters, t.dense);
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
  c.kept = waiters.size();
  c.mutex = 0;
  c.mixed = false;
  for (uint32_t d : waiters) {
    const uint64_t m = threads_[d].pending.mutex;
    if (m == 0) continue;
    if (c.mutex == 0) c.mutex = m;
    c.mixed |= m != c.mutex;
  }
}

}  // namespace threadlens::analysis
