// The recording of atomics shared by the ThreadSanitizer ABI (tsan_atomic.cc) and libatomic's
// entry points (tsan_libatomic.cc): each operation is performed with the order the program
// asked for and recorded with it, under the striped lock and sequence bracket that
// tsan_atomic.cc describes.
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>

#include "tsan_atomic_bracket.h"

namespace threadlens::rt::tsan::atomics {

// A load of a location in memory other processes share folds only while the location's count
// of writes in the recording's shared memory stays as it was (SharedWrites): their writes
// leave no mark on this process's stripes. (0 for the process's own memory.)
inline constexpr uint64_t kNoFold = kUnsettled;  // a count no fold matches (one under way)
TSAN_ALWAYS_INLINE uint64_t SharedBefore(const volatile void* a) {
  const uint64_t n = SharedWritesNow(reinterpret_cast<uintptr_t>(a));
  return Settled(n) ? n : kNoFold;
}

// Where a load of `a` now may be folded (null: nowhere): into one of the thread's last
// records, when that record is the same load, no store reached its stripe since, and every
// record after it is an atomic load (a spin over up to kSpinLoads locations: a queue's head
// and tail, a stop flag). The load reads what the record's load read, at the record's place
// in the merged order, and the loads after that record change nothing it does: a load is no
// release, so the thread's own epoch has not moved, and a load of another location only adds
// to what the thread acquired. The caller then performs the load without the stripe lock (it
// takes no sequence number) and confirms with FoldLoad.
TSAN_ALWAYS_INLINE const ThreadCtx::SpinLoad* FoldTarget(ThreadCtx* t, int mo,
                                                         const volatile void* a, uint32_t size,
                                                         uintptr_t pc) {
  if (!t || t->ignore) return nullptr;
  if (StackDirty(*t)) SyncStack(*t);  // nothing, when the calls since returned to its frame
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return nullptr;
  // Back from the last record, through the loads RecordLoad made, one right after another.
  uint32_t end = ts->last + sizeof(trace::Event);
  if (ts->pos.load(std::memory_order_relaxed) != end) return nullptr;
  const uint32_t n = std::min(t->spin_next, ThreadCtx::kSpinLoads);
  for (uint32_t j = 1; j <= n; ++j) {
    const ThreadCtx::SpinLoad& s = t->spin[(t->spin_next - j) % ThreadCtx::kSpinLoads];
    if (s.off + sizeof(trace::Event) != end || s.off < ts->flushed) return nullptr;
    const trace::Event& e = FullAt(ts, s.off);
    if (e.kind != static_cast<uint8_t>(EventKind::kAtomicLoad)) return nullptr;
    if (IsOperation(e, EventKind::kAtomicLoad, static_cast<uint8_t>(mo),
                    static_cast<uint16_t>(size), reinterpret_cast<uintptr_t>(a), pc)) {
      return Settled(s.version) && s.version == Version(a) &&
                     s.shared == SharedWritesNow(reinterpret_cast<uintptr_t>(a))
                 ? &s
                 : nullptr;
    }
    end = s.off;
  }
  return nullptr;
}

// After a load performed on the FoldTarget path: counts it on that record when the stripe is
// still unchanged.
// Every this many repeats a spinning thread yields its core. A traced spin waits longer
// than a plain one, and when there are fewer cores than runnable threads the thread it
// waits for may need this core (TSan's runtime blocks in its mutexes to the same effect).
inline constexpr uint32_t kYieldEvery = 64;

TSAN_ALWAYS_INLINE bool FoldLoad(ThreadCtx* t, int mo, const volatile void* a, uint32_t size,
                                 uintptr_t pc, ThreadCtx::SpinLoad target) {
  std::atomic_thread_fence(std::memory_order_acquire);  // the value was read first
  ThreadState* ts = t_state;
  if (Version(a) != target.version ||
      target.shared != SharedWritesNow(reinterpret_cast<uintptr_t>(a)) ||
      !FoldRepeatAt(ts, target.off, EventKind::kAtomicLoad, static_cast<uint8_t>(mo),
                    static_cast<uint16_t>(size), reinterpret_cast<uintptr_t>(a), pc)) {
    return false;
  }
  if (TL_UNLIKELY(FullAt(ts, target.off).aux32 % kYieldEvery == 0)) sched_yield();
  return true;
}

// A load, or the read of a failed compare-exchange. `before` is the stripe version read
// before the operation, `shared` the location's count of writes then (SharedBefore; kNoFold:
// not known). With `numbered`, a load that is not folded is numbered by it: false (nothing
// recorded) when the caller is to load again.
TSAN_ALWAYS_INLINE bool RecordLoad(ThreadCtx* t, int mo, const volatile void* a, uint32_t size,
                                   uintptr_t pc, uint64_t before, uint64_t shared,
                                   ReadBracket* numbered = nullptr, bool last_try = true) {
  if (!t || t->ignore) return true;
  if (StackDirty(*t)) SyncStack(*t);
  ThreadState* ts = t_state;
  if (t->spin_next && before == t->LastLoad().version && Settled(before) &&
      shared == t->LastLoad().shared && shared != kNoFold &&
      reinterpret_cast<uintptr_t>(ts) > 1 && !ts->in_runtime) {
    std::atomic_thread_fence(std::memory_order_acquire);  // the value was read first
    if (Version(a) == before && SharedWritesNow(reinterpret_cast<uintptr_t>(a)) == shared &&
        FoldRepeat(ts, EventKind::kAtomicLoad, static_cast<uint8_t>(mo),
                   static_cast<uint16_t>(size), reinterpret_cast<uintptr_t>(a), pc)) {
      return true;
    }
  }
  if (numbered && !numbered->Numbered(a, before, shared) && !last_try) return false;
  const uint8_t unchecked = t->ignore_reads ? trace::kAtomicUnchecked : 0;
  const bool state = reinterpret_cast<uintptr_t>(ts) > 1;
  const uint32_t pos = state ? ts->pos.load(std::memory_order_relaxed) : 0;
  Emit(EventKind::kAtomicLoad, static_cast<uint8_t>(mo | unchecked), static_cast<uint16_t>(size),
       0, reinterpret_cast<uintptr_t>(a), pc);
  // Only a load written is one to fold into (a fault in a flush drops the record).
  if (state && ts->pos.load(std::memory_order_relaxed) != pos) {
    t->spin[t->spin_next++ % ThreadCtx::kSpinLoads] = {before, ts->last, shared};
    const std::atomic<uint64_t>* count = SharedWrites(reinterpret_cast<uintptr_t>(a));
    NoteRecordedAtomic(t, a, before, before, {count, count ? shared : 0, count ? shared : 0});
  }
  return true;
}

template <typename T>
TSAN_ALWAYS_INLINE T Load(const volatile T* a, int mo, uintptr_t pc) {
  mo = Order(mo);
  ThreadCtx* t = Recording();
  if (const ThreadCtx::SpinLoad* target = FoldTarget(t, mo, a, sizeof(T), pc)) {
    T v = PlainLoad(a, mo);
    if (FoldLoad(t, mo, a, sizeof(T), pc, *target)) return v;
    // A store came in between: load again, in order, as a record of its own.
  }
  Scope s(t, a, mo);
  ReadBracket r(t);
  for (int tries = 0;; ++tries) {
    const uint64_t before = t ? SettledVersion(a, tries) : 0;
    const uint64_t shared = t ? SharedBefore(a) : kNoFold;
    T v = PlainLoad(a, mo);
    if (RecordLoad(t, mo, a, sizeof(T), pc, before, shared, &r, tries == kLastReload)) return v;
  }
}

template <typename T>
TSAN_ALWAYS_INLINE void Store(volatile T* a, T v, int mo, uintptr_t pc) {
  mo = Order(mo);
  ThreadCtx* t = Recording();
  Scope s(t, a, mo);
  WriteBracket w(t, a);
  if constexpr (sizeof(T) == 16) {
    PlainRmw<Op::kExchange>(a, v, mo);
  } else {
    __atomic_store_n(a, v, mo);
  }
  // A release store (or a relaxed one right after a release fence) may end a round of a poll
  // through a spin lock (store_rounds.h).
  ThreadState* ts = t_state;
  if (t && !t->ignore && reinterpret_cast<uintptr_t>(ts) > 1) {
    const uint64_t begin = w.Begin();
    const uint32_t pos = ts->pos.load(std::memory_order_relaxed);
    const bool as_left =
        NoteAtomic(t, a, begin, begin + stripe_version::kBegin + stripe_version::kEnd,
                   pos + sizeof(trace::Event) + 1, w.SharedWrite());
    if ((trace::IsReleaseOrder(static_cast<uint8_t>(mo)) || AfterReleaseFence(ts, pos)) &&
        !t->ignore_writes && !ts->in_runtime) {
      if (StackDirty(*t)) SyncStack(*t);
      if (FoldStoreRound(ts, reinterpret_cast<uintptr_t>(a), static_cast<uint8_t>(mo),
                         static_cast<uint16_t>(sizeof(T)), pc, as_left)) {
        return;
      }
    }
  }
  Record(t, EventKind::kAtomicStore, mo, a, sizeof(T), pc);
}

// The read-modify-write left the value as it found it (a test-and-set of a taken flag).
template <Op op, typename T>
TSAN_ALWAYS_INLINE bool Unchanged(T old, T v) {
  switch (op) {
    case Op::kExchange: return old == v;
    case Op::kAdd: case Op::kSub: case Op::kXor: return v == 0;
    case Op::kAnd: return (old & v) == old;
    case Op::kOr: return (old | v) == old;
    default: return false;
  }
}

// A spin on a read-modify-write that changes nothing (a test-and-set spin lock waiting),
// when no other write began on the stripe since the thread's last one's bracket ended, and
// none during this one's. Its read then acquires what the last one's did (no write came in
// between) and its write is the value already there.
// - With no release in its order it is folded into the thread's last record when that is the
//   same operation: the thread's epoch has not moved either, so its write is the record's.
// - With a release (seq_cst, the default) each try moves the thread's epoch, and a thread
//   that synchronized with one and then reads the flag plainly races with the later ones:
//   the latest try keeps a record at its own place. When the thread's last two records are
//   earlier unchanged tries (rmw_rec), the first counts the repeat and the second becomes
//   this try (FoldLatest). A try it drops released only what the first one did and the
//   thread's own epoch, with no access of the thread in between.
// Returns the count on the record then, else 0.
TSAN_ALWAYS_INLINE uint32_t FoldRmw(ThreadCtx* t, const WriteBracket& w, int mo,
                                    const volatile void* a, uint32_t size, uintptr_t pc,
                                    bool unchanged) {
  if (!t || t->ignore) return 0;
  using stripe_version::kBegin;
  using stripe_version::kEnd;
  const uint64_t begin = w.Begin(), prev_end = t->rmw_end;
  t->rmw_end = Settled(begin) ? begin + kBegin + kEnd : 0;  // this bracket's, once it ends
  // In shared memory, the same of the location's count of writes.
  const SharedSeen sw = w.SharedWrite();
  const bool shared = sw.count != nullptr;
  const uint64_t shared_begin = sw.before, prev_shared = t->rmw_shared_end;
  t->rmw_shared_end = shared && Settled(shared_begin) ? sw.after : 0;
  if (!unchanged || !Settled(begin) || begin != prev_end) return 0;
  if (shared && (!Settled(shared_begin) || shared_begin != prev_shared)) return 0;
  if (StackDirty(*t)) SyncStack(*t);
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return 0;
  std::atomic_thread_fence(std::memory_order_acquire);  // the value was read first
  if (Version(a) != begin + kBegin) return 0;
  if (shared && SharedWritesNow(reinterpret_cast<uintptr_t>(a)) != shared_begin + kBegin) return 0;
  const auto flags = static_cast<uint8_t>(mo);
  const auto aux16 = static_cast<uint16_t>(size);
  const auto obj = reinterpret_cast<uintptr_t>(a);
  if (mo == __ATOMIC_RELEASE || mo == __ATOMIC_ACQ_REL || mo == __ATOMIC_SEQ_CST) {
    if (!t->rmw_rec[0] || t->rmw_rec[1] != ts->last + 1) return 0;
    return FoldLatest(ts, t->rmw_rec[0] - 1, EventKind::kAtomicRmw, flags, aux16, obj, pc);
  }
  if (!FoldRepeat(ts, EventKind::kAtomicRmw, flags, aux16, obj, pc)) return 0;
  return FullAt(ts, ts->last).aux32;
}

// After an RMW's record: where it is, for FoldRmw (when its record was written just now, as
// one whole record at `pos`, the buffer's end before it).
TSAN_ALWAYS_INLINE void NoteRmwRecord(ThreadCtx* t, uint32_t pos, bool unchanged) {
  ThreadState* ts = t_state;
  if (!t || reinterpret_cast<uintptr_t>(ts) <= 1) return;
  const bool whole = ts->last == pos &&
                     ts->pos.load(std::memory_order_relaxed) == pos + sizeof(trace::Event);
  t->rmw_rec[0] = t->rmw_rec[1];
  t->rmw_rec[1] = whole && unchanged ? pos + 1 : 0;
}
// The buffer's end, for NoteRmwRecord (~0: no buffer).
TSAN_ALWAYS_INLINE uint32_t BufferEnd() {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) <= 1 ? ~0u : ts->pos.load(std::memory_order_relaxed);
}

template <Op op, typename T>
TSAN_ALWAYS_INLINE T Rmw(volatile T* a, T v, int mo, uintptr_t pc) {
  mo = Order(mo);
  ThreadCtx* t = Recording();
  T old;
  uint32_t repeats = 0;
  {
    Scope s(t, a, mo);
    WriteBracket w(t, a);
    old = PlainRmw<op>(a, v, mo);
    w.AfterRead();
    const bool unchanged = Unchanged<op>(old, v);
    repeats = FoldRmw(t, w, mo, a, sizeof(T), pc, unchanged);
    if (!repeats) {
      const uint32_t end = BufferEnd();
      Record(t, EventKind::kAtomicRmw, mo, a, sizeof(T), pc);
      NoteRmwRecord(t, end, unchanged);
    }
    NoteRecordedAtomic(t, a, w.Begin(), w.Begin() + stripe_version::kBegin + stripe_version::kEnd,
                       w.SharedWrite());
  }
  // Outside the stripe's lock, which the thread the spin waits for may need.
  if (TL_UNLIKELY(repeats % kYieldEvery == 0 && repeats)) sched_yield();
  return old;
}

// A failed compare-exchange only read the location: it is recorded as a load with the
// failure order, so it never counts as a release. Like a load, it is numbered only when no
// other write began on the stripe meanwhile, else performed again (a compare-exchange that
// fails has no effect; its retry is one that happened a moment later), as often as a load.
template <typename T>
TSAN_ALWAYS_INLINE bool Cas(volatile T* a, T* expected, T desired, bool weak, int mo, int fmo,
                            uintptr_t pc) {
  mo = Order(mo);
  fmo = FailOrder(mo, fmo);
  ThreadCtx* t = Recording();
  if (const ThreadCtx::SpinLoad* target = FoldTarget(t, fmo, a, sizeof(T), pc)) {
    // A spin: a compare-exchange that finds another value only loads it, with the failure
    // order. Read first; only a value that may match takes the lock and the real operation.
    T cur = PlainLoad(a, fmo);
    if (__builtin_memcmp(&cur, expected, sizeof(T)) != 0 &&
        FoldLoad(t, fmo, a, sizeof(T), pc, *target)) {
      *expected = cur;
      return false;
    }
  }
  Scope s(t, a, mo);
  const T want = *expected;
  for (int tries = 0;; ++tries) {
    const uint64_t before = t ? SettledVersion(a, tries) : 0;
    const uint64_t shared = t ? SharedBefore(a) : kNoFold;
    bool ok;
    {
      WriteBracket w(t, a);
      ok = PlainCas(a, expected, desired, weak, mo, fmo);
      if (ok) {
        w.AfterRead();
        Record(t, EventKind::kAtomicRmw, mo, a, sizeof(T), pc);
        NoteRecordedAtomic(t, a, w.Begin(),
                           w.Begin() + stripe_version::kBegin + stripe_version::kEnd,
                           w.SharedWrite());
      } else if (!w.NumberRead(before) && tries < kLastReload) {
        *expected = want;
        continue;  // ends the bracket
      } else {
        RecordLoad(t, fmo, a, sizeof(T), pc, before, shared);
      }
    }
    // A failed one wrote nothing: when its own bracket is all that moved the version, the
    // thread's next spin may fold into the load just recorded.
    const uint64_t own = before + stripe_version::kBegin + stripe_version::kEnd;
    if (!ok && t && !t->ignore && t->spin_next && Version(a) == own) {
      t->LastLoad().version = own;
      // (In shared memory, the same of its count, raised by this bracket alone; the process's
      // own memory counts 0.)
      const uint64_t now = SharedWritesNow(reinterpret_cast<uintptr_t>(a));
      const bool own_only = now == shared + stripe_version::kBegin + stripe_version::kEnd;
      t->LastLoad().shared = now == 0 || own_only ? now : kNoFold;
    }
    return ok;
  }
}


}  // namespace threadlens::rt::tsan::atomics
