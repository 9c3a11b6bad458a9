// ThreadSanitizer-ABI atomics and fences: each performs the real atomic operation with the
// order the program asked for and records it with that order (trace::MemoryOrder).
//
// Ordering trap: the analyzer merges threads by the global sequence number an event gets
// when it is written, and it derives release->acquire edges from that order. An acquire
// load that read a release store's value must therefore get the larger number. Recording
// before or after the operation cannot promise that (two racing RMWs would interleave), so
// non-relaxed operations perform and record under a striped spinlock keyed by address, as
// TSan does with its per-address sync objects. Relaxed operations take no lock, plain stores
// none either; a relaxed store or RMW after a release fence, or a plain store after one (a C
// spin lock's unlock), still hands over what came before the fence, so a read-modify-write
// that may have read a write numbered after its own (WriteBracket's AfterRead) is numbered
// again, after it.
//
// Spin loops: a load (or failed compare-exchange) that repeats the thread's last record
// with nothing recorded in between, while no store or RMW reached its stripe, is folded into
// that record as a count (FoldRepeat). This is exact for the analyzer: a load's effect there
// is a join with the location's release clock and a read of its shadow cell, and both
// change only at a store or RMW of the location; the thread's own clock does not move in
// between (a load is no release). So the whole run of loads reads from the store the first
// one read from, at the first one's sequence number. Stores, RMWs and compare-exchanges
// count themselves on their stripe's version as under way before they write and no longer
// after (WriteBracket), and a load folds only when the version it read before the first
// load had none under way and is unchanged after the repeat. A spin over up to four
// locations (a queue's head, its tail, a stop flag) folds the same way: when one of the
// thread's last records is this load with its stripe unchanged and only loads follow it, the
// repeat is counted there (FoldTarget); the loads after it only joined more into the
// thread's clock, which changes neither what the repeat read nor its epoch.
#include "tsan_atomic_ops.h"

namespace threadlens::rt::tsan {

atomics::Stripe atomics::stripes[atomics::kStripes];
std::atomic<uint64_t> atomics::last_release_fence{0};

// A stripe another thread held at the fork stays held in the child, where that thread does
// not exist: an atomic on it would wait for ever.
// A write under way stays counted too: every load there would wait it out.
void AtomicsForkChild() {
  for (atomics::Stripe& s : atomics::stripes) {
    s.locked.store(0, std::memory_order_relaxed);
    const uint64_t v = s.version.load(std::memory_order_relaxed);
    s.version.store(stripe_version::Closed(v), std::memory_order_relaxed);
  }
}

}  // namespace threadlens::rt::tsan

using namespace threadlens::rt::tsan;           // NOLINT: the exported C symbols below
using namespace threadlens::rt::tsan::atomics;  // NOLINT

using a8 = unsigned char;
using a16 = unsigned short;
using a32 = unsigned int;
using a64 = unsigned long long;
using a128 = unsigned __int128;

#define THREADLENS_TSAN_ATOMIC(bits)                                                             \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_load(const volatile a##bits* a, int mo) {            \
    return Load(a, mo, TSAN_CALLER_PC);                                                          \
  }                                                                                              \
  TSAN_EXPORT void __tsan_atomic##bits##_store(volatile a##bits* a, a##bits v, int mo) {         \
    Store(a, v, mo, TSAN_CALLER_PC);                                                             \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_exchange(volatile a##bits* a, a##bits v, int mo) {   \
    return Rmw<Op::kExchange>(a, v, mo, TSAN_CALLER_PC);                                         \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_add(volatile a##bits* a, a##bits v, int mo) {  \
    return Rmw<Op::kAdd>(a, v, mo, TSAN_CALLER_PC);                                              \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_sub(volatile a##bits* a, a##bits v, int mo) {  \
    return Rmw<Op::kSub>(a, v, mo, TSAN_CALLER_PC);                                              \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_and(volatile a##bits* a, a##bits v, int mo) {  \
    return Rmw<Op::kAnd>(a, v, mo, TSAN_CALLER_PC);                                              \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_or(volatile a##bits* a, a##bits v, int mo) {   \
    return Rmw<Op::kOr>(a, v, mo, TSAN_CALLER_PC);                                               \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_xor(volatile a##bits* a, a##bits v, int mo) {  \
    return Rmw<Op::kXor>(a, v, mo, TSAN_CALLER_PC);                                              \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_fetch_nand(volatile a##bits* a, a##bits v, int mo) { \
    return Rmw<Op::kNand>(a, v, mo, TSAN_CALLER_PC);                                             \
  }                                                                                              \
  TSAN_EXPORT int __tsan_atomic##bits##_compare_exchange_strong(volatile a##bits* a, a##bits* c, \
                                                                a##bits v, int mo, int fmo) {    \
    return Cas(a, c, v, false, mo, fmo, TSAN_CALLER_PC);                                         \
  }                                                                                              \
  TSAN_EXPORT int __tsan_atomic##bits##_compare_exchange_weak(volatile a##bits* a, a##bits* c,   \
                                                              a##bits v, int mo, int fmo) {      \
    return Cas(a, c, v, true, mo, fmo, TSAN_CALLER_PC);                                          \
  }                                                                                              \
  TSAN_EXPORT a##bits __tsan_atomic##bits##_compare_exchange_val(volatile a##bits* a, a##bits c, \
                                                                 a##bits v, int mo, int fmo) {   \
    Cas(a, &c, v, false, mo, fmo, TSAN_CALLER_PC);                                               \
    return c;                                                                                    \
  }

THREADLENS_TSAN_ATOMIC(8)
THREADLENS_TSAN_ATOMIC(16)
THREADLENS_TSAN_ATOMIC(32)
THREADLENS_TSAN_ATOMIC(64)
THREADLENS_TSAN_ATOMIC(128)
#undef THREADLENS_TSAN_ATOMIC

TSAN_EXPORT void __tsan_atomic_thread_fence(int mo) {
  mo = Order(mo);
  ThreadCtx* t = Recording();
  __atomic_thread_fence(mo);
  if (t && !t->ignore && mo != __ATOMIC_RELAXED) {
    if (StackDirty(*t)) SyncStack(*t);
    threadlens::rt::Emit(threadlens::trace::EventKind::kFence, static_cast<uint8_t>(mo), 0, 0, 0,
                         TSAN_CALLER_PC);
    if (mo != __ATOMIC_ACQUIRE && mo != __ATOMIC_CONSUME) {
      // Before the plain stores it releases become visible (WriteBracket::AfterRead).
      RaiseTo(last_release_fence, threadlens::rt::g_seq->load(std::memory_order_relaxed));
    }
  }
}

// A signal fence orders a thread with its own signal handler only: no edge between threads.
TSAN_EXPORT void __tsan_atomic_signal_fence(int mo) { __atomic_signal_fence(Order(mo)); }
