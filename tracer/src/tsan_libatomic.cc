// libatomic's entry points. The compiler calls them for atomics it cannot do inline: a
// 16-byte std::atomic without -mcx16, and objects whose size is not 1, 2, 4, 8 or 16.
// ThreadSanitizer's pass leaves those calls alone, so TSan sees no atomic there (and no
// ordering: an acquire load of a pair another thread published by a release store orders
// nothing, a false race). Each is performed here and recorded as the atomic it is, with its
// order: 16 bytes with `lock cmpxchg16b`, as libatomic does on every x86-64 CPU that has it;
// other sizes by copying under the stripe lock of tsan_atomic_bracket.h, held whatever the
// order (libatomic's own generic functions would lock and copy through calls the runtime
// records).
#include <cstddef>

#include "tsan_atomic_ops.h"

namespace threadlens::rt::tsan::atomics {
namespace {

using u128 = unsigned __int128;

inline uint32_t Size(size_t n) { return n > 0xffff ? 0xffff : static_cast<uint32_t>(n); }

// The value an op_fetch call returns: the old one with the operation applied.
template <Op op>
u128 Apply(u128 old, u128 v) {
  if constexpr (op == Op::kAdd) return old + v;
  if constexpr (op == Op::kSub) return old - v;
  if constexpr (op == Op::kAnd) return old & v;
  if constexpr (op == Op::kOr) return old | v;
  if constexpr (op == Op::kXor) return old ^ v;
  if constexpr (op == Op::kNand) return ~(old & v);
  return v;
}

// A byte loop, not memcpy: the interceptor of memcpy would record the copy.
void Copy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<volatile unsigned char*>(dst);
  auto* s = static_cast<const volatile unsigned char*>(src);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

bool Same(const void* a, const void* b, size_t n) {
  auto* x = static_cast<const volatile unsigned char*>(a);
  auto* y = static_cast<const volatile unsigned char*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

// An object the 16-byte entry points serve: the same operation, lock-free, so calls of both
// kinds on one object stay atomic together.
inline bool Pair(size_t n, const void* a) {
  return n == 16 && reinterpret_cast<uintptr_t>(a) % 16 == 0;
}

}  // namespace
}  // namespace threadlens::rt::tsan::atomics

using namespace threadlens::rt::tsan;           // NOLINT: the exported C symbols below
using namespace threadlens::rt::tsan::atomics;  // NOLINT

TSAN_EXPORT u128 __atomic_load_16(const volatile void* a, int mo) {
  return Load(static_cast<const volatile u128*>(a), mo, TSAN_CALLER_PC);
}
TSAN_EXPORT void __atomic_store_16(volatile void* a, u128 v, int mo) {
  Store(static_cast<volatile u128*>(a), v, mo, TSAN_CALLER_PC);
}
TSAN_EXPORT u128 __atomic_exchange_16(volatile void* a, u128 v, int mo) {
  return Rmw<Op::kExchange>(static_cast<volatile u128*>(a), v, mo, TSAN_CALLER_PC);
}
TSAN_EXPORT bool __atomic_compare_exchange_16(volatile void* a, void* expected, u128 desired,
                                              int mo, int fmo) {
  return Cas(static_cast<volatile u128*>(a), static_cast<u128*>(expected), desired, false, mo,
             fmo, TSAN_CALLER_PC);
}

#define THREADLENS_LIBATOMIC_RMW(name, op)                                              \
  TSAN_EXPORT u128 __atomic_fetch_##name##_16(volatile void* a, u128 v, int mo) {       \
    return Rmw<op>(static_cast<volatile u128*>(a), v, mo, TSAN_CALLER_PC);              \
  }                                                                                     \
  TSAN_EXPORT u128 __atomic_##name##_fetch_16(volatile void* a, u128 v, int mo) {       \
    return Apply<op>(Rmw<op>(static_cast<volatile u128*>(a), v, mo, TSAN_CALLER_PC), v); \
  }
THREADLENS_LIBATOMIC_RMW(add, Op::kAdd)
THREADLENS_LIBATOMIC_RMW(sub, Op::kSub)
THREADLENS_LIBATOMIC_RMW(and, Op::kAnd)
THREADLENS_LIBATOMIC_RMW(or, Op::kOr)
THREADLENS_LIBATOMIC_RMW(xor, Op::kXor)
THREADLENS_LIBATOMIC_RMW(nand, Op::kNand)
#undef THREADLENS_LIBATOMIC_RMW

// Any size. Asm labels: the compiler has builtins of these names.
TSAN_EXPORT void Intercept_atomic_load(size_t n, void* src, void* dst, int mo)
    __asm__("__atomic_load");
void Intercept_atomic_load(size_t n, void* src, void* dst, int mo) {
  const uintptr_t pc = TSAN_CALLER_PC;
  if (Pair(n, src)) {
    const u128 v = Load(static_cast<const volatile u128*>(src), mo, pc);
    Copy(dst, &v, 16);
    return;
  }
  mo = Order(mo);
  ThreadCtx* t = Recording();
  Scope s(t, src, mo, true);
  const uint64_t before = t ? Version(src) : 0;
  const uint64_t shared = t ? SharedBefore(src) : kNoFold;
  Copy(dst, src, n);
  RecordLoad(t, mo, src, Size(n), pc, before, shared);
}

TSAN_EXPORT void Intercept_atomic_store(size_t n, void* dst, void* src, int mo)
    __asm__("__atomic_store");
void Intercept_atomic_store(size_t n, void* dst, void* src, int mo) {
  const uintptr_t pc = TSAN_CALLER_PC;
  if (Pair(n, dst)) {
    u128 v;
    Copy(&v, src, 16);
    Store(static_cast<volatile u128*>(dst), v, mo, pc);
    return;
  }
  mo = Order(mo);
  ThreadCtx* t = Recording();
  Scope s(t, dst, mo, true);
  WriteBracket w(t, dst);
  Copy(dst, src, n);
  Record(t, EventKind::kAtomicStore, mo, dst, Size(n), pc);
}

TSAN_EXPORT void Intercept_atomic_exchange(size_t n, void* obj, void* v, void* old, int mo)
    __asm__("__atomic_exchange");
void Intercept_atomic_exchange(size_t n, void* obj, void* v, void* old, int mo) {
  const uintptr_t pc = TSAN_CALLER_PC;
  if (Pair(n, obj)) {
    u128 next;
    Copy(&next, v, 16);
    const u128 was = Rmw<Op::kExchange>(static_cast<volatile u128*>(obj), next, mo, pc);
    Copy(old, &was, 16);
    return;
  }
  mo = Order(mo);
  ThreadCtx* t = Recording();
  Scope s(t, obj, mo, true);
  WriteBracket w(t, obj);
  Copy(old, obj, n);
  Copy(obj, v, n);
  w.AfterRead();
  Record(t, EventKind::kAtomicRmw, mo, obj, Size(n), pc);
}

TSAN_EXPORT bool Intercept_atomic_compare_exchange(size_t n, void* obj, void* expected,
                                                   void* desired, int mo, int fmo)
    __asm__("__atomic_compare_exchange");
bool Intercept_atomic_compare_exchange(size_t n, void* obj, void* expected, void* desired,
                                       int mo, int fmo) {
  const uintptr_t pc = TSAN_CALLER_PC;
  if (Pair(n, obj)) {
    u128 next;
    Copy(&next, desired, 16);
    return Cas(static_cast<volatile u128*>(obj), static_cast<u128*>(expected), next, false, mo,
               fmo, pc);
  }
  mo = Order(mo);
  fmo = FailOrder(mo, fmo);
  ThreadCtx* t = Recording();
  Scope s(t, obj, mo, true);
  const uint64_t before = t ? Version(obj) : 0;
  const uint64_t shared = t ? SharedBefore(obj) : kNoFold;
  WriteBracket w(t, obj);
  const bool ok = Same(obj, expected, n);
  if (ok) {
    Copy(obj, desired, n);
    w.AfterRead();
    Record(t, EventKind::kAtomicRmw, mo, obj, Size(n), pc);
  } else {
    Copy(expected, obj, n);
    // Copied under the stripe lock, which every generic call takes: numbered here, or by
    // the record when the version moved (a lock-free-sized write of the stripe's).
    w.NumberRead(before);
    RecordLoad(t, fmo, obj, Size(n), pc, before, shared);
  }
  return ok;
}
