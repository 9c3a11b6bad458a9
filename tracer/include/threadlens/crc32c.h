// CRC-32C (Castagnoli), the block checksum of the trace format. Shared by the writer (inside
// the traced program, so: no allocation, no exceptions) and the reader. Uses the SSE4.2 crc32
// instruction when the CPU has it (about 8 bytes a cycle), a table otherwise; both give the
// same value.
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

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) inline uint32_t Hardware(uint32_t crc, const unsigned char* p,
                                                           size_t n) {
  uint64_t c = crc;
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
