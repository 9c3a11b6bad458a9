// ThreadSanitizer-ABI entry points for plain memory accesses, vptr accesses, function
// entry/exit and init, as clang's -fsanitize=thread pass emits them. The fast path is
// inline in tsan_thread.h; this file holds the exported symbols and the slow paths.
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "confirm_race.h"
#include "native_stack.h"
#include "tsan_thread.h"

namespace threadlens::rt {

void EmitWithValue(trace::EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32,
                   uint64_t obj, uint64_t site, uint64_t value) {
  Emit(kind, flags, aux16, aux32, obj, site);
}

namespace tsan {

constinit thread_local ThreadCtx tls_ctx __attribute__((tls_model("initial-exec"))){};

namespace {

bool IsMainThread() { return gettid() == getpid(); }

int skip_stacks = -1;  // -1: environment not read yet

// THREADLENS_SKIP_STACK=1: worker threads do not record accesses to their own stack (their
// locals, and glibc's thread-locals, which live there). Cheaper, but a race on a worker's
// local published to another thread is missed, so it is opt-in; TSan records them too.
bool SkipStacksOn() {
  if (__builtin_expect(skip_stacks < 0, 0)) {
    const char* v = getenv("THREADLENS_SKIP_STACK");
    skip_stacks = v && v[0] == '1';
  }
  return skip_stacks == 1;
}

// Bounds of the calling thread's stack (worker threads). The main thread's locals are
// routinely shared with the threads it starts, so it never skips them.
void FindStack(ThreadCtx& t) {
  t.skip_own_stack = false;
  t.stack_lo = t.stack_hi = 0;
  if (IsMainThread()) return;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* lo = nullptr;
  size_t size = 0;
  if (pthread_attr_getstack(&attr, &lo, &size) == 0 && lo && size) {
    t.stack_lo = reinterpret_cast<uintptr_t>(lo);
    t.stack_hi = t.stack_lo + size;
    t.skip_own_stack = SkipStacksOn();
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

bool Activate(ThreadCtx& t) {
  // Tracing switches on once the runtime read its environment; until then every event is
  // dropped. A thread the runtime refuses (inside the runtime itself) stays undecided.
  // Mode kOff while deciding: Current() and the stack lookup may allocate, and the heap
  // hooks must not re-enter here.
  t.mode = Mode::kOff;
  if (!Enabled() || Current() == nullptr) {
    t.mode = Mode::kUnknown;
    return false;
  }
  FindStack(t);
  // Frames an earlier native capture wrote give way to the shadow stack.
  if (ThreadState* ts = t_state; reinterpret_cast<uintptr_t>(ts) > 1) DropNativeStack(ts);
  t.coalesce = CoalescingOn();
  for (auto& e : t.cache) e = CacheEntry{};
  t.CloseRanges();
  t.emitted = 0;
  t.mode = Mode::kOn;
  // glibc gives a finished thread's stack (and its static TLS) to a later thread, under its
  // stack-cache lock: the old thread's accesses there happen before the new thread's. The
  // old thread released this key at its exit (ReleaseThreadStack).
  if (t.stack_hi) Emit(trace::EventKind::kHappensAfter, 0, 0, 0, t.stack_hi, 0);
  return true;
}

void SyncStack(ThreadCtx& t) {
  const uint32_t live = t.depth < kMaxFrames ? t.depth : kMaxFrames;
  // The frames the trace holds that the live stack has too: a function called again from
  // the same place and stack goes on in its frame (a loop calling it writes it once).
  uint32_t same = std::min({t.stale, t.emitted, live});
  while (same < t.emitted && same < live) {
    const ThreadCtx::Frame &a = t.frames[same], &b = t.written[same];
    if (a.pc != b.pc || a.sp != b.sp || a.fn != b.fn || a.fp != b.fp) break;
    ++same;
  }
  while (t.emitted > same) {
    EmitPlain(trace::EventKind::kFuncExit, 0, 0, 0, 0, 0, 0, t.clock_skip);
    --t.emitted;
  }
  while (t.emitted < live) {
    const ThreadCtx::Frame& f = t.written[t.emitted] = t.frames[t.emitted];
    EmitPlain(trace::EventKind::kFuncEntry, 0, 0, f.fp, f.sp, f.pc, 0, t.clock_skip);
    ++t.emitted;
  }
  t.stale = live;
  DeliverDeferred();
}

// The access just written is a record of the current run of accesses (or starts one).
static void NoteAccessRecord(ThreadCtx& t) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1) return;
  const uint32_t at = ts->last;
  if (at != t.open.run_end) t.open.live = 0;  // something else was recorded since
  t.open.run_end = ts->pos.load(std::memory_order_relaxed);
}

// When the access just written is a packed record, it opens a range that the next element
// of a scan extends (ExtendOpen), in a slot no range of the current run holds; with all
// eight in use, the slot is found as a clock finds a page to evict: the hand passes over
// slots extended since it last came by (clearing their mark) and takes the first that was
// not, so the scans of a loop keep their slots and a one-off access takes an idle one. (A
// least-recently-used search cost a fifth of an access-heavy program's time; giving
// one-off accesses' slots first made x264's trace twice as long.)
[[gnu::always_inline]] static inline void OpenIfPacked(ThreadCtx& t, uintptr_t addr,
                                                       uint64_t size, uintptr_t pc) {
  ThreadState* ts = t_state;
  if (!t.coalesce || reinterpret_cast<uintptr_t>(ts) <= 1 ||
      !(ts->buf[ts->last] & trace::kPackedTag) ||
      ts->pos.load(std::memory_order_relaxed) != ts->last + trace::kPackedSize) {
    return;
  }
  uint32_t slot;
  if (const uint32_t idle = ~static_cast<uint32_t>(t.open.live) & 0xffu) {
    slot = static_cast<uint32_t>(__builtin_ctz(idle));
  } else {
    slot = t.open.hand;
    for (int k = 0; k < ThreadCtx::kOpenRanges && t.open.used[slot]; ++k) {
      t.open.used[slot] = 0;
      slot = (slot + 1) % ThreadCtx::kOpenRanges;
    }
    t.open.hand = (slot + 1) % ThreadCtx::kOpenRanges;
  }
  t.open.tag[slot] = ts->buf[ts->last];
  t.open.start[slot] = addr;
  t.open.site[slot] = pc;
  t.open.off[slot] = ts->last;
  t.open.run[slot] = 0;
  t.open.next[slot] = addr + size;
  t.open.used[slot] = 0;
  t.open.live = static_cast<uint8_t>(t.open.live | 1u << slot);
  t.open.last = slot;
}

void RecordAccess(ThreadCtx& t, uintptr_t addr, uint32_t size, bool write, uintptr_t pc) {
  if (t.ignore || (write ? t.ignore_writes : t.ignore_reads)) return;
  MaybeHoldForRace(addr, size, write, pc);  // before the access: the partner may still come
  // The next element of another stream of the loop (Access tried the last one), while only
  // accesses were recorded since the ranges opened.
  ThreadState* ts = t_state;
  if (t.open.live && reinterpret_cast<uintptr_t>(ts) > 1 &&
      ts->pos.load(std::memory_order_relaxed) == t.open.run_end) {
    for (uint32_t live = t.open.live; live; live &= live - 1) {
      const int i = __builtin_ctz(live);
      if (addr == t.open.next[i] && ExtendOpen(t, i, addr, size, write, pc)) return;
    }
  }
  if (__atomic_load_n(&benign_ranges, __ATOMIC_RELAXED) && InBenignRange(addr, size)) return;
  NoteRecorded(CacheSlot(t, addr), addr, EpochFor(t, addr), size, write);
  auto kind = write ? trace::EventKind::kWrite : trace::EventKind::kRead;
  // A full last record (the clock was read, or an odd size) is extended here.
  if (t.coalesce && !StackDirty(t) && reinterpret_cast<uintptr_t>(ts) > 1 &&
      !(ts->buf[ts->last] & trace::kPackedTag) && ExtendLastAccess(kind, addr, size, pc)) {
    return;
  }
  // Not EmitMemory: a plain access never is a sync event, and its kind is not a constant here.
  if (StackDirty(t)) SyncStack(t);
  // A plain store right after a release fence (`__sync_synchronize(); lock = 0;`) gives a
  // spin lock back: it may end a round of a poll through it (store_rounds.h).
  uint32_t at = 0;
  if (write && reinterpret_cast<uintptr_t>(ts) > 1 && !ts->in_runtime) {
    const uint32_t pos = ts->pos.load(std::memory_order_relaxed);
    if (AfterReleaseFence(ts, pos)) {
      if (FoldPlainStoreRound(ts, addr, static_cast<uint16_t>(size), pc)) {
        DeliverDeferred();
        return;
      }
      at = pos + 1;
    }
  }
  EmitPlain(kind, 0, static_cast<uint16_t>(size), 0, addr, pc, 0, t.clock_skip);
  if (at && ts->last + 1 == at) {  // written right after the fence
    const uint32_t end = ts->pos.load(std::memory_order_relaxed);
    ts->store_rounds.NoteRelease(addr, end + 1, end - ts->last);
  }
  NoteAccessRecord(t);
  OpenIfPacked(t, addr, size, pc);
  DeliverDeferred();
}

// Ranges are recorded as one event each (__tsan_read_range, the libc interceptors).
namespace {
uintptr_t skip_text = 0, skip_text_size = 0;  // set once at start, before any thread
}  // namespace

void SkipLibcCallsFrom(uintptr_t text, uintptr_t size) {
  skip_text = text;
  skip_text_size = size;
}

void AccessRange(uintptr_t addr, uintptr_t size, bool write, uintptr_t pc) {
  ThreadCtx* t = Recording();
  if (!t || size == 0 || pc - skip_text < skip_text_size) return;
  if (t->ignore || (write ? t->ignore_writes : t->ignore_reads)) return;
  if (t->skip_own_stack && addr - t->stack_lo < t->stack_hi - t->stack_lo) return;
  if (__atomic_load_n(&benign_ranges, __ATOMIC_RELAXED) && InBenignRange(addr, size)) return;
  // A repeated range is dropped as a repeated access is: a loop polling or copying the same
  // buffer writes one record per epoch, not per call.
  if (size <= UINT8_MAX && !NewInEpoch(*t, addr, static_cast<uint32_t>(size), write)) return;
  auto kind = write ? trace::EventKind::kWrite : trace::EventKind::kRead;
  const bool library = PushLibraryFrame(*t, pc);
  if (StackDirty(*t)) SyncStack(*t);
  if (size <= 16) {
    EmitPlain(kind, 0, static_cast<uint16_t>(size), 0, addr, pc, 0, t->clock_skip);
    if (!library) {
      NoteAccessRecord(*t);
      OpenIfPacked(*t, addr, size, pc);
    }
  } else {
    EmitPlain(kind, 0, 0, 1, addr, pc, size, t->clock_skip);  // a range of bytes
  }
  if (library) PopLibraryFrame(*t);
  DeliverDeferred();
}

void UnwindTo(ThreadCtx& t, uintptr_t sp) {
  if (t.depth > kMaxFrames) return;  // the frames past kMaxFrames were not kept
  while (t.depth > 0 && t.frames[t.depth - 1].sp != 0 && t.frames[t.depth - 1].sp < sp) {
    --t.depth;
  }
  for (; t.emitted > t.depth; --t.emitted) {  // the frames the jump left, out of the trace
    if (t.mode == Mode::kOn) EmitPlain(trace::EventKind::kFuncExit, 0, 0, 0, 0, 0, 0, t.clock_skip);
  }
}

}  // namespace tsan
}  // namespace threadlens::rt

using threadlens::rt::tsan::Access;
using threadlens::rt::tsan::AccessRange;
using threadlens::rt::tsan::kMaxFrames;
using threadlens::rt::tsan::tls_ctx;

namespace threadlens::rt::tsan {
bool instrumented_module = false;
}  // namespace threadlens::rt::tsan

// Called by every instrumented module's constructor.
TSAN_EXPORT void __tsan_init() {
  __atomic_store_n(&threadlens::rt::tsan::instrumented_module, true, __ATOMIC_RELAXED);
}
TSAN_EXPORT void __tsan_flush_memory() {}

#define THREADLENS_TSAN_ACCESS(size)                                                         \
  TSAN_EXPORT void __tsan_read##size(void* addr) {                                           \
    Access(reinterpret_cast<uintptr_t>(addr), size, false, TSAN_CALLER_PC);                  \
  }                                                                                          \
  TSAN_EXPORT void __tsan_write##size(void* addr) {                                          \
    Access(reinterpret_cast<uintptr_t>(addr), size, true, TSAN_CALLER_PC);                   \
  }                                                                                          \
  TSAN_EXPORT void __tsan_unaligned_read##size(const void* addr) {                           \
    Access(reinterpret_cast<uintptr_t>(addr), size, false, TSAN_CALLER_PC);                  \
  }                                                                                          \
  TSAN_EXPORT void __tsan_unaligned_write##size(void* addr) {                                \
    Access(reinterpret_cast<uintptr_t>(addr), size, true, TSAN_CALLER_PC);                   \
  }                                                                                          \
  TSAN_EXPORT void __tsan_read##size##_pc(void* addr, void* pc) {                            \
    Access(reinterpret_cast<uintptr_t>(addr), size, false, reinterpret_cast<uintptr_t>(pc)); \
  }                                                                                          \
  TSAN_EXPORT void __tsan_write##size##_pc(void* addr, void* pc) {                           \
    Access(reinterpret_cast<uintptr_t>(addr), size, true, reinterpret_cast<uintptr_t>(pc));  \
  }

THREADLENS_TSAN_ACCESS(2)
THREADLENS_TSAN_ACCESS(4)
THREADLENS_TSAN_ACCESS(8)
THREADLENS_TSAN_ACCESS(16)
#undef THREADLENS_TSAN_ACCESS

// One-byte accesses have no unaligned variant.
TSAN_EXPORT void __tsan_read1(void* addr) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, false, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_write1(void* addr) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, true, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_read1_pc(void* addr, void* pc) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, false, reinterpret_cast<uintptr_t>(pc));
}
TSAN_EXPORT void __tsan_write1_pc(void* addr, void* pc) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, true, reinterpret_cast<uintptr_t>(pc));
}

// The sanitizers' public unaligned loads and stores (<sanitizer/common_interface_defs.h>):
// the access, then the copy.
#define THREADLENS_SANITIZER_UNALIGNED(bits)                                                    \
  TSAN_EXPORT uint##bits##_t __sanitizer_unaligned_load##bits(const void* p) {                  \
    Access(reinterpret_cast<uintptr_t>(p), bits / 8, false, TSAN_CALLER_PC);                   \
    uint##bits##_t v;                                                                          \
    __builtin_memcpy(&v, p, sizeof v);                                                         \
    return v;                                                                                  \
  }                                                                                            \
  TSAN_EXPORT void __sanitizer_unaligned_store##bits(void* p, uint##bits##_t v) {               \
    Access(reinterpret_cast<uintptr_t>(p), bits / 8, true, TSAN_CALLER_PC);                    \
    __builtin_memcpy(p, &v, sizeof v);                                                         \
  }
THREADLENS_SANITIZER_UNALIGNED(16)
THREADLENS_SANITIZER_UNALIGNED(32)
THREADLENS_SANITIZER_UNALIGNED(64)
#undef THREADLENS_SANITIZER_UNALIGNED

TSAN_EXPORT void __tsan_read_range(void* addr, unsigned long size) {
  AccessRange(reinterpret_cast<uintptr_t>(addr), size, false, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_write_range(void* addr, unsigned long size) {
  AccessRange(reinterpret_cast<uintptr_t>(addr), size, true, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_read_range_pc(void* addr, unsigned long size, void* pc) {
  AccessRange(reinterpret_cast<uintptr_t>(addr), size, false, reinterpret_cast<uintptr_t>(pc));
}
TSAN_EXPORT void __tsan_write_range_pc(void* addr, unsigned long size, void* pc) {
  AccessRange(reinterpret_cast<uintptr_t>(addr), size, true, reinterpret_cast<uintptr_t>(pc));
}

// A vptr store that writes the value already there is a constructor or destructor of a
// base class re-setting it; TSan ignores it, and so do we (it would race with virtual calls
// on the object that are ordered by the program's own logic).
TSAN_EXPORT void __tsan_vptr_update(void** vptr_p, void* new_val) {
  if (*vptr_p == new_val) return;
  Access(reinterpret_cast<uintptr_t>(vptr_p), sizeof(void*), true, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_vptr_read(void** vptr_p) {
  Access(reinterpret_cast<uintptr_t>(vptr_p), sizeof(void*), false, TSAN_CALLER_PC);
}

namespace threadlens::rt {
void ReleaseThreadStack() {
  tsan::ThreadCtx& t = tsan::tls_ctx;
  if (t.mode == tsan::Mode::kOn && t.stack_hi) {
    Emit(trace::EventKind::kHappensBefore, 0, 0, 0, t.stack_hi, 0);
  }
}

void SyncProgramStack(ThreadState* ts, trace::EventKind kind, uint64_t site) {
  tsan::ThreadCtx& t = tsan::tls_ctx;
  if (t.mode == tsan::Mode::kOn) {
    if (tsan::StackDirty(t)) tsan::SyncStack(t);
  } else {
    SyncNativeStack(ts, kind, site);
  }
}

bool BeginProgramEvent(ThreadState* ts, trace::EventKind kind, uint64_t site) {
  tsan::ThreadCtx& t = tsan::tls_ctx;
  const bool library = t.mode == tsan::Mode::kOn && tsan::PushLibraryFrame(t, site);
  SyncProgramStack(ts, kind, site);
  return library;
}

void EndProgramEvent() { tsan::PopLibraryFrame(tsan::tls_ctx); }

void ClockNextAccess() { tsan::tls_ctx.clock_skip = tsan::kClockEvery - 1; }

void FramesForked() {
  tsan::ThreadCtx& t = tsan::tls_ctx;
  if (t.mode == tsan::Mode::kOn) t.emitted = 0;
}
}  // namespace threadlens::rt

// Function entry/exit only move the shadow stack; tsan_thread.h explains when frames reach
// the trace. call_pc is the return address into the caller.
TSAN_EXPORT void __tsan_func_entry(void* call_pc) {
  auto& t = tls_ctx;
  if (t.depth < kMaxFrames) {
    // The entered function calls here from its body, past its prologue: its stack pointer
    // is where this call's return address lies + 8, and its frame pointer register (if it
    // keeps one) is what this function's own prologue saved. Its DWARF frame base is one
    // of the two.
    const auto* frame = static_cast<const uintptr_t*>(__builtin_frame_address(0));
    const uintptr_t sp = reinterpret_cast<uintptr_t>(frame) + 2 * sizeof(uintptr_t);
    const uintptr_t fp = frame[0];
    const bool near = fp > sp && fp - sp <= threadlens::trace::kPackedMaxRun;
    // The trace may still hold a frame at this depth: SyncStack keeps it if this is the same.
    if (t.stale > t.depth) t.stale = t.depth;
    t.frames[t.depth] = {reinterpret_cast<uintptr_t>(call_pc), sp,
                         reinterpret_cast<uintptr_t>(__builtin_return_address(0)),
                         near ? static_cast<uint32_t>(fp - sp) : 0};
  }
  ++t.depth;
}
TSAN_EXPORT void __tsan_func_exit() {
  auto& t = tls_ctx;
  if (t.depth == 0) return;  // entered before this thread's state existed
  // The frame, if written, stays in the trace until an event needs it gone (SyncStack).
  --t.depth;
}

TSAN_EXPORT void __tsan_ignore_thread_begin() {
  if (tls_ctx.ignore++ == 0) tls_ctx.ignore_pc = TSAN_CALLER_PC;
}
TSAN_EXPORT void __tsan_ignore_thread_end() {
  if (tls_ctx.ignore) --tls_ctx.ignore;
}
// ThreadSanitizer's test hook: the calling thread's shadow stack depth (its frames now).
TSAN_EXPORT unsigned long __tsan_testonly_shadow_stack_current_size() { return tls_ctx.depth; }

namespace threadlens::rt::tsan {
// True once an instrumented module initialized: heap blocks are then worth naming.
bool Instrumented() { return InstrumentedFast(); }
}  // namespace threadlens::rt::tsan
