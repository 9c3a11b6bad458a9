// Hang explanations (see hang_explain.h).
#include "hang_explain.h"

namespace threadlens::analysis {

void HangExplainer::OnNotify(uint64_t obj, const SideRef& side) {
  Notes& n = notes_[obj];
  ++n.count;
  n.last = side;
  n.by.insert(side.tid);
}

std::string HangExplainer::Explain(bool cond, const SideRef& waiter, uint64_t mutex,
                                   const Naming& n) const {
  const std::string who = n.thread(waiter.tid);
  const std::string what = n.object(waiter.obj);
  const char* notify = cond ? "notified" : "posted";
  std::string s = who + " waits on " + (cond ? "condition variable " : "semaphore ") + what;
  if (mutex && mutex != waiter.obj) {  // STD traces wait on the lock itself
    const std::string holder = n.holder(mutex);
    s += " with mutex " + n.object(mutex) +
         (holder.empty() ? " (free now)" : " (held now by " + holder + ")");
  }
  s += ". ";
  auto it = notes_.find(waiter.obj);
  if (it == notes_.end()) {
    return s + "Nobody " + notify + " it in this trace.";
  }
  const Notes& notes = it->second;
  s += "It was " + std::string(notify) + " " +
       (notes.count == 1 ? std::string("once") : std::to_string(notes.count) + " times") +
       ", last by " + n.thread(notes.last.tid) +
       " at " + n.where(notes.last);
  if (notes.last.index < waiter.index) {
    s += ", before " + who + " began this wait: " +
         (cond ? "the notification was lost (a condition variable keeps none for later "
                 "waiters; check the predicate under the mutex before waiting)"
               : "no post came after it");
  }
  s += ". Threads that " + std::string(notify) + " it: ";
  bool first = true, anyone = false;
  for (uint32_t tid : notes.by) {
    const ThreadEnd end = n.end(tid);
    anyone |= end == ThreadEnd::kRunning;
    s += std::string(first ? "" : ", ") + n.thread(tid) +
         (end == ThreadEnd::kExited ? " (exited)"
          : end == ThreadEnd::kBlocked ? " (blocked)"
                                       : " (running)");
    first = false;
  }
  s += anyone ? "." : "; none of them can wake " + who + " now.";
  return s;
}

}  // namespace threadlens::analysis
