// A stripe's version (tsan_atomic_bracket.h): what a load checks to learn whether a store or
// read-modify-write began on its address's stripe, or is under way there. It counts the
// writes that began (low bits) and those under way (times kOpen): a count of writers, not a
// parity, since two relaxed writers at once (they take no stripe lock) would leave a parity
// even while both are under way.
#pragma once

#include <cstdint>

namespace threadlens::rt::stripe_version {

// One write under way (2^48 writes begin on one stripe before the count reaches this bit).
inline constexpr uint64_t kOpen = 1ull << 48;
// What a write adds as it begins, and as it ends (its value is then visible).
inline constexpr uint64_t kBegin = kOpen + 1;
inline constexpr uint64_t kEnd = ~kOpen + 1;  // minus kOpen
// No write is under way on a stripe whose version is `v`.
inline constexpr bool Settled(uint64_t v) { return v < kOpen; }
// The version once the writes under way are forgotten (a fork's child, where their threads
// do not exist).
inline constexpr uint64_t Closed(uint64_t v) { return v & (kOpen - 1); }

}  // namespace threadlens::rt::stripe_version
