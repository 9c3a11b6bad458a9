// Number and token parsing shared by the STD text importer and exporter.
#pragma once

#include <cstdint>
#include <string_view>

namespace threadlens::stdtext {

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

inline bool ParseU64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return false;  // overflow
    v = next;
  }
  out = v;
  return true;
}

// Numeric operand, with or without its letter prefix: "8", "L8", "T11", "V42".
inline bool ParseNumbered(std::string_view s, char prefix, uint64_t& out) {
  if (!s.empty() && (s.front() == prefix || s.front() == prefix + ('a' - 'A'))) {
    s.remove_prefix(1);
  }
  return ParseU64(s, out);
}

}  // namespace threadlens::stdtext
