// The witness checker: validates a predicted schedule (Finding::witness) against the trace it
// came from, knowing nothing of how the predictor found it. A witness passes when replaying it
// is a real execution of the program that deadlocks:
//  - each thread's steps are a prefix of its own events in the trace, in order;
//  - a thread runs only after its creation; a join only after the joined thread's last event;
//  - no acquisition of a lock another thread holds, no release of a lock not held;
//  - every read reads from the same writes as in the trace: for each byte it reads, the last
//    write of that byte (a variable of an STD trace is one byte at its number);
//  - a wake-up comes after a notification of its condition variable;
//  - a semaphore whose trace records its initial count (each sem_init starts a new one at that
//    address; uses before the first leave it unknown): a wait that returned takes one of its
//    count, which must be positive; a failed try or timed wait (a step then) finds it zero;
//  - a deadlock's schedule ends with requests of distinct threads, each the thread's next
//    event, each an acquisition of a lock another of them holds: all of them blocked;
//  - a race's ends with two accesses of one variable by two threads, each the thread's next
//    event, at least one a write: both ready at once;
//  - a predicted hang or deadlock through a condition wait (kinds `hang`, `deadlock`) ends
//    with the whole program stuck: every thread has run all its events, was never created, or
//    ends with its next event, blocked: a `request` of a lock another thread holds, a `wait`
//    (a wake-up) with no notification of its condition variable since the wait began, a
//    `sem-wait` (a sem_wait's return) on a semaphore of known count that is zero, a
//    `join-blocked` of a thread that has not finished. At least one thread waits.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens::testing {

// The events of `source`, in stream order (event_index = position).
inline std::vector<StreamEvent> ReadAll(EventSource& source) {
  std::vector<StreamEvent> out;
  StreamEvent e;
  while (source.Next(e)) out.push_back(e);
  return out;
}

// The events a schedule is made of; an atomic read-modify-write is two steps (read, write).
inline int StepsOf(const StreamEvent& e) {
  using K = trace::EventKind;
  switch (e.kind()) {
    case K::kLockRelease:
      return (e.ev.flags & trace::kFailed) ? 0 : 1;
    case K::kCondWaitEnd:
      return (e.ev.flags & trace::kTimedOut) ? 0 : 1;
    case K::kSemWaitEnd:
      return (e.ev.flags & trace::kFailed) ? 0 : 1;
    case K::kThreadCreate:
    case K::kThreadJoin:
      return (e.ev.flags & trace::kFailed) ? 0 : 1;
    case K::kAtomicRmw:
      return 2;
    case K::kLockAcquired:
    case K::kLockTryFailed:
    case K::kRead:
    case K::kWrite:
    case K::kAtomicLoad:
    case K::kAtomicStore:
    case K::kCondSignal:
    case K::kCondBroadcast:
    case K::kSemPost:
    case K::kHappensBefore:
    case K::kHappensAfter:
    case K::kSignalSend:
    case K::kSignalEnter:
      return 1;
    default:
      return 0;
  }
}

// "" when the witness is a real deadlocking execution, else what is wrong with it.
inline std::string CheckWitness(const std::vector<StreamEvent>& stream, const Finding& f) {
  using K = trace::EventKind;
  if (f.witness.empty()) return "no witness";
  if (f.witness_omitted) return "witness cut (raise max_witness_steps)";
  std::map<uint32_t, std::vector<uint64_t>> own;  // tid -> its step indices, in order
  // Semaphores: each init starts a generation (a semaphore reused at its address is a new
  // one), up to 16; the count of each where known. A failed wait is a step once an init was
  // seen.
  using Sem = std::pair<uint64_t, int>;  // address, generation
  std::map<uint64_t, int> generation;
  std::map<Sem, int64_t> sem_count;
  std::set<Sem> sem_unknown;
  std::vector<Sem> sem_of(stream.size());
  // Where each generation began: its thread, and how many of its steps came before.
  std::map<Sem, std::pair<uint32_t, size_t>> sem_init_at;
  std::map<uint32_t, std::vector<std::pair<size_t, Sem>>> inits_of;  // tid -> in order
  for (uint64_t i = 0; i < stream.size(); ++i) {
    const StreamEvent& e = stream[i];
    auto g = generation.find(e.ev.obj);
    if (e.kind() == K::kSemInit) {
      Sem begun{e.ev.obj, 0};
      if (g == generation.end()) {
        generation[e.ev.obj] = 0;
      } else if (g->second == 15) {
        sem_unknown.insert({e.ev.obj, 15});
        continue;
      } else {
        begun.second = ++g->second;
      }
      sem_count[begun] = e.ev.aux32;
      sem_init_at[begun] = {e.tid, own[e.tid].size()};
      inits_of[e.tid].push_back({own[e.tid].size(), begun});
    } else if (e.kind() == K::kSemPost || e.kind() == K::kSemWaitEnd) {
      sem_of[i] = {e.ev.obj, g == generation.end() ? 0 : g->second};
      if (g == generation.end()) sem_unknown.insert(sem_of[i]);  // used before its init
    }
    int steps = StepsOf(e);
    if (e.kind() == K::kSemWaitEnd && (e.ev.flags & trace::kFailed) && g != generation.end())
      steps = 1;
    for (int k = 0; k < steps; ++k) own[e.tid].push_back(i);
  }
  for (const Sem& s : sem_unknown) sem_count.erase(s);
  // A binary trace records a wait's re-acquisition of the mutex before the wait's end; the
  // thread is woken first, then takes the mutex back.
  for (auto& [tid, steps] : own) {
    for (size_t i = 0; i + 1 < steps.size(); ++i) {
      const StreamEvent& a = stream[steps[i]];
      if (a.kind() == K::kLockAcquired && (a.ev.flags & trace::kViaCondWait) &&
          stream[steps[i + 1]].kind() == K::kCondWaitEnd) {
        std::swap(steps[i], steps[i + 1]);
        ++i;
      }
    }
  }
  std::map<uint32_t, size_t> done;                      // tid -> steps replayed
  std::map<uint64_t, int> live;                         // semaphore -> latest generation begun
  std::map<uint32_t, size_t> placed;                    // tid -> its initializations placed
  std::map<uint64_t, std::pair<uint32_t, int>> holder;  // lock -> (tid, depth)
  std::map<uint64_t, uint64_t> last_write;              // byte -> stream index
  std::map<uint64_t, size_t> notified;   // condition variable -> step of its last notify
  std::map<uint32_t, size_t> last_step;  // thread -> its latest step so far
  size_t step = 0;
  std::set<uint32_t> created, requesters;
  std::vector<const WitnessStep*> requests;
  // The bytes an access covers: its size, or a range's length; STD accesses have neither.
  auto bytes = [&](uint64_t i) -> std::pair<uint64_t, uint64_t> {
    const trace::Event& ev = stream[i].ev;
    const uint64_t size = ev.aux16 ? ev.aux16 : ev.seq ? std::min<uint64_t>(ev.seq, 1 << 16) : 1;
    return {ev.obj, size};
  };
  auto is_write = [&](uint64_t i, size_t nth) {
    const K k = stream[i].kind();
    return k == K::kWrite || k == K::kAtomicStore || (k == K::kAtomicRmw && nth == 1);
  };
  // Per byte, the trace's writes of it in order, built at the first read checked: a read's
  // writer in the trace is the last of them before it.
  std::unordered_map<uint64_t, std::vector<uint64_t>> writes_by_byte;
  bool writes_indexed = false;
  auto writes_of = [&](uint64_t byte) -> const std::vector<uint64_t>& {
    if (!writes_indexed) {
      writes_indexed = true;
      for (uint64_t i = 0; i < stream.size(); ++i) {
        if (!StepsOf(stream[i]) || !(is_write(i, 0) || stream[i].kind() == K::kAtomicRmw))
          continue;
        auto [begin, size] = bytes(i);
        for (uint64_t byte = begin; byte < begin + size; ++byte) writes_by_byte[byte].push_back(i);
      }
    }
    static const std::vector<uint64_t> kNoWrites;
    auto it = writes_by_byte.find(byte);
    return it == writes_by_byte.end() ? kNoWrites : it->second;
  };
  for (const WitnessStep& w : f.witness) {
    if (w.event_index >= stream.size()) return "step past the trace's end";
    const StreamEvent& e = stream[w.event_index];
    if (e.tid != w.tid) return "step " + w.op + " names thread " + w.thread + ", not its event's";
    const auto& mine = own[e.tid];
    size_t& n = done[e.tid];
    if (w.op == "request" || w.op == "race-read" || w.op == "race-write" || w.op == "wait" ||
        w.op == "join-blocked" || w.op == "sem-wait") {
      if (n >= mine.size() || mine[n] != w.event_index)
        return w.thread + ": " + w.op + " is not its next event";
      if (w.op == "request" && e.kind() != K::kLockAcquired)
        return w.thread + ": request is not a lock acquisition";
      if (w.op == "wait" && e.kind() != K::kCondWaitEnd)
        return w.thread + ": wait is not the end of a condition wait";
      if (w.op == "join-blocked" && e.kind() != K::kThreadJoin)
        return w.thread + ": join-blocked is not a join";
      if (w.op == "sem-wait" && (e.kind() != K::kSemWaitEnd ||
                                 (e.ev.flags & (trace::kTry | trace::kTimed | trace::kFailed))))
        return w.thread + ": sem-wait is not the end of a sem_wait";
      if (!requesters.insert(e.tid).second) return w.thread + " ends twice";
      requests.push_back(&w);
      continue;
    }
    if (!requests.empty()) return "a step after the final requests";
    if (n >= mine.size() || mine[n] != w.event_index) {
      return w.thread + ": step " + std::to_string(w.event_index) + " (" + w.op +
             ") is not its next event in program order";
    }
    const size_t nth = n > 0 && mine[n - 1] == w.event_index ? 1 : 0;  // rmw's second step
    // The initializations the thread made before this step begin their generations now.
    for (size_t& p = placed[e.tid]; p < inits_of[e.tid].size() && inits_of[e.tid][p].first <= n;
         ++p) {
      const Sem& begun = inits_of[e.tid][p].second;
      live[begun.first] = std::max(live.count(begun.first) ? live[begun.first] : 0, begun.second);
    }
    ++n;
    if (n == 1 && e.kind() != K::kThreadStart) {
      // The thread's first step: its creation must be done, if the trace has one.
      for (const StreamEvent& c : stream) {
        if (c.kind() == K::kThreadCreate && c.ev.obj == e.tid && !created.count(e.tid)) {
          return w.thread + " runs before its creation";
        }
      }
    }
    switch (e.kind()) {
      case K::kThreadCreate:
        created.insert(static_cast<uint32_t>(e.ev.obj));
        break;
      case K::kThreadJoin:
        if (done[static_cast<uint32_t>(e.ev.obj)] != own[static_cast<uint32_t>(e.ev.obj)].size()) {
          return w.thread + " joins a thread that has not finished";
        }
        break;
      case K::kLockAcquired: {
        auto& h = holder[e.ev.obj];
        if (h.second > 0 && h.first != e.tid)
          return w.thread + " acquires a lock another thread holds";
        h = {e.tid, h.second + 1};
        break;
      }
      case K::kLockRelease: {
        auto& h = holder[e.ev.obj];
        if (h.second == 0 || h.first != e.tid)
          return w.thread + " releases a lock it does not hold";
        --h.second;
        break;
      }
      case K::kCondSignal:
      case K::kCondBroadcast:
        notified[e.ev.obj] = step;
        break;
      case K::kSemPost:
      case K::kSemWaitEnd: {
        const Sem& sem = sem_of[w.event_index];
        auto c = sem_count.find(sem);
        if (c == sem_count.end()) break;
        const auto& [init_tid, before] = sem_init_at.at(sem);
        if (done[init_tid] < before) return w.thread + " uses a semaphore before its sem_init";
        if (live.count(sem.first) && live[sem.first] > sem.second)
          return w.thread + " uses a semaphore initialized again since";
        live[sem.first] = sem.second;
        if (e.kind() == K::kSemPost) {
          ++c->second;
          break;
        }
        if (e.ev.flags & trace::kFailed) {
          if (c->second > 0) return w.thread + "'s failed wait would take a post";
        } else if (c->second-- <= 0) {
          return w.thread + " takes from a semaphore whose count is zero";
        }
        break;
      }
      case K::kCondWaitEnd:
        // A notification after the waiter's previous step (its release of the mutex as it
        // began to wait): one sent before the wait would have woken nobody.
        if (!notified.count(e.ev.obj) ||
            (last_step.count(e.tid) && notified[e.ev.obj] < last_step[e.tid])) {
          return w.thread + " wakes without a notification since it began to wait";
        }
        break;
      default:
        break;
    }
    const K k = e.kind();
    const bool reads = k == K::kRead || k == K::kAtomicLoad || (k == K::kAtomicRmw && nth == 0);
    if (reads) {
      // Per byte read: its last writer in the trace, and in the schedule so far.
      auto [begin, size] = bytes(w.event_index);
      for (uint64_t byte = begin; byte < begin + size; ++byte) {
        uint64_t writer = ~0ull;
        const auto& writes = writes_of(byte);
        auto it = std::lower_bound(writes.begin(), writes.end(), w.event_index);
        if (it != writes.begin()) writer = *(it - 1);
        auto lw = last_write.find(byte);
        const uint64_t now = lw == last_write.end() ? ~0ull : lw->second;
        if (now != writer)
          return w.thread + " reads " + w.object + " from another write than in the trace";
      }
    }
    if (is_write(w.event_index, nth)) {
      auto [begin, size] = bytes(w.event_index);
      for (uint64_t byte = begin; byte < begin + size; ++byte) last_write[byte] = w.event_index;
    }
    last_step[e.tid] = step++;
  }
  if (f.kind == "hang" || f.kind == "deadlock") {
    bool waits = false;
    std::set<uint32_t> ends;
    for (const WitnessStep* r : requests) {
      const StreamEvent& e = stream[r->event_index];
      ends.insert(e.tid);
      if (r->op == "request") {
        const auto& h = holder[e.ev.obj];
        if (h.second == 0 || h.first == r->tid) return r->thread + "'s request is not blocked";
      } else if (r->op == "wait") {
        waits = true;
        if (!last_step.count(e.tid)) return r->thread + " waits before it began to wait";
        if (notified.count(e.ev.obj) && notified[e.ev.obj] > last_step[e.tid])
          return r->thread + " was notified since it began to wait";
      } else if (r->op == "sem-wait") {
        waits = true;
        auto c = sem_count.find(sem_of[r->event_index]);
        if (c == sem_count.end()) return r->thread + " waits on a semaphore of unknown count";
        if (c->second > 0) return r->thread + "'s semaphore has a post left";
      } else if (r->op == "join-blocked") {
        const uint32_t child = static_cast<uint32_t>(e.ev.obj);
        if (done[child] == own[child].size()) return r->thread + " joins a finished thread";
      } else {
        return "a stuck schedule ends with " + r->op;
      }
    }
    if (!waits) return "no thread waits on a condition variable or a semaphore";
    for (const auto& [tid, steps] : own) {
      if (done[tid] == steps.size() || ends.count(tid)) continue;
      bool creatable = false;
      for (const StreamEvent& c : stream) {
        creatable |= c.kind() == K::kThreadCreate && c.ev.obj == tid;
      }
      if (done[tid] == 0 && creatable && !created.count(tid)) continue;  // never started
      return "thread " + std::to_string(tid) + " can still run at the end";
    }
    return "";
  }
  if (!requests.empty() && requests[0]->op != "request") {
    if (requests.size() != 2) return "a race ends with two accesses";
    const StreamEvent& a = stream[requests[0]->event_index];
    const StreamEvent& b = stream[requests[1]->event_index];
    auto writes = [](const StreamEvent& x) {
      return x.kind() == K::kWrite || x.kind() == K::kAtomicStore || x.kind() == K::kAtomicRmw;
    };
    auto access = [&](const StreamEvent& x) {
      return writes(x) || x.kind() == K::kRead || x.kind() == K::kAtomicLoad;
    };
    if (!access(a) || !access(b) || a.ev.obj != b.ev.obj)
      return "the racing steps are no accesses of one variable";
    if (!writes(a) && !writes(b)) return "two reads do not race";
    return "";
  }
  if (requests.size() < 2) return "fewer than two blocked requests at the end";
  for (const WitnessStep* r : requests) {
    const auto& h = holder[stream[r->event_index].ev.obj];
    if (h.second == 0 || h.first == r->tid || !requesters.count(h.first)) {
      return r->thread + "'s request of " + r->object + " is not blocked by another requester";
    }
  }
  return "";
}

}  // namespace threadlens::testing
