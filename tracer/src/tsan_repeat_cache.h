// The repeat cache's entries: what a thread recorded of an address since an epoch began, and
// whether an access repeats it (tsan_thread.h keeps a direct-mapped table of them per thread
// and decides the epoch).
#pragma once

#include <cstdint>

namespace threadlens::rt::tsan {

inline constexpr uint32_t kCacheSize = 512;  // entries per thread, direct-mapped, power of two

// An access within one 8-byte granule is keyed by the granule and remembers bytes: a field
// written byte by byte and then read whole repeats what was recorded. A wider or unaligned
// one (a libc range of up to 255 bytes) is keyed by its address and remembers widths.
struct CacheEntry {
  uint64_t key;    // granule | kGranuleKey, or the address
  uint64_t epoch;  // the epoch when the entry was filled
  uint8_t read;    // recorded since epoch: the bytes read (a mask), or the widest read
  uint8_t write;
};
inline constexpr uint64_t kGranuleKey = 1ull << 63;

// An access's key in the cache and what it adds to an entry (a byte mask, or its width).
struct CacheKey {
  uint64_t key;
  uint8_t bits;
};
inline __attribute__((always_inline)) CacheKey KeyOf(uintptr_t addr, uint32_t size) {
  if ((addr & 7) + size <= 8) {
    return {(addr & ~uintptr_t{7}) | kGranuleKey,
            static_cast<uint8_t>(((1u << size) - 1) << (addr & 7))};
  }
  return {addr, static_cast<uint8_t>(size)};
}
// Within `epoch`, a write repeats when writes covered its bytes; a read, when reads or writes
// did (the analyzer's verdict on each byte is the same with it or without).
inline __attribute__((always_inline)) bool Repeats(const CacheEntry& e, uintptr_t addr,
                                                   uint32_t size, bool write, uint64_t epoch) {
  const CacheKey k = KeyOf(addr, size);
  if (e.key != k.key || e.epoch != epoch) return false;
  if (k.key & kGranuleKey) {
    return (e.write & k.bits) == k.bits || (!write && ((e.read | e.write) & k.bits) == k.bits);
  }
  return e.write >= k.bits || (!write && e.read >= k.bits);
}
// An access of at most 255 bytes just recorded in `epoch`.
inline __attribute__((always_inline)) void NoteRecorded(CacheEntry& e, uintptr_t addr,
                                                        uint64_t epoch, uint32_t size,
                                                        bool write) {
  const CacheKey k = KeyOf(addr, size);
  if (e.key != k.key || e.epoch != epoch) e = CacheEntry{k.key, epoch, 0, 0};
  uint8_t& recorded = write ? e.write : e.read;
  if (k.key & kGranuleKey) {
    recorded |= k.bits;
  } else if (recorded < k.bits) {
    recorded = k.bits;
  }
}

}  // namespace threadlens::rt::tsan
