// CRC-32C (Castagnoli), the block checksum of the trace format. Shared by the writer (inside
// the traced program, so: no allocation, no exceptions) and the reader. Uses the SSE4.2 crc32
// instruction when the CPU has it (three lanes at once, several bytes a cycle), a table
// otherwise; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace threadlens::trace {

namespace crc_detail {

struct Table {
  uint32_t v[256];
};

constexpr Table MakeTable() {
  Table t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t.v[i] = c;
  }
  return t;
}

inline constexpr Table kTable = MakeTable();

inline uint32_t Software(uint32_t crc, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) crc = kTable.v[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

// Appending n zero bytes is linear in the CRC register: Shift(crc) = Software(crc, n zeros),
// tabled per register byte. Lets independent lanes be combined (see Hardware).
struct ShiftTable {
  uint32_t v[4][256];
};

constexpr ShiftTable MakeShiftTable(size_t zeros) {
  uint32_t basis[32] = {};
  for (int i = 0; i < 32; ++i) {
    uint32_t c = 1u << i;
    for (size_t k = 0; k < zeros; ++k) c = kTable.v[c & 0xff] ^ (c >> 8);
    basis[i] = c;
  }
  ShiftTable t{};
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t x = 0;
      for (int bit = 0; bit < 8; ++bit) {
        if ((b >> bit) & 1) x ^= basis[8 * k + bit];
      }
      t.v[k][b] = x;
    }
  }
  return t;
}

// Bytes per lane of the three-lane hardware loop.
inline constexpr size_t kLane = 256;
inline constexpr ShiftTable kShiftLane = MakeShiftTable(kLane);

inline uint32_t ShiftLane(uint32_t c) {
  return kShiftLane.v[0][c & 0xff] ^ kShiftLane.v[1][(c >> 8) & 0xff] ^
         kShiftLane.v[2][(c >> 16) & 0xff] ^ kShiftLane.v[3][c >> 24];
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of three cycles and a throughput of one, so one
// dependency chain runs at a third of its speed: three lanes of kLane bytes each run side by
// side and are combined with ShiftLane (crc(A|B) = Shift(crc(A), |B|) ^ crc_from_0(B)).
__attribute__((target("sse4.2"))) inline uint32_t Hardware(uint32_t crc, const unsigned char* p,
                                                           size_t n) {
  uint64_t c = crc;
  while (n >= 3 * kLane) {
    uint64_t a = c, b = 0, d = 0;
    for (size_t i = 0; i < kLane; i += 8) {
      uint64_t wa, wb, wd;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + kLane + i, 8);
      std::memcpy(&wd, p + 2 * kLane + i, 8);
      a = __builtin_ia32_crc32di(a, wa);
      b = __builtin_ia32_crc32di(b, wb);
      d = __builtin_ia32_crc32di(d, wd);
    }
    c = ShiftLane(ShiftLane(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
        static_cast<uint32_t>(d);
    p += 3 * kLane;
    n -= 3 * kLane;
  }
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c = __builtin_ia32_crc32di(c, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}

inline bool HaveHardware() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#endif

}  // namespace crc_detail

// CRC-32C of `n` bytes; continue a running value by passing the previous result as `crc`.
inline uint32_t Crc32c(const void* data, size_t n, uint32_t crc = 0) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  if (crc_detail::HaveHardware()) return ~crc_detail::Hardware(crc, p, n);
#endif
  return ~crc_detail::Software(crc, p, n);
}

}  // namespace threadlens::trace
