// Replay of a candidate schedule (see predict_stuck.h).
#include "predict_stuck.h"

#include <algorithm>

namespace threadlens::analysis {

using Op = PredictTrace::Op;

Replay::Replay(const PredictTrace& trace)
    : trace_(trace),
      next_(trace.threads(), 0),
      last_step_(trace.threads(), ~0ull),
      inits_(trace.threads()),
      placed_(trace.threads(), 0) {
  for (const PredictTrace::SemInitAt& in : trace.SemInits()) {
    if (in.thread < inits_.size()) inits_[in.thread].push_back({in.pos, in.key});
  }
  for (auto& v : inits_)
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
}

const char* Replay::Generation(uint64_t key) const {
  const PredictTrace::SemInitAt* in = trace_.SemInitOf(key);
  if (!in) return nullptr;
  if (next_[in->thread] < in->pos) return "a semaphore used before its initialization";
  const uint32_t gen = static_cast<uint32_t>(key >> 56) & 0xf;
  auto live = live_.find(PredictTrace::SemBase(key));
  if (live != live_.end() && live->second > gen) {
    return "a semaphore used after it was initialized again";
  }
  return nullptr;
}

void Replay::Begin(uint64_t key) {
  const uint32_t gen = static_cast<uint32_t>(key >> 56) & 0xf;
  auto [it, fresh] = live_.try_emplace(PredictTrace::SemBase(key), gen);
  if (!fresh) it->second = std::max(it->second, gen);
}

uint32_t Replay::Next(uint32_t thread) const {
  const auto& own = trace_.OfThread(thread);
  return next_[thread] < own.size() ? own[next_[thread]] : PredictTrace::kNone;
}

uint32_t Replay::Holder(uint64_t lock) const {
  auto l = locks_.find(lock);
  return l == locks_.end() ? PredictTrace::kNone : l->second.owner;
}

bool Replay::Count(uint64_t key, int64_t* count) const {
  const int64_t initial = trace_.SemInitial(key);
  if (initial < 0) return false;
  auto it = sems_.find(key);
  *count = initial + (it == sems_.end() ? 0 : it->second);
  return true;
}

int64_t Replay::SemCount(uint64_t key) const {
  int64_t c = -1;
  Count(key, &c);
  return c;
}

const char* Replay::Check(uint32_t id) const {
  if (id >= trace_.size()) return "an event past the trace";
  const PredictTrace::Event& e = trace_.At(id);
  const uint32_t t = e.thread;
  if (Next(t) != id) return "out of program order";
  if (next_[t] == 0) {
    const uint32_t f = trace_.ForkOf(t);
    if (f != PredictTrace::kNone && !Done(f)) return "a thread runs before its creation";
  }
  int64_t count = 0;
  switch (e.op) {
    case Op::kAcquire: {
      auto it = locks_.find(e.obj);
      if (it == locks_.end()) break;
      const LockState& l = it->second;
      if (l.owner != t && (l.owner != PredictTrace::kNone || (!e.shared && l.shared > 0))) {
        return "an acquisition of a held lock";
      }
      break;
    }
    case Op::kRelease: {
      auto it = locks_.find(e.obj);
      if (it == locks_.end() || (it->second.owner != t && !(e.shared && it->second.shared > 0))) {
        return "a release of a lock not held";
      }
      break;
    }
    case Op::kRead: {
      auto w = last_write_.find(Key(e));
      const uint32_t now = w == last_write_.end() ? PredictTrace::kNone : w->second;
      if (now != trace_.Link(id)) return "a read from another write than in the trace";
      break;
    }
    case Op::kJoin: {
      const uint32_t child = trace_.HotOf(id).aux;
      if (child != PredictTrace::kNone && next_[child] != trace_.OfThread(child).size()) {
        return "a join before the thread ended";
      }
      break;
    }
    case Op::kWake: {
      auto n = last_notify_.find(e.obj);
      if (n == last_notify_.end() || (last_step_[t] != ~0ull && n->second < last_step_[t])) {
        return "a wake with no notification since its wait began";
      }
      break;
    }
    case Op::kPend:
      if (Count(e.obj, &count)) {
        if (const char* why = Generation(e.obj)) return why;
        if (count <= 0) return "a semaphore wait with nothing to take";
        break;
      }
      [[fallthrough]];
    case Op::kTryFail:
      if (trace_.Link(id) != PredictTrace::kNone && !Done(trace_.Link(id))) {
        return "a wait before what it waited for";
      }
      break;
    case Op::kPendFail:
      if (Count(e.obj, &count)) {
        if (const char* why = Generation(e.obj)) return why;
        if (count > 0) return "a failed semaphore wait that would succeed";
      }
      break;
    case Op::kPost:
      if (Count(e.obj, &count)) return Generation(e.obj);
      break;
    case Op::kWrite:
    case Op::kFork:
    case Op::kNotify:
      break;
  }
  return nullptr;
}

void Replay::Apply(uint32_t id) {
  const PredictTrace::Event& e = trace_.At(id);
  const uint32_t t = e.thread;
  switch (e.op) {
    case Op::kAcquire: {
      // Every acquisition and release counts, inner ones too, as the thread did them.
      LockState& l = locks_[e.obj];
      if (l.owner == t) {
        ++l.depth;
      } else if (e.shared) {
        ++l.shared;
      } else {
        l.owner = t;
        l.depth = 1;
      }
      break;
    }
    case Op::kRelease: {
      LockState& l = locks_[e.obj];
      if (l.owner == t) {
        if (--l.depth == 0) l.owner = PredictTrace::kNone;
      } else if (l.shared > 0) {
        --l.shared;
      }
      break;
    }
    case Op::kWrite:
      last_write_[Key(e)] = id;
      break;
    case Op::kNotify:
      last_notify_[e.obj] = step_;
      break;
    case Op::kPost:
      if (trace_.SemInitial(e.obj) >= 0) {
        ++sems_[e.obj];
        Begin(e.obj);
      }
      break;
    case Op::kPend:
      if (trace_.SemInitial(e.obj) >= 0) {
        --sems_[e.obj];
        Begin(e.obj);
      }
      break;
    case Op::kPendFail:
      if (trace_.SemInitial(e.obj) >= 0) Begin(e.obj);
      break;
    default:
      break;
  }
  // The thread's next event follows the initializations placed before it.
  auto& own = inits_[t];
  while (placed_[t] < own.size() && own[placed_[t]].first <= next_[t]) {
    Begin(own[placed_[t]].second);
    ++placed_[t];
  }
  ++next_[t];
  last_step_[t] = step_++;
}

bool Replay::Blocked(uint32_t t) const {
  const uint32_t id = Next(t);
  if (id == PredictTrace::kNone) return false;
  const PredictTrace::Event& e = trace_.At(id);
  switch (e.op) {
    case Op::kAcquire: {
      if (e.nested || !e.blocking) return false;
      auto l = locks_.find(e.obj);
      if (l == locks_.end()) return false;
      return (l->second.owner != PredictTrace::kNone && l->second.owner != t) ||
             (!e.shared && l->second.shared > 0);
    }
    case Op::kWake: {
      if (!e.blocking || next_[t] == 0) return false;
      auto n = last_notify_.find(e.obj);
      return n == last_notify_.end() || n->second < last_step_[t];
    }
    case Op::kPend: {
      int64_t count = 0;
      return e.blocking && Count(e.obj, &count) && count <= 0;
    }
    case Op::kJoin: {
      const uint32_t child = trace_.HotOf(id).aux;
      return child != PredictTrace::kNone && child != t &&
             next_[child] != trace_.OfThread(child).size();
    }
    default:
      return false;
  }
}

StuckState CheckStuck(const PredictTrace& trace, const std::vector<uint32_t>& schedule) {
  StuckState out;
  auto fail = [&](const std::string& why) {
    out.error = why;
    out.blocked.clear();
    return out;
  };
  Replay r(trace);
  for (uint32_t id : schedule) {
    if (const char* why = r.Check(id)) return fail(why);
    r.Apply(id);
  }
  // The end: every thread finished, never created, or blocked.
  for (uint32_t t = 0; t < trace.threads(); ++t) {
    const uint32_t id = r.Next(t);
    if (id == PredictTrace::kNone) continue;
    const uint32_t f = trace.ForkOf(t);
    if (r.Ran(t) == 0 && f != PredictTrace::kNone &&
        r.Ran(trace.HotOf(f).thread) <= trace.HotOf(f).pos) {
      continue;
    }
    if (!r.Blocked(t)) return fail("a thread can still run");
    out.blocked.push_back(id);
  }
  if (out.blocked.empty()) return fail("nothing blocks");
  return out;
}

}  // namespace threadlens::analysis
