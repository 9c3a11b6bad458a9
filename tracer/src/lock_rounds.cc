// Lock rounds: a thread polling through locks (lock, read a flag, unlock, again; or through
// nested locks, or two in turn) repeats one round of records. A round of a lock ends with a
// release of it and starts after the thread's release of it before. A round that repeats the
// one before it, with every lock either of them takes found as the thread's own previous
// acquisition left it (nobody else took it since; a shared hold: nobody took it
// exclusively), is dropped at its release and counted on the earlier round's records
// (docs/trace-format.md, "Repeats"). Why nothing is lost: until another thread takes one of
// its locks, the rounds order nothing with anyone, and each dropped access is the kept
// round's.
#include <cstring>

#include "process_tree.h"
#include "runtime_internal.h"
#include "spin_fold.h"
#include "tsan_thread.h"

namespace threadlens::rt {

LockStamps g_lock_stamps[1u << kLockStampBits];

LockStamps* SharedStampSlot(LockRounds& r, SharedKeys& keys, bool in_handler, uint64_t lock,
                            uint64_t n, uint64_t& stamp) {
  trace::SharedRecording* rec = SharedRecordingOrNull();
  if (!rec) return nullptr;
  // A number unique in the recording above the acquisition's (24 bits of it: 16 M threads
  // that took such locks, forks and channels before a number comes back).
  if (!r.shared_id) r.shared_id = RecordingToken() % ((1ull << 24) - 1) + 1;
  stamp = (r.shared_id << 40) | n;
  uint64_t key = 0;
  if (!in_handler) {
    key = CachedSharedKey(keys, lock);
  } else if (!SharedLockKeyTry(lock, key)) {
    // A handler whose interrupted code holds the table of mappings: which slot is not known,
    // so every slot takes the stamp (no poll through a shared lock counts across it).
    for (LockStamps& s : rec->lock_stamps) {
      s.any.store(stamp, std::memory_order_relaxed);
      s.exclusive.store(stamp, std::memory_order_relaxed);
    }
    return nullptr;
  }
  if (!key) return nullptr;
  return &rec->lock_stamps[(key * 0x9e3779b97f4a7c15ull) >> (64 - trace::kSharedLockStampBits)];
}

namespace {

constexpr uint32_t kEv = sizeof(trace::Event);

// What the later of two equal rounds adds to the earlier's records.
struct Counts {
  static constexpr uint32_t kMax = 8;
  uint32_t acquired[kMax];  // the earlier round's acquisitions
  uint32_t n_acquired = 0;
  struct Open {
    uint64_t lock, ts;
  } open[kMax];  // the later round's acquisitions not released yet
  uint32_t n_open = 0;
  struct Held {
    uint32_t release;  // the earlier round's release
    uint64_t ticks;    // how long the later round held that lock
  } held[kMax + 1];
  uint32_t n_held = 0;
};

// Rounds [a, a_end) and [b, b_end) are one round twice: the same records but for times,
// sequence numbers and the earlier's counts; plain accesses, calls and returns that leave the
// stack as they found it, condition waits that timed out, and acquisitions and releases that
// pair up within the round but for one acquisition of `lock`, which the round's release (not
// among these records) ends.
bool SameRound(const ThreadState* ts, uint32_t a, uint32_t a_end, uint32_t b, uint32_t b_end,
               uint64_t lock, Counts& c) {
  using trace::EventKind;
  int depth = 0;
  while (a < a_end && b < b_end) {
    trace::Event x, y;
    const uint32_t nx = RecordAt(ts, a, x), ny = RecordAt(ts, b, y);
    if (nx == 0 || ny == 0 || !SameOperation(x, y)) return false;
    switch (static_cast<EventKind>(x.kind)) {
      case EventKind::kRead:
      case EventKind::kWrite:
        if (x.aux32 != y.aux32 || x.seq != y.seq) return false;
        break;
      case EventKind::kFuncEntry:
        if (x.aux32 != y.aux32) return false;
        ++depth;
        break;
      case EventKind::kFuncExit:
        --depth;
        break;
      case EventKind::kLockAcquired:
        if (y.aux32 != 0 || x.aux32 == UINT32_MAX || c.n_acquired == Counts::kMax) return false;
        c.acquired[c.n_acquired++] = a;
        c.open[c.n_open++] = {y.obj, y.ts};
        break;
      case EventKind::kCondWaitBegin:
        if (x.aux32 != y.aux32) return false;
        break;
      case EventKind::kCondWaitEnd:
        // A wait that timed out, as a poll's does: one a signal woke is never dropped.
        if (!(y.flags & trace::kTimedOut) || x.aux32 != y.aux32) return false;
        break;
      case EventKind::kLockRelease: {
        uint32_t i = c.n_open;
        while (i > 0 && c.open[i - 1].lock != y.obj) --i;
        if (i == 0 || y.aux32 != 0) return false;  // taken before the round
        c.held[c.n_held++] = {a, y.ts > c.open[i - 1].ts ? y.ts - c.open[i - 1].ts : 0};
        c.open[i - 1] = c.open[--c.n_open];
        break;
      }
      default:
        return false;
    }
    a += nx;
    b += ny;
  }
  return a == a_end && b == b_end && depth == 0 && c.n_open == 1 && c.open[0].lock == lock;
}

// Adds `ticks` to the hold time counted on the release record at `off`.
void CountHold(ThreadState* ts, uint32_t off, uint64_t ticks) {
  LockRounds& r = ts->rounds;
  const double tps = static_cast<double>(TicksPerSecond() ? TicksPerSecond() : 1);
  trace::Event& e = FullAt(ts, off);
  LockRounds::Hold* h = nullptr;
  for (LockRounds::Hold& k : r.hold) {
    if (k.off == off + 1) h = &k;
  }
  if (!h) {  // from what the record says (a slot given to another record since)
    h = &r.hold[r.hold_next++ % LockRounds::kHolds];
    *h = {off + 1, static_cast<uint64_t>(static_cast<double>(e.aux32) * tps / 1e6)};
  }
  h->ticks += ticks;
  const double us = static_cast<double>(h->ticks) * 1e6 / tps;
  __atomic_store_n(&e.aux32, us < UINT32_MAX ? static_cast<uint32_t>(us) : UINT32_MAX,
                   __ATOMIC_RELAXED);
}

// Where the thread's latest two release records of `lock` from call site `pc` with `flags`
// end: this round and the one before it start there. (A round with two releases of the lock,
// a wait on a condition variable inside it and the unlock after, runs from one unlock to the
// next.)
bool RoundStarts(const LockRounds& r, uint64_t lock, uint8_t flags, uint64_t pc,
                 uint32_t& start, uint32_t& before) {
  start = before = 0;
  for (uint32_t i = 1; i <= LockRounds::kReleases && before == 0; ++i) {
    const LockRounds::Release& rel = r.rel[(r.rel_next - i) % LockRounds::kReleases];
    if (rel.end == 0) break;
    if (rel.lock == lock && rel.site == pc && rel.flags == flags) {
      (start == 0 ? start : before) = rel.end;
    }
  }
  // Every acquisition of the kept round L and of this one found its lock as left.
  return before != 0 && start - 1 >= r.floor && r.not_as_left <= before;
}

}  // namespace

bool FoldLockRound(ThreadState* ts, uint64_t lock, uint8_t flags, uint16_t depth, uint64_t pc) {
  LockRounds& r = ts->rounds;
  if (ts->reserved_seq != 0 || ts->in_handler) return false;
  uint32_t start, before;
  if (!RoundStarts(r, lock, flags, pc, start, before)) return false;
  // Another process may take a lock in shared memory: its acquisitions leave their stamps in
  // the recording's shared memory, unless the process has none of it.
  if (!SharedRecordingOrNull() && SharedLockKey(lock) != 0) return false;
  // The round's records up to where the release's own would go (its call stack).
  const bool library_frame =
      ts == t_state && BeginProgramEvent(ts, trace::EventKind::kLockRelease, pc);
  EnterRecord(ts);
  ts->flush_lock.Lock();  // no foreign flush copies the round while it goes
  bool folded = false;
  const uint32_t end = ts->pos.load(std::memory_order_relaxed);
  Counts c;
  // (Again: a signal handler's flush may have emptied the ring meanwhile.)
  const bool starts = RoundStarts(r, lock, flags, pc, start, before);
  const uint32_t a = before - 1, b = start - 1;
  if (starts && a >= ts->flushed && a + kEv <= b && b <= end &&
      IsOperation(FullAt(ts, b - kEv), trace::EventKind::kLockRelease, flags, depth, lock, pc) &&
      SameRound(ts, a, b - kEv, b, end, lock, c)) {
    for (uint32_t i = 0; i < c.n_acquired; ++i) {
      trace::Event& e = FullAt(ts, c.acquired[i]);
      __atomic_store_n(&e.aux32, e.aux32 + 1, __ATOMIC_RELAXED);
    }
    // The kept releases say how long the counted rounds held their locks (microseconds).
    const uint64_t now = Now();
    c.held[c.n_held++] = {b - kEv, now > c.open[0].ts ? now - c.open[0].ts : 0};
    for (uint32_t i = 0; i < c.n_held; ++i) CountHold(ts, c.held[i].release, c.held[i].ticks);
    ts->last = b - kEv;
    ts->pos.store(b, std::memory_order_release);
    ts->store_rounds.Rewound(b);  // release stores in the dropped round
    // What is kept stays: a later round starts after it.
    r.floor = b;
    for (;;) {  // the releases in the dropped round: the ring's newest
      LockRounds::Release& rel = r.rel[(r.rel_next - 1) % LockRounds::kReleases];
      if (rel.end <= start) break;
      rel = {};
      --r.rel_next;
    }
    // The release still ends the epoch: the next round's accesses are recorded again.
    ++ts->epoch;
    ++ts->stack_epoch;
    tsan::tls_ctx.CloseRanges();  // an open range may have been in the dropped round
    folded = true;
  }
  ts->flush_lock.Unlock();
  LeaveRecord(ts);
  if (library_frame) EndProgramEvent();
  return folded;
}

}  // namespace threadlens::rt
