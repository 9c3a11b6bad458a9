// Lock rounds: a thread polling through a lock (lock, read a flag, unlock, again) repeats one
// round of records. A round that repeats the one before it, with nobody else taking the lock
// in between (a shared hold: nobody taking it exclusively), is dropped at its release and
// counted on the earlier round's acquisition (docs/trace-format.md, "Repeats"). Why nothing
// is lost: until another thread takes the lock, the rounds order nothing with anyone, and
// each dropped access is the kept round's.
#include <cstring>

#include "process_tree.h"
#include "runtime_internal.h"
#include "spin_fold.h"
#include "tsan_thread.h"

namespace threadlens::rt {

LockStamps g_lock_stamps[1u << kLockStampBits];

namespace {

// The record at `off` as the Event it stands for; its size in the buffer.
uint32_t RecordAt(const ThreadState* ts, uint32_t off, trace::Event& e) {
  const unsigned char* p = ts->buf + off;
  if (p[0] & trace::kPackedTag) {
    uint64_t w[2];
    memcpy(w, p, sizeof w);
    return trace::UnpackRecord(w[0], w[1], 0, e) ? trace::kPackedSize : 0;
  }
  memcpy(&e, p, sizeof e);
  return sizeof(trace::Event);
}

// Rounds [a, a_end) and [b, b_end) are one round twice: the same records but for times,
// sequence numbers and the first's count; plain accesses, calls and returns that leave the
// stack as they found it, and one acquisition of `lock`, the later's uncounted. Sets
// `acq` to the earlier's acquisition and `acq_ts` to the time of the later's.
bool SameRound(const ThreadState* ts, uint32_t a, uint32_t a_end, uint32_t b, uint32_t b_end,
               uint64_t lock, uint32_t& acq, uint64_t& acq_ts) {
  using trace::EventKind;
  int depth = 0;
  bool acquired = false;
  while (a < a_end && b < b_end) {
    trace::Event x, y;
    const uint32_t nx = RecordAt(ts, a, x), ny = RecordAt(ts, b, y);
    if (nx == 0 || ny == 0 || x.kind != y.kind || x.flags != y.flags || x.aux16 != y.aux16 ||
        x.obj != y.obj || x.site != y.site) {
      return false;
    }
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
        if (acquired || x.obj != lock || y.aux32 != 0 || x.aux32 == UINT32_MAX) return false;
        acquired = true;
        acq = a;
        acq_ts = y.ts;
        break;
      default:
        return false;
    }
    a += nx;
    b += ny;
  }
  return a == a_end && b == b_end && acquired && depth == 0;
}

}  // namespace

bool FoldLockRound(ThreadState* ts, uint64_t lock, uint8_t flags, uint16_t depth, uint64_t pc) {
  if (!ts->round_ok || ts->rel_end[0] == 0 || ts->reserved_seq != 0 || ts->in_handler) {
    return false;
  }
  ts->round_ok = false;
  // Another process may take a lock in shared memory: its acquisitions leave no stamp here.
  if (SharedLockKey(lock) != 0) return false;
  // The round's records up to where the release's own would go (its call stack).
  const bool library_frame =
      ts == t_state && BeginProgramEvent(ts, trace::EventKind::kLockRelease, pc);
  EnterRecord(ts);
  ts->flush_lock.Lock();  // no foreign flush copies the round while it goes
  bool folded = false;
  const uint32_t end = ts->pos.load(std::memory_order_relaxed);
  const uint32_t a = ts->rel_end[0] - 1, b = ts->rel_end[1] - 1;  // a flush zeroes them
  constexpr uint32_t kEv = sizeof(trace::Event);
  uint32_t acq = 0;
  uint64_t acq_ts = 0;
  if (ts->rel_end[0] != 0 && a >= ts->flushed && a + kEv <= b && b <= end &&
      IsOperation(FullAt(ts, b - kEv), trace::EventKind::kLockRelease, flags, depth, lock, pc) &&
      SameRound(ts, a, b - kEv, b, end, lock, acq, acq_ts)) {
    trace::Event& first = FullAt(ts, acq);
    __atomic_store_n(&first.aux32, first.aux32 + 1, __ATOMIC_RELAXED);
    // The kept release says how long the counted rounds held the lock, in microseconds.
    const uint64_t now = Now();
    ts->round_hold += now > acq_ts ? now - acq_ts : 0;
    const double us = static_cast<double>(ts->round_hold) * 1e6 /
                      static_cast<double>(TicksPerSecond() ? TicksPerSecond() : 1);
    __atomic_store_n(&FullAt(ts, b - kEv).aux32,
                     us < UINT32_MAX ? static_cast<uint32_t>(us) : UINT32_MAX, __ATOMIC_RELAXED);
    ts->last = b - kEv;
    ts->pos.store(b, std::memory_order_release);
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
