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

int coalesce = -1;  // -1: environment not read yet

}  // namespace

bool CoalescingOn() {
  if (__builtin_expect(coalesce < 0, 0)) {
    const char* v = std::getenv("THREADLENS_COALESCE");
    coalesce = !(v && v[0] == '0');
  }
  return coalesce == 1;
}

// The calling thread's last record, when it is a full event still in its buffer.
// `flushed` is read without the flush lock: a foreign flush (watchdog, fatal signal) that
// races with an extension writes the shorter range, never a wrong one. The first byte of a
// record (full or packed) never changes, so a racing flush still parses the block.
bool ExtendLastAccess(trace::EventKind kind, uintptr_t addr, uint32_t size, uintptr_t pc) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return false;
  uint32_t p = ts->pos.load(std::memory_order_relaxed);
  uint32_t off = ts->last;
  if (p == 0 || off >= p || off < ts->flushed) return false;
  // A packed last record is the open range, which ExtendOpen (tsan_thread.h) extends.
  if (ts->buf[off] & trace::kPackedTag) return false;
  trace::Event& last = FullAt(ts, off);
  if (last.kind != static_cast<uint8_t>(kind) || last.flags != 0) return false;
  const bool range = last.aux16 == 0;
  const uint64_t element = range ? last.aux32 : last.aux16;
  const uint64_t length = range ? last.seq : last.aux16;
  if (element != size || last.obj + length != addr || length + size > kMaxRangeBytes) return false;
  if (!JoinsRange(pc, last.site, size)) return false;
  // A range: aux16 = 0, seq = bytes, aux32 = element size (each element one access).
  EnterRecord(ts);  // a handler's flush must not write the record half changed
  const bool still_last = ts->pos.load(std::memory_order_relaxed) == p;
  if (still_last) {
    last.aux16 = 0;
    last.aux32 = static_cast<uint32_t>(size);
    last.seq = length + size;
  }
  LeaveRecord(ts);
  return still_last;
}

}  // namespace threadlens::rt::tsan
