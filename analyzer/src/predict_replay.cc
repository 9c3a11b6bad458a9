// An independent replay of a race schedule (see CheckRaceSchedule in predict_schedule.h): what
// a prediction reports must be a correct reordering whatever search produced it.
#include <unordered_map>

#include "predict_schedule.h"

namespace threadlens::analysis {

using Op = PredictTrace::Op;

bool CheckRaceSchedule(const PredictTrace& trace, const std::vector<uint32_t>& schedule,
                       uint32_t first, uint32_t second) {
  constexpr uint32_t kNone = PredictTrace::kNone;
  const uint32_t n = trace.threads();
  std::vector<uint32_t> ran(n, 0);
  std::vector<size_t> last_step(n, ~size_t{0});
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> holder;  // lock -> thread, depth
  std::unordered_map<uint64_t, uint32_t> last_write;
  std::unordered_map<uint64_t, size_t> notified;  // condition variable -> step
  auto key = [&](uint32_t id) { return trace.Granular() ? trace.Obj(id) >> 3 : trace.Obj(id); };
  auto ran_event = [&](uint32_t id) { return ran[trace.HotOf(id).thread] > trace.HotOf(id).pos; };
  for (size_t step = 0; step < schedule.size(); ++step) {
    const uint32_t id = schedule[step];
    if (id >= trace.size()) return false;
    const PredictTrace::Hot& h = trace.HotOf(id);
    const uint32_t t = h.thread;
    if (t >= n || h.pos != ran[t]) return false;  // not the thread's next event
    // The parts of one recorded event run together.
    if (h.pos > 0) {
      const uint32_t prev = trace.OfThread(t)[h.pos - 1];
      if (trace.IndexLow(prev) == trace.IndexLow(id) && (step == 0 || schedule[step - 1] != prev))
        return false;
    }
    if (h.pos == 0) {
      if (uint32_t f = trace.ForkOf(t); f != kNone && !ran_event(f)) return false;
    }
    switch (h.op) {
      case Op::kAcquire: {
        auto& [owner, depth] = holder[trace.Obj(id)];
        if (depth > 0 && owner != t) return false;
        owner = t;
        ++depth;
        break;
      }
      case Op::kRelease: {
        auto& [owner, depth] = holder[trace.Obj(id)];
        if (depth == 0 || owner != t) return false;
        --depth;
        break;
      }
      case Op::kRead: {
        auto w = last_write.find(key(id));
        if ((w == last_write.end() ? kNone : w->second) != h.link) return false;
        break;
      }
      case Op::kWrite:
        last_write[key(id)] = id;
        break;
      case Op::kJoin:
        if (h.aux == kNone || ran[h.aux] != trace.OfThread(h.aux).size()) return false;
        break;
      case Op::kNotify:
        notified[trace.Obj(id)] = step;
        break;
      case Op::kWake: {
        auto it = notified.find(trace.Obj(id));
        if (it == notified.end()) return false;
        if (last_step[t] != ~size_t{0} && it->second < last_step[t]) return false;
        break;
      }
      case Op::kPend:
      case Op::kPost:
        if (h.link != kNone && !ran_event(h.link)) return false;
        break;
      case Op::kTryFail:
        return false;
      case Op::kFork:
        break;
    }
    ++ran[t];
    last_step[t] = step;
  }
  // Both accesses next, each at the start of its recorded event.
  for (uint32_t e : {first, second}) {
    if (e >= trace.size()) return false;
    const PredictTrace::Hot& h = trace.HotOf(e);
    if (ran[h.thread] != h.pos) return false;
    if (h.pos > 0 && trace.IndexLow(trace.OfThread(h.thread)[h.pos - 1]) == trace.IndexLow(e))
      return false;
    if (h.pos == 0) {
      if (uint32_t f = trace.ForkOf(h.thread); f != kNone && !ran_event(f)) return false;
    }
    if (h.op != Op::kRead && h.op != Op::kWrite) return false;
  }
  const PredictTrace::Hot& a = trace.HotOf(first);
  const PredictTrace::Hot& b = trace.HotOf(second);
  return a.thread != b.thread && trace.Obj(first) == trace.Obj(second) && a.life == b.life &&
         (a.op == Op::kWrite || b.op == Op::kWrite) &&
         !((a.flags & PredictTrace::kAtomic) && (b.flags & PredictTrace::kAtomic));
}

}  // namespace threadlens::analysis
