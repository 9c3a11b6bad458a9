// Spin loops: a repeated operation counted on an earlier record of its thread instead of
// written again (docs/trace-format.md, "Repeats"). The callers decide which repeats the
// analyzer treats as no-ops: failed trylocks (lock_acquire.h), semaphore tries
// (intercept_cond_sem.cc) and tryjoins (intercept_thread.cc), atomic loads and
// read-modify-writes that change nothing (tsan_atomic_ops.h); a release one keeps its latest
// repeat too (FoldLatest).
#pragma once

#include <cstdint>
#include <cstring>

#include "runtime_internal.h"
#include "threadlens/trace_packed.h"

namespace threadlens::rt {

// Record `e` is that operation: same kind, flags, aux16, object and call site.
inline bool IsOperation(const trace::Event& e, trace::EventKind kind, uint8_t flags,
                        uint16_t aux16, uint64_t obj, uint64_t site) {
  return e.kind == static_cast<uint8_t>(kind) && e.flags == flags && e.aux16 == aux16 &&
         e.obj == obj && e.site == site;
}

// Records `x` and `y` are of one operation: same kind, flags, aux16, object and call site.
inline bool SameOperation(const trace::Event& x, const trace::Event& y) {
  return x.kind == y.kind && x.flags == y.flags && x.aux16 == y.aux16 && x.obj == y.obj &&
         x.site == y.site;
}

// The record at `off` as the Event it stands for; its size in the buffer (0: not one).
inline uint32_t RecordAt(const ThreadState* ts, uint32_t off, trace::Event& e) {
  const unsigned char* p = ts->buf + off;
  if (p[0] & trace::kPackedTag) {
    uint64_t w[2];
    std::memcpy(w, p, sizeof w);
    return trace::UnpackRecord(w[0], w[1], 0, e) ? trace::kPackedSize : 0;
  }
  std::memcpy(&e, p, sizeof e);
  return sizeof(trace::Event);
}

// Folds an operation into record `off`, the thread's last or (a load in a spin
// over several locations) one of its last kFoldBack, when it is the same operation (kind,
// flags, aux16, object, call site); aux32 counts the repeats (docs/trace-format.md). Only
// for repeats the analyzer treats as no-ops: the caller decides that. The record keeps the
// first operation's time and sequence number.
inline constexpr uint32_t kFoldBack = 4;
inline bool FoldRepeatAt(ThreadState* ts, uint32_t off, trace::EventKind kind, uint8_t flags,
                         uint16_t aux16, uint64_t obj, uint64_t site) {
  EnterRecord(ts);  // a handler's record between the check and the count would reorder them
  const uint32_t last = ts->last;
  bool folded = false;
  if (ts->pos.load(std::memory_order_relaxed) == last + sizeof(trace::Event) && off <= last &&
      last - off < kFoldBack * sizeof(trace::Event) && off >= ts->flushed) {
    trace::Event& e = FullAt(ts, off);
    if (IsOperation(e, kind, flags, aux16, obj, site) && e.aux32 != UINT32_MAX) {
      // A foreign flush copies the buffer first (FlushLocked): it sees the old or new count.
      __atomic_store_n(&e.aux32, e.aux32 + 1, __ATOMIC_RELAXED);
      folded = true;
    }
  }
  LeaveRecord(ts);
  return folded;
}
inline bool FoldRepeat(ThreadState* ts, trace::EventKind kind, uint8_t flags, uint16_t aux16,
                       uint64_t obj, uint64_t site) {
  return FoldRepeatAt(ts, ts->last, kind, flags, aux16, obj, site);
}

// The thread's last record, with nothing written after it and not yet flushed, is that
// operation: a repeat of it could be counted there (FoldRepeat), if it turns out the same.
inline bool LastRecordIs(ThreadState* ts, trace::EventKind kind, uint8_t flags, uint16_t aux16,
                         uint64_t obj, uint64_t site) {
  const uint32_t last = ts->last;
  return ts->pos.load(std::memory_order_relaxed) == last + sizeof(trace::Event) &&
         last >= ts->flushed && IsOperation(FullAt(ts, last), kind, flags, aux16, obj, site) &&
         FullAt(ts, last).aux32 != UINT32_MAX;
}

// A repeat that is a release (a sequentially consistent test-and-set finding the flag taken)
// moves the thread's epoch: the latest one must keep its own place in the merged order. The
// thread's last two records are earlier tries of the operation, `head` right before the last:
// the head counts one more repeat, and the last record becomes this try (its time and number,
// ts->reserved_seq), the try it held being the one counted. Returns the head's count, or 0
// when the records are not so. Only for repeats whose dropped tries the analyzer can do
// without: the caller decides that (FoldRmw).
inline uint32_t FoldLatest(ThreadState* ts, uint32_t head, trace::EventKind kind, uint8_t flags,
                           uint16_t aux16, uint64_t obj, uint64_t site) {
  EnterRecord(ts);
  const uint32_t tail = ts->last;
  uint32_t count = 0;
  const uint32_t end = ts->pos.load(std::memory_order_relaxed);
  if (ts->reserved_seq != 0 && end == tail + sizeof(trace::Event) &&
      head + sizeof(trace::Event) == tail && head >= ts->flushed) {
    trace::Event& h = FullAt(ts, head);
    trace::Event& l = FullAt(ts, tail);
    if (IsOperation(h, kind, flags, aux16, obj, site) &&
        IsOperation(l, kind, flags, aux16, obj, site) && l.aux32 == 0 && h.aux32 != UINT32_MAX) {
      // A foreign flush copying meanwhile sees the old or new count, number and time.
      __atomic_store_n(&h.aux32, h.aux32 + 1, __ATOMIC_RELAXED);
      __atomic_store_n(&l.seq, ts->reserved_seq, __ATOMIC_RELAXED);
      __atomic_store_n(&l.ts, ts->last_ts = Now(), __ATOMIC_RELAXED);
      ts->reserved_seq = 0;
      count = h.aux32;
    }
  }
  LeaveRecord(ts);
  return count;
}

}  // namespace threadlens::rt
