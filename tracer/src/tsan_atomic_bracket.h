// The stripes, locks and sequence brackets under which every recorded atomic is performed
// and numbered (tsan_atomic.cc describes the scheme); tsan_atomic_ops.h builds the
// operations on them.
#pragma once

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "stripe_version.h"
#include "tsan_atomic_plain.h"
#include "tsan_thread.h"

namespace threadlens::rt::tsan::atomics {

using trace::EventKind;
using trace::MemoryOrder;

struct alignas(64) Stripe {
  std::atomic<uint32_t> locked{0};
  std::atomic<uint64_t> version{0};  // stores and RMWs recorded here (stripe_version.h)
  std::atomic<uint64_t> last_seq{0};  // the largest number a store or RMW here was given
};
inline constexpr size_t kStripes = 256;
using stripe_version::Settled;
extern Stripe stripes[kStripes];  // tsan_atomic.cc
// At least the number of the last release fence (release, acq_rel or seq_cst): a plain store
// after one releases (a C spin lock's unlock), and no stripe sees that store.
extern std::atomic<uint64_t> last_release_fence;  // tsan_atomic.cc

// Raises `last` to `seq`, ordered before the stores that follow.
inline void RaiseTo(std::atomic<uint64_t>& last, uint64_t seq) {
  uint64_t cur = last.load(std::memory_order_relaxed);
  while (cur < seq && !last.compare_exchange_weak(cur, seq, std::memory_order_relaxed)) {
  }
  std::atomic_thread_fence(std::memory_order_release);
}

inline uint32_t StripeIndex(const volatile void* a) {
  auto x = reinterpret_cast<uintptr_t>(a);
  return static_cast<uint32_t>(((x >> 3) ^ (x >> 12)) & (kStripes - 1));
}
inline Stripe& StripeFor(const volatile void* a) { return stripes[StripeIndex(a)]; }


// The ABI's morder is the C++ memory_order value, possibly with high flag bits (e.g.
// HLE hints from GCC's builtins) that do not change the ordering.
TSAN_ALWAYS_INLINE int Order(int mo) {
  mo &= 0x7fff;
  return mo > 5 ? __ATOMIC_SEQ_CST : mo;
}
// A failure order may not be stronger than the success order nor release-flavoured.
TSAN_ALWAYS_INLINE int FailOrder(int mo, int fmo) {
  fmo = Order(fmo);
  if (fmo > mo && mo != __ATOMIC_ACQ_REL && mo != __ATOMIC_RELEASE) fmo = mo;
  if (fmo == __ATOMIC_RELEASE) fmo = __ATOMIC_RELAXED;
  if (fmo == __ATOMIC_ACQ_REL) fmo = __ATOMIC_ACQUIRE;
  return fmo;
}

// Holds the stripe of an address while a non-relaxed atomic is performed and recorded; with
// `always`, whatever the order and thread (libatomic's generic calls copy their bytes under
// it, so that each is atomic against the others: tsan_libatomic.cc). Not again inside an
// atomic of the same thread (a signal handler's).
class Scope {
 public:
  Scope(ThreadCtx* t, const volatile void* a, int mo, bool always = false) {
    if (t ? t->in_atomic : !always) return;
    if (!always && mo == __ATOMIC_RELAXED) return;
    stripe_ = &StripeFor(a);
    for (int spins = 0; stripe_->locked.exchange(1, std::memory_order_acquire); ++spins) {
      if (spins > 64) syscall(SYS_sched_yield);  // not the interceptor: no schedule step
    }
    t_ = t;
    if (t) ++t->in_atomic;
  }
  ~Scope() {
    if (!stripe_) return;
    if (t_) --t_->in_atomic;
    stripe_->locked.store(0, std::memory_order_release);
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Stripe* stripe_ = nullptr;
  ThreadCtx* t_ = nullptr;
};

TSAN_ALWAYS_INLINE void Record(ThreadCtx* t, EventKind kind, int mo, const volatile void* a,
                               uint32_t size, uintptr_t pc) {
  if (!t || t->ignore) return;
  // Under IgnoreWritesBegin (a read-modify-write: either ignore) the store is no access,
  // as in code that hides its own synchronization (absl::Mutex's semaphore post).
  const bool unchecked = t->ignore_writes || (kind == EventKind::kAtomicRmw && t->ignore_reads);
  EmitMemory(*t, kind, static_cast<uint8_t>(mo | (unchecked ? trace::kAtomicUnchecked : 0)),
             static_cast<uint16_t>(size), reinterpret_cast<uintptr_t>(a), pc);
}

TSAN_ALWAYS_INLINE uint64_t Version(const volatile void* a) {
  return StripeFor(a).version.load(std::memory_order_relaxed);
}
// Before a recorded store or RMW writes: a load that sees its value then sees the bump.
// Returns the version before it.
TSAN_ALWAYS_INLINE uint64_t Bump(ThreadCtx* t, const volatile void* a) {
  if (!t || t->ignore) return 0;
  const uint64_t v = StripeFor(a).version.fetch_add(stripe_version::kBegin,
                                                    std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  return v;
}

// A location in memory other processes share: its count of writes in the recording's shared
// memory as an atomic found it and left it (`count` null: the process's own memory).
struct SharedSeen {
  const std::atomic<uint64_t>* count = nullptr;
  uint64_t before = 0, after = 0;
};

// An atomic of the thread on `a` found the stripe's version `before` and left it at `after`
// (store_rounds.h), and the location's count in shared memory as `shared` says; `end`: where
// its record ends, + 1. True when it found both as the thread's own previous atomic there
// left them.
TSAN_ALWAYS_INLINE bool NoteAtomic(ThreadCtx* t, const volatile void* a, uint64_t before,
                                   uint64_t after, uint32_t end, const SharedSeen& shared = {}) {
  ThreadState* ts = t_state;
  if (!t || t->ignore || reinterpret_cast<uintptr_t>(ts) <= 1) return false;
  const bool settled = Settled(before);
  bool as_left = ts->store_rounds.NoteAtomic(
      StripeIndex(a), settled ? before : StoreRounds::kUnknown, after, end);
  if (shared.count) {  // its count as one more stripe, past the process's own
    const bool known = Settled(shared.before);
    const bool count_left = ts->store_rounds.NoteAtomic(
        static_cast<uint32_t>(kStripes) + SharedCountId(shared.count),
        known ? shared.before : StoreRounds::kUnknown, shared.after, end);
    as_left = as_left && count_left;
  }
  return as_left;
}
// The same after its record: where the buffer ends now.
TSAN_ALWAYS_INLINE void NoteRecordedAtomic(ThreadCtx* t, const volatile void* a,
                                           uint64_t before, uint64_t after,
                                           const SharedSeen& shared = {}) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1) return;
  NoteAtomic(t, a, before, after, ts->pos.load(std::memory_order_relaxed) + 1, shared);
}

// A location's count of writes in shared memory (shared_writes.h) with a write under way.
inline constexpr uint64_t kUnsettled = ~0ull;

// Numbers a read of `a` (a load, or a failed compare-exchange) once it read: draws ts's
// reserved number, then checks that the stripe's version is still `before` (settled, read
// just before the read) plus `own` (the reader's own bracket), and that the location's count
// in shared memory is `shared` (0 for the process's own memory; kUnsettled: a write was under
// way). False, and no number, when a write was under way at `before` or began since:
// numbered before this read's number, it would seem to be the value the read returned.
TSAN_ALWAYS_INLINE bool NumberAfterRead(ThreadState* ts, const volatile void* a,
                                        uint64_t before, uint64_t own, uint64_t shared) {
  ts->reserved_seq = 0;
  if (!Settled(before) || shared == kUnsettled) return false;
  std::atomic_thread_fence(std::memory_order_acquire);  // the value was read first
  // A locked add on x86: the version below is read after the number is drawn.
  ts->reserved_seq = g_seq->fetch_add(1, std::memory_order_seq_cst) + 1;
  // (In shared memory, no write of another process either: the location's count.)
  if (Version(a) == before + own && SharedWritesNow(reinterpret_cast<uintptr_t>(a)) == shared) {
    return true;
  }
  ts->reserved_seq = 0;  // a gap in the numbers
  return false;
}

// Brackets a store, RMW or compare-exchange of `a` by a recording thread:
// - The stripe's version counts the write as begun and as under way until it is visible
//   (a seqlock): a load folds only across a settled, unchanged version, so a load that read
//   the new value is never folded into a record of one that read the old.
// - The record is numbered before the value becomes visible, as a release is numbered
//   before the real unlock: a load that reads the value, a relaxed one included (relaxed
//   operations take no stripe lock, yet pair with fences), is numbered after it.
// - Signal handlers are held back until the bracket ends, so the thread's records stay in
//   number order.
class WriteBracket {
 public:
  WriteBracket(ThreadCtx* t, const volatile void* a) {
    if (!t || t->ignore) return;
    a_ = a;
    ThreadState* ts = t_state;
    if (reinterpret_cast<uintptr_t>(ts) > 1 && !ts->in_runtime) {
      ts_ = ts;
      EnterRecord(ts);
    }
    // A location in memory other processes share: its count in the recording's shared memory
    // too, which their stripes do not see.
    shared_ = CountSharedWrite(reinterpret_cast<uintptr_t>(a), shared_before_);
    begin_ = Bump(t, a);
    if (ts_) {
      ts_->reserved_seq = g_seq->fetch_add(1, std::memory_order_relaxed) + 1;
      Publish(ts_->reserved_seq);
    }
  }
  // After a read-modify-write: a write numbered after this one may have reached the location
  // before it, without the stripe lock (a relaxed store or RMW), and been the value it read.
  // So may a plain store after a release fence. Numbered again then, after every write
  // published on the stripe and every release fence: a read is numbered after the write it
  // read, as a load is.
  void AfterRead() {
    if (!ts_) return;
    std::atomic_thread_fence(std::memory_order_acquire);  // the value was read first
    const std::atomic<uint64_t>* shared_last = shared_ ? SharedLastSeq(shared_) : nullptr;
    if (StripeFor(a_).last_seq.load(std::memory_order_relaxed) <= ts_->reserved_seq &&
        last_release_fence.load(std::memory_order_relaxed) <= ts_->reserved_seq &&
        (!shared_last || shared_last->load(std::memory_order_relaxed) <= ts_->reserved_seq)) {
      return;
    }
    ts_->reserved_seq = g_seq->fetch_add(1, std::memory_order_relaxed) + 1;
    Publish(ts_->reserved_seq);
  }
  ~WriteBracket() {
    if (!a_) return;
    if (ts_) ts_->reserved_seq = 0;  // unused (a failed compare-exchange): a gap in the numbers
    // After the write: no longer under way.
    StripeFor(a_).version.fetch_add(stripe_version::kEnd, std::memory_order_release);
    if (shared_) EndSharedWrite(shared_);
    if (ts_) LeaveRecord(ts_);
  }
  // The operation only read (a failed compare-exchange): its record is numbered after it,
  // as a load's is (NumberAfterRead; this bracket's begin is its own). `before`: the
  // version read before the operation.
  bool NumberRead(uint64_t before) {
    const uint64_t shared = !shared_                     ? 0
                            : Settled(shared_before_) ? shared_before_ + stripe_version::kBegin
                                                      : kUnsettled;
    return !ts_ || NumberAfterRead(ts_, a_, before, stripe_version::kBegin, shared);
  }
  // The stripe's version just before this write began.
  uint64_t Begin() const { return begin_; }
  // For a location in shared memory: its count just before this write began, and once this
  // bracket ends (count null: the process's own memory).
  SharedSeen SharedWrite() const {
    using stripe_version::kBegin, stripe_version::kEnd;
    return {shared_, shared_before_, shared_before_ + kBegin + kEnd};
  }
  WriteBracket(const WriteBracket&) = delete;
  WriteBracket& operator=(const WriteBracket&) = delete;

 private:
  // Raises the stripe's last number to `seq` (for a write's own number, before the write), and
  // in shared memory the location's.
  void Publish(uint64_t seq) {
    RaiseTo(StripeFor(a_).last_seq, seq);
    if (std::atomic<uint64_t>* last = shared_ ? SharedLastSeq(shared_) : nullptr) {
      RaiseTo(*last, seq);
    }
  }

  ThreadState* ts_ = nullptr;
  const volatile void* a_ = nullptr;
  uint64_t begin_ = 0;
  std::atomic<uint64_t>* shared_ = nullptr;
  uint64_t shared_before_ = 0;
};

// Numbers a load after it read and before its record, when no write began on the stripe
// in between. A store or RMW takes its number before its value becomes visible, but a
// relaxed one takes no stripe lock: numbered after this load read the older value and
// before the load's own number, it would seem to be the value the load read (an acquire
// load would acquire nothing from the release store it did read, nor would the thread's
// next acquire fence). A load that saw a write begin loads again: any later value is one it
// may return.
class ReadBracket {
 public:
  explicit ReadBracket(ThreadCtx* t) {
    if (!t || t->ignore) return;
    ThreadState* ts = t_state;
    if (reinterpret_cast<uintptr_t>(ts) > 1 && !ts->in_runtime) {
      ts_ = ts;
      EnterRecord(ts);  // a handler's record may not take a number between
    }
  }
  // Draws the load's number (NumberAfterRead); `before`: the version read before the load,
  // `shared` its location's count in shared memory then (0: none; SharedBefore).
  bool Numbered(const volatile void* a, uint64_t before, uint64_t shared) {
    return !ts_ || NumberAfterRead(ts_, a, before, 0, shared);
  }
  ~ReadBracket() {
    if (!ts_) return;
    ts_->reserved_seq = 0;
    LeaveRecord(ts_);
  }
  ReadBracket(const ReadBracket&) = delete;
  ReadBracket& operator=(const ReadBracket&) = delete;

 private:
  ThreadState* ts_ = nullptr;
};
// Loads again while writes keep beginning on the stripe: kReloads times after a brief wait
// each, then up to kLastReload after waiting out a write under way, then records the last
// one as it is.
inline constexpr int kReloads = 16;
inline constexpr int kLastReload = kReloads + 8;

// The stripe version of `a` once no write is under way there (a write between its number
// and its end, which waits for nothing). Waited for briefly on the first kReloads tries.
// Past them the writer has lost its core (more runnable threads than cores): its number is
// drawn and its value not yet visible, so a load numbered now would seem to read it. It is
// waited out then, this thread yielding its core, though not for ever (a writer stopped in
// a debugger).
TSAN_ALWAYS_INLINE uint64_t SettledVersion(const volatile void* a, int tries) {
  uint64_t v = Version(a);
  for (int spins = 0; !Settled(v) && spins < 1024; ++spins) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    v = Version(a);
  }
  for (int yields = 0; !Settled(v) && tries >= kReloads && yields < 10000; ++yields) {
    syscall(SYS_sched_yield);  // not the interceptor: no schedule step
    v = Version(a);
  }
  return v;
}

}  // namespace threadlens::rt::tsan::atomics
