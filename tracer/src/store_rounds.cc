// Store rounds: a thread polling through a spin lock (a test-and-set, a read of a flag, a
// release store that gives the lock back, again) repeats one round of records. A round of an
// address ends with a release store to it and starts after the thread's release store to it
// before. When the new round and the two before it, K and L, are the same records, and every
// atomic of L and of the new round found its stripe as the thread left it (no other thread
// wrote there since the thread's own previous atomic there), the new round is not written: L
// takes its sequence numbers and times, so L now stands at the new round's place in the
// merged order, and K's release store counts it (docs/trace-format.md, "Repeats"). A plain
// store right after a release fence ends a round too (`__sync_synchronize(); lock = 0;`): the
// fence before K's store counts then, as a plain record has no count.
//
// Why nothing is lost: the round L stood for before (the one dropped) acquired nothing new,
// since its reads found what the thread had left, and the new round, at L's records, reads
// the same stores again. A thread that synchronized with the dropped round's releases (a
// relaxed load and a later acquire fence leave no mark on the stripe) now synchronizes with
// K's, whose accesses are the dropped round's: it is ordered after the same accesses, and
// races, as before, with the rounds after it.
#include "store_rounds.h"

#include "process_tree.h"
#include "runtime_internal.h"
#include "spin_fold.h"
#include "tsan_thread.h"

namespace threadlens::rt {

namespace {

constexpr uint32_t kEv = sizeof(trace::Event);
using trace::EventKind;

bool IsAtomic(EventKind k) {
  return k == EventKind::kAtomicLoad || k == EventKind::kAtomicStore ||
         k == EventKind::kAtomicRmw;
}

// Rounds [a, a_end) and [b, b_end) are one round twice: the same records but for times,
// sequence numbers and the earlier's counts (the later one's atomics count nothing): plain
// accesses, atomics, and calls and returns that leave the stack as they found it.
bool SameRound(const ThreadState* ts, uint32_t a, uint32_t a_end, uint32_t b, uint32_t b_end) {
  int depth = 0;
  while (a < a_end && b < b_end) {
    trace::Event x, y;
    const uint32_t nx = RecordAt(ts, a, x), ny = RecordAt(ts, b, y);
    // (A plain access may be written whole in one round, to read the clock, and packed in
    // the other.)
    if (nx == 0 || ny == 0 || !SameOperation(x, y)) return false;
    const auto kind = static_cast<EventKind>(x.kind);
    if (kind == EventKind::kRead || kind == EventKind::kWrite) {
      if (x.aux32 != y.aux32 || x.seq != y.seq) return false;
    } else if (kind == EventKind::kFuncEntry) {
      if (x.aux32 != y.aux32) return false;
      ++depth;
    } else if (kind == EventKind::kFuncExit) {
      --depth;
    } else if (kind != EventKind::kFence && (!IsAtomic(kind) || y.aux32 != 0)) {
      return false;  // a lock, an allocation...: never counted so
    }
    a += nx;
    b += ny;
  }
  return a == a_end && b == b_end && depth == 0;
}

// Where the thread's latest three release stores of `addr` end, and their records' sizes:
// rounds K and L lie between.
bool RoundEnds(const StoreRounds& r, uint64_t addr, uint32_t (&end)[3], uint32_t (&size)[3]) {
  uint32_t n = 0;
  for (uint32_t i = 1; i <= StoreRounds::kStores && n < 3; ++i) {
    const StoreRounds::Store& s = r.rel[(r.rel_next - i) % StoreRounds::kStores];
    if (s.end == 0) break;
    if (s.addr == addr) {
      end[n] = s.end;
      size[n++] = s.size;
    }
  }
  return n == 3;
}

// The store that is to end the new round: an atomic one, or a plain one after a release fence.
struct RoundStore {
  uint64_t addr;
  uint8_t flags;
  uint16_t aux16;
  uint64_t pc;
  bool plain;
};

// The record at `at` is that store.
bool IsStore(const ThreadState* ts, uint32_t at, const RoundStore& s) {
  trace::Event e;
  if (RecordAt(ts, at, e) == 0) return false;
  if (!s.plain) return IsOperation(e, EventKind::kAtomicStore, s.flags, s.aux16, s.addr, s.pc);
  return IsOperation(e, EventKind::kWrite, 0, s.aux16, s.addr, s.pc) && e.aux32 == 0 &&
         e.seq == 0;
}

// The record that counts the rounds left out, for K's store at `store` (K starting at `k`):
// the store itself, or for a plain one the release fence right before it. Null: none.
trace::Event* CountAt(ThreadState* ts, uint32_t k, uint32_t store, bool plain) {
  if (!plain) return &FullAt(ts, store);
  if (store < k + kEv) return nullptr;
  trace::Event& fence = FullAt(ts, store - kEv);
  return fence.kind == static_cast<uint8_t>(EventKind::kFence) ? &fence : nullptr;
}

bool Fold(ThreadState* ts, const RoundStore& s) {
  StoreRounds& r = ts->store_rounds;
  if (ts->in_handler) return false;
  uint32_t end[3], size[3];  // L's, K's, and the round before K's
  if (!RoundEnds(r, s.addr, end, size) || r.not_as_left > end[1]) return false;
  // Another process may write a flag in shared memory: its atomic writes leave their mark in
  // the recording's shared memory (shared_writes.h), unless the process has none of it.
  if (!SharedRecordingOrNull() && SharedLockKey(s.addr) != 0) return false;
  EnterRecord(ts);
  ts->flush_lock.Lock();  // no foreign flush copies the rounds while they change
  bool folded = false;
  const uint32_t pos = ts->pos.load(std::memory_order_relaxed);
  // (Again: a signal handler's flush may have emptied the ring meanwhile.)
  if (RoundEnds(r, s.addr, end, size) && end[2] - 1 >= ts->flushed && end[0] - 1 <= pos) {
    const uint32_t k = end[2] - 1, l = end[1] - 1, n = end[0] - 1;
    const uint32_t k_store = l - size[1], l_store = n - size[0];
    const bool known = r.same[0] == end[2] && r.same[1] == end[1] && r.same[2] == end[0];
    trace::Event* count = nullptr;
    if (k + kEv <= l && l + kEv <= n && k_store >= k && l_store >= l &&
        IsStore(ts, l_store, s) && (count = CountAt(ts, k, k_store, s.plain)) != nullptr &&
        (known || SameRound(ts, k, l, l, n)) && SameRound(ts, l, l_store, n, pos)) {
      // L takes the new round's numbers and times, record by record (a synchronization
      // record is whole in both).
      auto size_at = [ts](uint32_t off) {
        return ts->buf[off] & trace::kPackedTag ? uint32_t{trace::kPackedSize} : kEv;
      };
      for (uint32_t x = l, y = n; y < pos; x += size_at(x), y += size_at(y)) {
        if (size_at(y) != kEv) continue;
        const trace::Event& e = FullAt(ts, y);
        if (!trace::IsSyncKind(static_cast<EventKind>(e.kind))) continue;
        trace::Event& to = FullAt(ts, x);
        __atomic_store_n(&to.seq, e.seq, __ATOMIC_RELAXED);
        __atomic_store_n(&to.ts, e.ts, __ATOMIC_RELAXED);
      }
      if (!s.plain) {
        trace::Event& store = FullAt(ts, l_store);
        __atomic_store_n(&store.seq, ts->reserved_seq, __ATOMIC_RELAXED);
        __atomic_store_n(&store.ts, ts->last_ts = Now(), __ATOMIC_RELAXED);
        ts->reserved_seq = 0;
      } else if (size[0] == kEv) {  // a plain store written whole: the time of its fence's
        __atomic_store_n(&FullAt(ts, l_store).ts, ts->last_ts, __ATOMIC_RELAXED);
      }
      if (count->aux32 != UINT32_MAX) {
        __atomic_store_n(&count->aux32, count->aux32 + 1, __ATOMIC_RELAXED);
      }
      ts->last = l_store;
      ts->pos.store(n, std::memory_order_release);
      r.Rewound(n);  // release stores of the dropped round
      r.same[0] = end[2];
      r.same[1] = end[1];
      r.same[2] = end[0];
      // A release store still ends the epoch: the next round's accesses are recorded again.
      // (A plain store's epoch began at its fence: what the thread accesses next in it, the
      // kept store stands for, as the store it drops would.)
      if (!s.plain) {
        ++ts->epoch;
        ++ts->stack_epoch;
      }
      tsan::ThreadCtx& t = tsan::tls_ctx;
      t.CloseRanges();  // an open range may have been in the dropped round
      t.spin_next = 0;  // and the loads and read-modify-writes to fold into
      t.rmw_rec[0] = t.rmw_rec[1] = 0;
      folded = true;
    }
  }
  ts->flush_lock.Unlock();
  LeaveRecord(ts);
  return folded;
}

}  // namespace

bool FoldStoreRound(ThreadState* ts, uint64_t addr, uint8_t flags, uint16_t aux16, uint64_t pc,
                    bool as_left) {
  if (!as_left || ts->reserved_seq == 0) return false;
  return Fold(ts, {addr, flags, aux16, pc, false});
}

bool FoldPlainStoreRound(ThreadState* ts, uint64_t addr, uint16_t size, uint64_t pc) {
  return Fold(ts, {addr, 0, size, pc, true});
}

}  // namespace threadlens::rt
