// Seeded generator of synthetic traces for the analyzer benchmark: threads, locks, shared
// variables and a mix of operations, written as RAPID STD text and/or a binary trace.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace threadlens::bench {

struct TraceGenOptions {
  uint64_t seed = 1;
  uint32_t threads = 8;
  uint32_t locks = 16;
  uint32_t variables = 10000;
  uint64_t events = 10'000'000;  // operations to emit (approximately: +fork/join lines)
  double lock_ratio = 0.10;      // share of operations that are lock acquire/release
  double write_ratio = 0.30;     // share of accesses that are writes
  double racy_ratio = 0.001;     // share of accesses made without the variable's lock
  // A lock is taken only while no other thread holds it: the trace is an execution (prediction
  // needs one). Off by default, which keeps the benchmark's long-standing event mix.
  bool exclusive = false;
  // Share of nested acquisitions under lock 1 that take lock 0, the opposite of the usual
  // order: one lock-order cycle (lock 0 <-> lock 1), whose instances are all over the trace.
  double inverted_ratio = 0.0;
};

struct TraceGenStats {
  uint64_t events = 0;  // operations written (STD lines)
};

// Writes the trace to `std_out` and/or `binary_path` (either may be null/empty); both get
// the same operations in the same order.
TraceGenStats GenerateTrace(const TraceGenOptions& options, std::ostream* std_out,
                            const std::string& binary_path);

}  // namespace threadlens::bench
