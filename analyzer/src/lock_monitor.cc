// Lock state machine, misuse, self-deadlock and contention (see lock_monitor.h).
#include "lock_monitor.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "threadlens/trace_format.h"

namespace threadlens::analysis {

void EndPendingRequest(ThreadCtx& t) {
  if (t.outer_pending.empty()) {
    t.pending = Pending{};
    return;
  }
  t.pending = t.outer_pending.back();
  t.outer_pending.pop_back();
}

void LockMonitor::OnCreate(uint64_t lock, uint16_t type) {
  LockState& st = locks_[lock];
  // A lock created again at the same address is a new lock (the old one was destroyed).
  if (st.destroyed) {
    st.owned = false;
    st.readers.clear();
    st.destroyed = false;
  }
  st.type = type;
}

void LockMonitor::ReportSelfDeadlock(const ThreadCtx& t, const SideRef& request,
                                     const SideRef& acquired) {
  if (!self_reported_.insert({t.tid, request.obj}).second) return;
  RawFinding f;
  f.kind = "self-deadlock";
  f.severity = Severity::kError;
  f.sides = {request, acquired};
  f.locks = {request.obj};
  f.tids = {t.tid};
  f.sort_key = request.index;
  findings_.push_back(std::move(f));
}

void LockMonitor::CheckDestroyed(const SideRef& side, LockState& st) {
  if (!st.destroyed) return;
  Misuse("lock-destroyed", side, side.obj);
  // One finding per destroy: later uses are of the same mistake.
  st.destroyed = false;
}

void LockMonitor::OnTryFailed(const SideRef& side, bool failed) {
  // glibc fails the lock of a destroyed mutex with EINVAL.
  if (failed) CheckDestroyed(side, locks_[side.obj]);
}

bool LockMonitor::OnRequest(ThreadCtx& t, const SideRef& side, uint8_t flags) {
  LockState& st = locks_[side.obj];
  CheckDestroyed(side, st);
  const bool shared = flags & trace::kShared;
  for (const Held& h : t.held) {
    if (h.lock != side.obj) continue;
    bool recursive = st.type == static_cast<uint16_t>(trace::LockType::kRecursive);
    if (!recursive && !(h.shared && shared) && !(flags & trace::kTry)) {
      // A timed lock of a lock the thread holds waits out its timeout (or fails at once): a
      // misuse, not a deadlock.
      if (flags & trace::kTimed) {
        Misuse("relock-timed", side, side.obj, {h.acquired});
        break;
      }
      ReportSelfDeadlock(t, side, h.acquired);
      t.pending = Pending{Pending::kLock, side.obj, side, flags, true};
      return true;
    }
  }
  bool contended = (st.owned && st.owner != t.tid) ||
                   (!shared && std::any_of(st.readers.begin(), st.readers.end(),
                                           [&](uint32_t r) { return r != t.tid; }));
  constexpr size_t kMaxOuterPending = 4;
  if (t.pending.kind == Pending::kLock && t.pending.obj != side.obj &&
      t.outer_pending.size() < kMaxOuterPending) {
    t.outer_pending.push_back(t.pending);
  }
  t.pending = Pending{Pending::kLock, side.obj, side, flags, contended};
  return false;
}

bool LockMonitor::OnAcquired(ThreadCtx& t, const SideRef& side, bool shared, uint8_t flags,
                             uint32_t rounds) {
  LockState& st = locks_[side.obj];
  st.stats.acquisitions += 1 + uint64_t{rounds};
  if (t.pending.kind == Pending::kLock && t.pending.obj == side.obj) {
    if (t.pending.lock_held_by_other) {
      uint64_t wait_ticks = side.ts >= t.pending.where.ts ? side.ts - t.pending.where.ts : 0;
      auto wait = static_cast<uint64_t>(static_cast<double>(wait_ticks) * ns_per_tick_);
      ++st.stats.contended;
      st.stats.total_wait_ns += wait;
      st.stats.max_wait_ns = std::max(st.stats.max_wait_ns, wait);
      AddSpan(t.tid, side.obj, 1, t.pending.where.ts, side.ts);
    }
    EndPendingRequest(t);
  } else {
    if (flags & trace::kViaCondWait) t.pending = Pending{};
    else CheckDestroyed(side, st);  // acquired with no request traced
  }
  if (!st.acquired_ever) {
    st.acquired_ever = true;
    st.first_acquire = side;
    if (taken_.size() < kTakenKept) taken_.insert(side.obj);
    if (first_taken_) first_taken_(side);
  }
  for (Held& h : t.held) {
    if (h.lock == side.obj) {
      ++h.depth;
      if (shared) st.readers.push_back(t.tid);
      else ++st.owner_depth;
      return false;
    }
  }
  Held h;
  h.lock = side.obj;
  h.shared = shared;
  h.acquired = side;
  t.held.push_back(h);
  if (shared) {
    st.readers.push_back(t.tid);
  } else {
    st.owned = true;
    st.owner = t.tid;
    st.owner_depth = 1;
    st.owner_acquire = side;
  }
  return true;
}

bool LockMonitor::ReleaseForOwner(const SideRef& side, LockState& st, bool* was_shared) {
  // The exclusive owner's hold goes, else one reader's (the unlock took one read hold).
  uint32_t holder = 0;
  if (st.owned) holder = st.owner;
  else if (!st.readers.empty()) holder = st.readers.back();
  else return false;
  std::optional<Held> h = drop_hold_ ? drop_hold_(holder, side.obj) : std::nullopt;
  if (h && h->shared) {
    auto r = std::find(st.readers.begin(), st.readers.end(), holder);
    for (uint32_t d = 0; d < h->depth && r != st.readers.end(); ++d) {
      st.readers.erase(r);
      r = std::find(st.readers.begin(), st.readers.end(), holder);
    }
  } else {
    st.owned = false;
    st.owner_depth = 0;
  }
  if (h) AddSpan(holder, side.obj, h->shared ? 2 : 0, h->acquired.ts, side.ts);
  if (was_shared) *was_shared = h && h->shared;
  return true;
}

bool LockMonitor::OnRelease(ThreadCtx& t, const SideRef& side, bool shared, bool* was_shared,
                            bool failed, uint32_t rounds_held_us) {
  LockState& st = locks_[side.obj];
  auto it = std::find_if(t.held.rbegin(), t.held.rend(),
                         [&](const Held& h) { return h.lock == side.obj; });
  if (it == t.held.rend()) {
    const bool other = (st.owned && st.owner != t.tid) || !st.readers.empty();
    std::vector<SideRef> holder;  // whose hold it was, when one thread's
    if (st.owned) holder.push_back(st.owner_acquire);
    Misuse(other ? "unlock-not-owner" : "unlock-not-held", side, side.obj, std::move(holder));
    // A failed unlock (an errorcheck mutex's EPERM) left the lock with its owner.
    return other && !failed && ReleaseForOwner(side, st, was_shared);
  }
  if (shared && !it->shared) Misuse("read-unlock-write-held", side, side.obj, {it->acquired});
  if (it->shared) {
    auto r = std::find(st.readers.begin(), st.readers.end(), t.tid);
    if (r != st.readers.end()) st.readers.erase(r);
  } else if (st.owner_depth > 0) {
    --st.owner_depth;
  }
  if (--it->depth > 0) return false;
  uint64_t hold_ticks = side.ts >= it->acquired.ts ? side.ts - it->acquired.ts : 0;
  auto hold = static_cast<uint64_t>(static_cast<double>(hold_ticks) * ns_per_tick_);
  st.stats.total_hold_ns += hold + uint64_t{rounds_held_us} * 1000;
  st.stats.max_hold_ns = std::max(st.stats.max_hold_ns, hold);
  AddSpan(t.tid, side.obj, it->shared ? 2 : 0, it->acquired.ts, side.ts);
  if (!it->shared) {
    st.owned = false;
    st.owner_depth = 0;
  }
  if (was_shared) *was_shared = it->shared;
  t.held.erase(std::next(it).base());
  return true;
}

void LockMonitor::OnDestroy(ThreadCtx& t, const SideRef& side) {
  LockState& st = locks_[side.obj];
  if (st.owned || !st.readers.empty()) Misuse("destroy-locked", side, side.obj);
  // The lock is gone: its destroyer holds it no more, even once the memory is a lock again.
  std::erase_if(t.held, [&](const Held& h) { return h.lock == side.obj; });
  if (st.owned && st.owner == t.tid) {
    st.owned = false;
    st.owner_depth = 0;
  }
  std::erase(st.readers, t.tid);
  st.destroyed = true;
}

void LockMonitor::OnThreadExit(ThreadCtx& t, const SideRef& side) {
  for (const Held& h : t.held) {
    // A lock destroyed while held (destroy-locked) is gone: holding it is the same mistake.
    if (auto it = locks_.find(h.lock); it != locks_.end() && it->second.destroyed) continue;
    SideRef acquired = h.acquired;
    Misuse("held-at-exit", side, h.lock, {acquired});
  }
}

void LockMonitor::Finish(uint64_t end_ts) {
  for (RawSpan& s : spans_) {
    if (s.end == ~0ull) s.end = end_ts;
  }
}

std::vector<uint32_t> LockMonitor::Holders(uint64_t lock) const {
  std::vector<uint32_t> out;
  auto it = locks_.find(lock);
  if (it == locks_.end()) return out;
  if (it->second.owned) out.push_back(it->second.owner);
  for (uint32_t r : it->second.readers) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
  return out;
}

void LockMonitor::Misuse(const char* subkind, const SideRef& side, uint64_t lock,
                         std::vector<SideRef> extra) {
  uint64_t site = extra.empty() ? side.site : extra.front().site;
  if (!misuse_seen_.insert({subkind, lock, site}).second) return;
  if (misuse_count_ >= max_misuse_) {
    misuse_truncated_ = true;
    return;
  }
  ++misuse_count_;
  RawFinding f;
  f.kind = "misuse";
  f.subkind = subkind;
  const std::string_view sk = subkind;
  f.severity = sk == "held-at-exit" || sk == "relock-timed" ? Severity::kWarning : Severity::kError;
  f.sides.push_back(side);
  for (SideRef& e : extra) f.sides.push_back(e);
  f.locks = {lock};
  f.tids = {side.tid};
  f.sort_key = side.index;
  findings_.push_back(std::move(f));
}

void LockMonitor::AddMisuse(RawFinding f) {
  if (misuse_count_ >= max_misuse_) {
    misuse_truncated_ = true;
    return;
  }
  ++misuse_count_;
  findings_.push_back(std::move(f));
}

void LockMonitor::AddSpan(uint32_t tid, uint64_t obj, uint8_t kind, uint64_t begin,
                          uint64_t end) {
  if (spans_.size() >= max_spans_) {
    spans_truncated_ = true;
    return;
  }
  spans_.push_back(RawSpan{tid, obj, kind, begin, end});
}

// Locks first taken at one place (one site and stack: a loop over an array of locks, a lock in
// each of many objects) make one note of their summed numbers, named by the lock waited on
// longest: ten thousand contended semaphores are one line to read, not ten thousand.
std::vector<RawFinding> LockMonitor::TakeFindings() {
  std::vector<RawFinding> out = std::move(findings_);
  findings_.clear();
  struct Group {
    ContentionStats sum;
    uint64_t lock = 0;
    const LockState* rep = nullptr;
  };
  using Key = std::tuple<uint64_t, uint32_t, uint64_t>;  // site, stack; lock if never taken
  std::map<Key, Group> groups;
  for (const auto& [lock, st] : locks_) {
    if (st.stats.contended == 0) continue;
    const Key key = st.acquired_ever ? Key{st.first_acquire.site, st.first_acquire.stack, 0}
                                     : Key{0, 0, lock};
    Group& g = groups[key];
    const ContentionStats& c = st.stats;
    g.sum.locks = g.rep ? g.sum.locks + 1 : 1;
    if (!g.rep || c.total_wait_ns > g.rep->stats.total_wait_ns ||
        (c.total_wait_ns == g.rep->stats.total_wait_ns &&
         st.first_acquire.index < g.rep->first_acquire.index)) {
      g.rep = &st;
      g.lock = lock;
    }
    g.sum.acquisitions += c.acquisitions;
    g.sum.contended += c.contended;
    g.sum.total_wait_ns += c.total_wait_ns;
    g.sum.max_wait_ns = std::max(g.sum.max_wait_ns, c.max_wait_ns);
    g.sum.total_hold_ns += c.total_hold_ns;
    g.sum.max_hold_ns = std::max(g.sum.max_hold_ns, c.max_hold_ns);
  }
  for (const auto& [key, g] : groups) {
    RawFinding f;
    f.kind = "contention";
    f.severity = Severity::kNote;
    f.contention = g.sum;
    f.locks = {g.lock};
    if (g.rep->acquired_ever) f.sides = {g.rep->first_acquire};
    // Most waiting first.
    f.sort_key = ~g.sum.total_wait_ns;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace threadlens::analysis
