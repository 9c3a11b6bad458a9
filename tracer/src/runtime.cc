// Placeholder runtime: tracing disabled. Replaced by the real runtime.
#include "runtime.h"

#include <cstdio>
#include <cstdlib>

namespace threadlens::rt {
ThreadState* Current() { return nullptr; }
bool Enabled() { return false; }
void Emit(trace::EventKind, uint8_t, uint16_t, uint32_t, uint64_t, uint64_t) {}
uint64_t SyncEpoch() { return 0; }
uint32_t InternString(const char*, size_t) { return 0; }
void FlushAll() {}
void ReportFatal(const char* message) {
  std::fprintf(stderr, "threadlens: %s\n", message);
  std::abort();
}
}  // namespace threadlens::rt
