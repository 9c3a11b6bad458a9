// Direct use of the calling thread's trace buffer by the TSan entry points: the cheap
// EmitPlain (inline in tsan_thread.h) and coalescing of sequential accesses into ranges (on
// by default; THREADLENS_COALESCE=0 turns it off). A read or write that continues the
// thread's previous event (same kind and element size, next address, code within the same
// loop body, nothing in between) extends that event into a range instead of adding one, so a
// scan of an array costs one record, not one per element. The analyzer expands a range into
// its elements, so the findings are those of the uncoalesced trace.
#include <cstdlib>

#include "runtime_internal.h"
#include "tsan_thread.h"

namespace threadlens::rt::tsan {
namespace {

// Unrolled and vectorized loops spread one statement over several call sites; a range keeps
// the first one's pc. Farther apart than this, accesses are kept apart so each keeps its line.
constexpr uint64_t kLoopBodyBytes = 256;
constexpr uint64_t kMaxRangeBytes = 1u << 30;

int coalesce = -1;  // -1: environment not read yet

}  // namespace

bool CoalescingOn() {
  if (__builtin_expect(coalesce < 0, 0)) {
    const char* v = std::getenv("THREADLENS_COALESCE");
    coalesce = !(v && v[0] == '0');
  }
  return coalesce == 1;
}

// The calling thread's last event if it is still in its buffer (not yet written out).
// `flushed` is read without the flush lock: a foreign flush (watchdog, fatal signal) that
// races with an extension writes the shorter range, never a wrong one.
bool ExtendLastAccess(trace::EventKind kind, uintptr_t addr, uint32_t size, uintptr_t pc) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return false;
  uint32_t p = ts->pos.load(std::memory_order_relaxed);
  if (p == 0 || p <= ts->flushed) return false;
  trace::Event& last = ts->buf[p - 1];
  if (last.kind != static_cast<uint8_t>(kind) || last.flags != 0) return false;
  const bool range = last.aux16 == 0;
  const uint64_t element = range ? last.aux32 : last.aux16;
  const uint64_t length = range ? last.seq : last.aux16;
  if (element != size || last.obj + length != addr || length + size > kMaxRangeBytes) return false;
  if (pc - last.site + kLoopBodyBytes > 2 * kLoopBodyBytes) return false;
  // A range: aux16 = 0, seq = bytes, aux32 = element size (each element one access).
  last.aux16 = 0;
  last.aux32 = static_cast<uint32_t>(size);
  last.seq = length + size;
  return true;
}

}  // namespace threadlens::rt::tsan
