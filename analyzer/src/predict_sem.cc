// Semaphore hangs and deadlocks through a sem_wait (see predict_sem.h).
#include "predict_sem.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "predict_stuck.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

bool SemPredictor::Try(uint32_t wait, bool waiter_first, uint64_t& budget, SemWitness* out) const {
  const uint32_t w = trace_.HotOf(wait).thread, stop = trace_.Pos(wait);
  const uint32_t threads = trace_.threads();
  Replay r(trace_);
  std::vector<uint32_t> schedule;
  // The earliest event of the trace that may run next, w only before the wait.
  auto earliest = [&](bool with_waiter) {
    uint32_t best = PredictTrace::kNone;
    for (uint32_t t = 0; t < threads; ++t) {
      if (t == w && (!with_waiter || r.Ran(t) >= stop)) continue;
      const uint32_t id = r.Next(t);
      if (id != PredictTrace::kNone && id < best && !r.Check(id)) best = id;
    }
    return best;
  };
  auto run = [&](uint32_t id) {
    r.Apply(id);
    schedule.push_back(id);
    const uint64_t spent = threads + 1;
    Spend(budget, spent);
  };
  if (waiter_first) {
    while (r.Ran(w) < stop && budget > 0) {
      const uint32_t own = r.Next(w);
      const uint32_t id = !r.Check(own) ? own : earliest(false);
      if (id == PredictTrace::kNone) return false;
      run(id);
    }
  }
  for (;;) {
    if (budget == 0) return false;
    const uint32_t id = earliest(!waiter_first);
    if (id == PredictTrace::kNone) break;
    run(id);
  }
  if (r.Ran(w) != stop || !r.Blocked(w)) return false;
  StuckState st = CheckStuck(trace_, schedule);
  // The waiter must be among the blocked (not, say, a thread never created).
  if (!st.error.empty() ||
      std::find(st.blocked.begin(), st.blocked.end(), wait) == st.blocked.end()) {
    return false;
  }
  out->wait = wait;
  out->post = trace_.Link(wait);
  out->schedule = std::move(schedule);
  out->blocked = std::move(st.blocked);
  // Posters of the semaphore blocked on a lock the waiter holds.
  out->posters.clear();
  const uint64_t sem = trace_.Obj(wait);
  for (uint32_t id : out->blocked) {
    const auto& h = trace_.HotOf(id);
    if (h.op != Op::kAcquire || r.Holder(trace_.Obj(id)) != w) continue;
    const auto& own = trace_.OfThread(h.thread);
    for (uint32_t p = h.pos; p < own.size(); ++p) {
      if (trace_.HotOf(own[p]).op == Op::kPost && trace_.Obj(own[p]) == sem) {
        out->posters.push_back(id);
        break;
      }
    }
  }
  return true;
}

bool SemPredictor::Find(uint64_t& budget, const Found& found) {
  const std::vector<uint64_t> known = trace_.KnownSemaphores();
  if (known.empty()) return true;
  // Candidates, latest first: the last wait of each site and semaphore, then up to 3 more per
  // thread, site and semaphore. So a budget that runs out has tried every site once.
  std::vector<uint32_t> first, more;
  std::set<std::pair<uint64_t, uint64_t>> sites;
  std::map<std::tuple<uint32_t, uint64_t, uint64_t>, int> per_thread;
  for (uint32_t k = static_cast<uint32_t>(trace_.size()); k-- > 0;) {
    if (trace_.HotOf(k).op != Op::kPend) continue;
    const PredictTrace::Event e = trace_.At(k);
    if (!e.blocking || !std::binary_search(known.begin(), known.end(), e.obj)) continue;
    int& n = per_thread[{e.thread, e.site, e.obj}];
    if (n >= 4) continue;
    ++n;
    (sites.insert({e.site, PredictTrace::SemBase(e.obj)}).second ? first : more).push_back(k);
  }
  // One finding per wait site and semaphore (whatever its generation).
  std::set<std::pair<uint64_t, uint64_t>> reported;
  for (const auto* list : {&first, &more}) {
    for (uint32_t k : *list) {
      const PredictTrace::Event e = trace_.At(k);
      const std::pair<uint64_t, uint64_t> where{e.site, PredictTrace::SemBase(e.obj)};
      if (reported.count(where)) continue;
      if (budget == 0) return false;
      SemWitness out;
      if (Try(k, true, budget, &out) || Try(k, false, budget, &out)) {
        reported.insert(where);
        found(out);
      }
    }
  }
  return budget > 0;
}

}  // namespace threadlens::analysis
