// Replay of a candidate schedule (see predict_stuck.h).
#include "predict_stuck.h"

#include <unordered_map>

namespace threadlens::analysis {

using Op = PredictTrace::Op;

namespace {

struct LockState {
  uint32_t owner = PredictTrace::kNone;  // exclusive holder
  uint32_t depth = 0;                    // its re-entries
  uint32_t shared = 0;                   // read holds
};

}  // namespace

StuckState CheckStuck(const PredictTrace& trace, const std::vector<uint32_t>& schedule) {
  StuckState out;
  const uint32_t threads = trace.threads();
  std::vector<uint32_t> next(threads, 0);
  std::vector<uint64_t> last_step(threads, ~0ull);  // step number of each thread's latest event
  std::unordered_map<uint64_t, LockState> locks;
  std::unordered_map<uint64_t, uint32_t> last_write;   // key -> write id
  std::unordered_map<uint64_t, uint64_t> last_notify;  // condition variable -> step
  auto done = [&](uint32_t id) {
    const auto& h = trace.HotOf(id);
    return next[h.thread] > h.pos;
  };
  auto key = [&](const PredictTrace::Event& e) { return trace.Granular() ? e.obj >> 3 : e.obj; };
  auto fail = [&](const std::string& why) {
    out.error = why;
    out.blocked.clear();
    return out;
  };
  uint64_t step = 0;
  for (uint32_t id : schedule) {
    if (id >= trace.size()) return fail("an event past the trace");
    const PredictTrace::Event& e = trace.At(id);
    const uint32_t t = e.thread;
    const auto& own = trace.OfThread(t);
    if (next[t] >= own.size() || own[next[t]] != id) return fail("out of program order");
    if (next[t] == 0) {
      const uint32_t f = trace.ForkOf(t);
      if (f != PredictTrace::kNone && !done(f)) return fail("a thread runs before its creation");
    }
    switch (e.op) {
      case Op::kAcquire: {
        // Every acquisition and release counts, inner ones too, as the thread did them.
        LockState& l = locks[e.obj];
        if (l.owner == t) {
          ++l.depth;
        } else if (l.owner != PredictTrace::kNone || (!e.shared && l.shared > 0)) {
          return fail("an acquisition of a held lock");
        } else if (e.shared) {
          ++l.shared;
        } else {
          l.owner = t;
          l.depth = 1;
        }
        break;
      }
      case Op::kRelease: {
        LockState& l = locks[e.obj];
        if (l.owner == t) {
          if (--l.depth == 0) l.owner = PredictTrace::kNone;
        } else if (e.shared && l.shared > 0) {
          --l.shared;
        } else {
          return fail("a release of a lock not held");
        }
        break;
      }
      case Op::kRead: {
        auto w = last_write.find(key(e));
        const uint32_t now = w == last_write.end() ? PredictTrace::kNone : w->second;
        if (now != trace.Link(id)) return fail("a read from another write than in the trace");
        break;
      }
      case Op::kWrite:
        last_write[key(e)] = id;
        break;
      case Op::kJoin: {
        const uint32_t child = trace.HotOf(id).aux;
        if (child != PredictTrace::kNone && next[child] != trace.OfThread(child).size()) {
          return fail("a join before the thread ended");
        }
        break;
      }
      case Op::kNotify:
        last_notify[e.obj] = step;
        break;
      case Op::kWake: {
        auto n = last_notify.find(e.obj);
        if (n == last_notify.end() || (last_step[t] != ~0ull && n->second < last_step[t])) {
          return fail("a wake with no notification since its wait began");
        }
        break;
      }
      case Op::kPend:
      case Op::kTryFail:
        if (trace.Link(id) != PredictTrace::kNone && !done(trace.Link(id))) {
          return fail("a wait before what it waited for");
        }
        break;
      case Op::kFork:
      case Op::kPost:
        break;
    }
    ++next[t];
    last_step[t] = step++;
  }
  // The end: every thread finished, never created, or blocked.
  for (uint32_t t = 0; t < threads; ++t) {
    const auto& own = trace.OfThread(t);
    if (next[t] == own.size()) continue;
    if (next[t] == 0 && trace.ForkOf(t) != PredictTrace::kNone && !done(trace.ForkOf(t))) continue;
    const uint32_t id = own[next[t]];
    const PredictTrace::Event& e = trace.At(id);
    bool blocked = false;
    switch (e.op) {
      case Op::kAcquire: {
        if (e.nested || !e.blocking) break;
        auto l = locks.find(e.obj);
        if (l == locks.end()) break;
        blocked = (l->second.owner != PredictTrace::kNone && l->second.owner != t) ||
                  (!e.shared && l->second.shared > 0);
        break;
      }
      case Op::kWake: {
        if (!e.blocking || next[t] == 0) break;
        auto n = last_notify.find(e.obj);
        blocked = n == last_notify.end() || n->second < last_step[t];
        break;
      }
      case Op::kJoin: {
        const uint32_t child = trace.HotOf(id).aux;
        blocked = child != PredictTrace::kNone && child != t &&
                  next[child] != trace.OfThread(child).size();
        break;
      }
      default:
        break;
    }
    if (!blocked) return fail("a thread can still run");
    out.blocked.push_back(id);
  }
  if (out.blocked.empty()) return fail("nothing blocks");
  return out;
}

}  // namespace threadlens::analysis
