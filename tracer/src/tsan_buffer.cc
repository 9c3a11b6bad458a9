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

// The calling thread's last record if it is still in its buffer (not yet written out).
// `flushed` is read without the flush lock: a foreign flush (watchdog, fatal signal) that
// races with an extension writes the shorter range, never a wrong one. The first byte of a
// record (full or packed) never changes, so a racing flush still parses the block.
bool ExtendLastAccess(trace::EventKind kind, uintptr_t addr, uint32_t size, uintptr_t pc) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return false;
  uint32_t p = ts->pos.load(std::memory_order_relaxed);
  uint32_t off = ts->last;
  if (p == 0 || off >= p || off < ts->flushed) return false;
  if (ts->buf[off] & trace::kPackedTag) {
    auto* w = reinterpret_cast<uint64_t*>(ts->buf + off);
    const uint64_t w0 = w[0], w1 = w[1];
    const auto op =
        kind == trace::EventKind::kRead ? trace::PackedOp::kRead : trace::PackedOp::kWrite;
    const int code = trace::PackedSizeCode(size);
    if (code < 0 || static_cast<uint8_t>(w0) != trace::PackedTag(op, code)) return false;
    const uint64_t start = (w0 >> 8) & trace::kPackedMaxAddr;
    const uint64_t site = w1 & trace::kPackedMaxAddr;
    const uint32_t run = trace::PackedRun(w0, w1);
    const uint64_t length = static_cast<uint64_t>(run + 1) * size;
    if (start + length != addr || run >= trace::kPackedMaxRun) return false;
    if (length + size > kMaxRangeBytes) return false;
    if (pc - site + kLoopBodyBytes > 2 * kLoopBodyBytes) return false;
    w[0] = trace::PackedWord0(static_cast<uint8_t>(w0), start, run + 1);
    w[1] = trace::PackedWord1(site, run + 1);
    return true;
  }
  trace::Event& last = FullAt(ts, off);
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
