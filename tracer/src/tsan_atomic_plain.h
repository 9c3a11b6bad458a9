// The program's atomic operations themselves, performed with the order it asked for and
// not recorded: tsan_atomic_bracket.h brackets them and tsan_atomic_ops.h records them.
// 16-byte ones included.
#pragma once

#include <cstdint>

#include "tsan_thread.h"

namespace threadlens::rt::tsan::atomics {

enum class Op { kExchange, kAdd, kSub, kAnd, kOr, kXor, kNand };

// 16-byte atomics: x86-64 has them only as `lock cmpxchg16b` (a full barrier, so every
// order is honoured). Built from that instead of libatomic's calls, which would add a
// dependency and a lock the rest of the program does not share.
using u128 = unsigned __int128;

TSAN_ALWAYS_INLINE bool Cas16(volatile u128* a, u128* expected, u128 desired) {
  auto* e = reinterpret_cast<uint64_t*>(expected);
  uint64_t lo = e[0], hi = e[1];
  bool ok;
  asm volatile("lock cmpxchg16b %1"
               : "=@ccz"(ok), "+m"(*a), "+a"(lo), "+d"(hi)
               : "b"(static_cast<uint64_t>(desired)), "c"(static_cast<uint64_t>(desired >> 64))
               : "memory");
  e[0] = lo;
  e[1] = hi;
  return ok;
}

template <typename T>
TSAN_ALWAYS_INLINE T PlainLoad(const volatile T* a, int mo) {
  if constexpr (sizeof(T) == 16) {
    u128 v = 0;
    Cas16(const_cast<volatile u128*>(a), &v, 0);  // no-op write of the value it read
    return v;
  } else {
    return __atomic_load_n(a, mo);
  }
}

template <Op op, typename T>
TSAN_ALWAYS_INLINE T PlainRmw(volatile T* a, T v, int mo) {
  if constexpr (sizeof(T) == 16) {
    u128 old = PlainLoad(a, mo);
    for (;;) {
      u128 next = v;
      if constexpr (op == Op::kAdd) next = old + v;
      if constexpr (op == Op::kSub) next = old - v;
      if constexpr (op == Op::kAnd) next = old & v;
      if constexpr (op == Op::kOr) next = old | v;
      if constexpr (op == Op::kXor) next = old ^ v;
      if constexpr (op == Op::kNand) next = ~(old & v);
      if (Cas16(a, &old, next)) return old;
    }
  } else {
    if constexpr (op == Op::kExchange) return __atomic_exchange_n(a, v, mo);
    if constexpr (op == Op::kAdd) return __atomic_fetch_add(a, v, mo);
    if constexpr (op == Op::kSub) return __atomic_fetch_sub(a, v, mo);
    if constexpr (op == Op::kAnd) return __atomic_fetch_and(a, v, mo);
    if constexpr (op == Op::kOr) return __atomic_fetch_or(a, v, mo);
    if constexpr (op == Op::kXor) return __atomic_fetch_xor(a, v, mo);
    if constexpr (op == Op::kNand) return __atomic_fetch_nand(a, v, mo);
  }
}

template <typename T>
TSAN_ALWAYS_INLINE bool PlainCas(volatile T* a, T* expected, T desired, bool weak, int mo,
                                 int fmo) {
  if constexpr (sizeof(T) == 16) {
    return Cas16(a, expected, desired);
  } else {
    return __atomic_compare_exchange_n(a, expected, desired, weak, mo, fmo);
  }
}

}  // namespace threadlens::rt::tsan::atomics
