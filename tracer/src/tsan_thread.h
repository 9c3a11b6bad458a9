// Per-thread state of the ThreadSanitizer-ABI entry points: the shadow call stack, the
// cache that drops repeated accesses at the source, and the ignore counters. Everything
// here runs inside the instrumented program on every memory access.
//
// The shadow stack is materialized into the trace lazily: kFuncEntry/kFuncExit events are
// written only for frames that are live when an event of this thread is written, so a call
// that touches no traced memory costs two stores and no trace bytes. The trace therefore
// always holds a prefix (outer frames) of the true stack, exactly at each access.
// kFuncEntry.site is the caller's pc (the return address into the calling function), as
// clang passes it: a stack is rebuilt as [access pc, innermost entry pc, ..., outermost].
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime.h"
#include "runtime_internal.h"
#include "spin_fold.h"
#include "tsan_repeat_cache.h"
#include "threadlens/trace_packed.h"

#define TSAN_ALWAYS_INLINE inline __attribute__((always_inline))
#define TSAN_NOINLINE __attribute__((noinline))
#define TSAN_EXPORT extern "C" __attribute__((visibility("default")))
#define TSAN_CALLER_PC reinterpret_cast<uintptr_t>(__builtin_return_address(0))

extern "C" void __tsan_func_entry(void* call_pc);
extern "C" void __tsan_func_exit();

namespace threadlens::rt {

// Records a non-synchronization event whose seq field carries a value: the block size of
// kAlloc, the byte count of a ranged kRead/kWrite (aux16 = 0). The runtime may provide it;
// the weak fallback in tsan_access.cc records the event without the value.
void EmitWithValue(trace::EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32,
                   uint64_t obj, uint64_t site, uint64_t value) __attribute__((weak));

namespace tsan {

inline constexpr uint32_t kMaxFrames = 256;  // deeper frames are counted, not recorded

enum class Mode : uint8_t {
  kUnknown = 0,  // not decided yet for this thread (tracing may still be switching on)
  kOn = 1,
  kOff = 2,  // thread is inside the runtime or tracing is off for good
};

struct ThreadCtx {
  Mode mode;
  bool skip_own_stack;  // THREADLENS_SKIP_STACK: this worker's stack objects are not traced
  bool coalesce;        // sequential accesses extend the previous event into a range
  uint32_t ignore;      // > 0: accesses are not recorded (ignore_thread, IgnoreReads&Writes)
  uint32_t ignore_reads;
  uint32_t ignore_writes;
  // Inside a C library call whose blocks are the library's, known in their life but not
  // checked: one that reads the time zone (localtime, mktime, strftime...: the zone's name,
  // under glibc's own lock, which the runtime does not see), pthread_create and the joins (a
  // thread's TLS vector, which any later create or join may free with a cached stack, under
  // glibc's stack cache lock), as ThreadSanitizer ignores them.
  uint32_t library_heap;
  // Inside an annotated mutex's own code (__tsan_mutex_pre_* to post_*), and how many of
  // those levels a divert back to the program's code left.
  uint32_t mutex_code;
  uint32_t mutex_diverted;
  // The annotated lock a blocking pre_lock asked for, until its post_lock (0: none): a
  // futex wait inside the mutex's code is the thread blocking on it (intercept_futex.cc).
  uintptr_t lock_wanted;
  bool lock_wanted_shared;
  // The Begin calls that turned the ignores on, for the warning at thread exit.
  uintptr_t ignore_pc, ignore_reads_pc, ignore_writes_pc;
  uint32_t depth;       // live frames in the program
  uint32_t emitted;     // frames the trace holds (written, their exits not yet)
  uint32_t stale;       // frames[i] is the trace's written[i] for each i < min(stale, emitted)
  uint32_t in_atomic;   // a signal handler's atomic must not wait for its own stripe lock
  uint32_t clock_skip;  // access events since the clock was last read
  // Spin folding: the last kSpinLoads atomic loads recorded, each with the stripe version
  // before it and where its record is in the buffer (a spin over several locations folds
  // into each); spin[(spin_next - 1) % kSpinLoads] is the latest.
  static constexpr uint32_t kSpinLoads = kFoldBack;
  struct SpinLoad {
    uint64_t version;
    uint32_t off;
    // A location in shared memory: its count of writes before the load (SharedWrites), else
    // 0. Settled, or the load is folded into by none.
    uint64_t shared;
  };
  SpinLoad spin[kSpinLoads];
  uint32_t spin_next;
  uint64_t rmw_end;  // the stripe version once the last read-modify-write's bracket ended
  uint64_t rmw_shared_end;  // the same of its count in shared memory (0: none)
  // Where the thread's last two read-modify-write records are in the buffer (offset + 1),
  // each only when it left the value as it found it (else 0): a release spin folds into them
  // (FoldRmw). rmw_rec[1] is the later.
  uint32_t rmw_rec[2];
  SpinLoad& LastLoad() { return spin[(spin_next - 1) % kSpinLoads]; }
  uintptr_t stack_lo, stack_hi;
  // Packed read or write ranges still open, one per stream of a loop (a copy loop reads
  // one array and writes another; an image filter walks several rows): the next element of
  // a scan extends its range's record in place, without the cache lookup (Access). A range
  // stays open while every record after it is an access of the current run (its `live`
  // bit, with run_end the buffer's end): any other record (a call, a synchronization, a
  // flush) ends them all (CloseRanges also zeroes `next`, so Access's first compare fails).
  // Arrays, so RecordAccess reads the eight next addresses from one line.
  // (x264's lowres filter walks six arrays at once.) Saved whole around a signal handler
  // (intercept_signal.cc).
  static constexpr int kOpenRanges = 8;
  struct Coalescing {
    uintptr_t next[kOpenRanges];  // address right after the range
    uintptr_t start[kOpenRanges];
    uintptr_t site[kOpenRanges];
    uint32_t off[kOpenRanges];  // offset of the record in the thread's buffer
    uint32_t run[kOpenRanges];  // elements - 1
    uint8_t tag[kOpenRanges];
    uint8_t used[kOpenRanges];  // extended since the clock hand last passed (OpenIfPacked)
    uint8_t live;               // bit i: slot i opened in the current run of accesses
    uint32_t hand;              // the slot the next new range may take
    uint32_t last;              // the slot last opened or extended: Access tries it first
    uint32_t run_end;  // the buffer's end after the current run's last access record
  };
  Coalescing open;
  // The shadow stack, one cache line per two frames: a function entry writes one.
  struct Frame {
    uintptr_t pc;  // the call site: the return address into the caller
    // The frame's stack pointer at its entry call, and how far above it the frame pointer
    // register was (0: not within kMaxFrameDelta): DWARF places the frame's locals from one
    // of them.
    uintptr_t sp;
    uintptr_t fn;  // an address in the frame's own function: past its __tsan_func_entry call
    uint32_t fp;
  };
  Frame frames[kMaxFrames];
  Frame written[kMaxFrames];  // the frames the trace holds, as written
  CacheEntry cache[kCacheSize];

  // No range is open (another buffer is written, or records that are no accesses follow).
  void CloseRanges() {
    for (uintptr_t& n : open.next) n = 0;
    open.live = 0;
    open.run_end = ~0u;
  }
  // An allocation's or free's flags: unchecked while the thread ignores reads or writes.
  uint8_t HeapFlags() const {
    return ignore || ignore_reads || ignore_writes || library_heap ? trace::kHeapUnchecked : 0;
  }
};

// constinit: no dynamic initialization, so no TLS wrapper call on the fast path.
extern constinit thread_local ThreadCtx tls_ctx __attribute__((tls_model("initial-exec")));

// For the length of such a C library call (ThreadCtx::library_heap).
class LibraryHeapScope {
 public:
  LibraryHeapScope() { ++tls_ctx.library_heap; }
  ~LibraryHeapScope() { --tls_ctx.library_heap; }
  LibraryHeapScope(const LibraryHeapScope&) = delete;
  LibraryHeapScope& operator=(const LibraryHeapScope&) = delete;
};

// An event made inside code that is not instrumented (libstdc++'s std::string, stdio) has
// no frame for the call the innermost instrumented function made into that code. Its return
// address lies in the slot just below that function's stack pointer at entry (its frame
// stays put past the prologue), so the event gets one more frame for the user's call.
// `pc`: the interceptor's return address; when the slot holds it, the user called the
// interceptor itself and no frame is added. A slot that does not point into the function,
// just after its entry call (a frame moved by alloca), adds nothing.
inline constexpr uintptr_t kMaxFunctionBytes = 1u << 20;
TSAN_ALWAYS_INLINE uintptr_t LibraryCallSite(const ThreadCtx& t, uintptr_t pc) {
  if (t.depth == 0 || t.depth >= kMaxFrames) return 0;
  const uint32_t top = t.depth - 1;
  const uintptr_t sp = t.frames[top].sp, fn = t.frames[top].fn;
  if (sp < sizeof(uintptr_t) || fn == 0) return 0;
  const uintptr_t r = *reinterpret_cast<const uintptr_t*>(sp - sizeof(uintptr_t));
  return r != pc && r - fn - 1 < kMaxFunctionBytes ? r : 0;
}
// A longjmp to the frame whose stack pointer (in its body) is `sp`: the frames it leaves,
// deeper on the same stack, are popped, as their exits never run.
void UnwindTo(ThreadCtx& t, uintptr_t sp);
// Pushes that frame (true) for the event about to be written; PopLibraryFrame after it.
// A popped frame stays in the trace until an event needs it gone (SyncStack): the library's
// next event made from the same call finds it there and writes no record, so a loop of
// library calls costs one func_entry, not two records per event.
TSAN_ALWAYS_INLINE bool PushLibraryFrame(ThreadCtx& t, uintptr_t pc) {
  const uintptr_t r = LibraryCallSite(t, pc);
  if (!r) return false;
  const uint32_t d = t.depth;
  if (t.stale > d) t.stale = d;
  t.frames[d] = {r, t.frames[d - 1].sp - sizeof(uintptr_t), 0, 0};
  t.depth = d + 1;
  return true;
}
TSAN_ALWAYS_INLINE void PopLibraryFrame(ThreadCtx& t) { --t.depth; }
// An interceptor that calls back into the program (pthread_once's routine, qsort's
// comparator) holds a frame for its caller for this object's scope, as a call of an
// instrumented function does: the callback's stack then goes on through that call site to
// main. Nothing when the thread keeps no shadow stack.
class CallerFrame {
 public:
  TSAN_ALWAYS_INLINE explicit CallerFrame(uintptr_t caller_pc)
      : pushed_(tls_ctx.mode == Mode::kOn) {
    if (pushed_) __tsan_func_entry(reinterpret_cast<void*>(caller_pc));
  }
  TSAN_ALWAYS_INLINE ~CallerFrame() {
    if (pushed_) __tsan_func_exit();
  }
  CallerFrame(const CallerFrame&) = delete;
  CallerFrame& operator=(const CallerFrame&) = delete;

 private:
  const bool pushed_;
};

// Decides whether this thread records (first event of a thread; out of line).
TSAN_NOINLINE bool Activate(ThreadCtx& t);
// Writes kFuncEntry/kFuncExit so the trace's stack equals the live one (out of line): the
// frames the trace holds that the live stack still has, at the same depth, stay.
TSAN_NOINLINE void SyncStack(ThreadCtx& t);
// The trace's stack may differ from the live one: a record first calls SyncStack.
TSAN_ALWAYS_INLINE bool StackDirty(const ThreadCtx& t) {
  return t.emitted != t.depth || t.stale < t.depth;
}
// True when [addr, addr+size) lies in a range annotated as a benign race.
bool InBenignRange(uintptr_t addr, uintptr_t size);
extern int benign_ranges;  // number of annotated benign ranges; 0 on the fast path

// Sequential-access coalescing (tsan_buffer.cc).
bool CoalescingOn();
bool ExtendLastAccess(trace::EventKind kind, uintptr_t addr, uint32_t size, uintptr_t pc);

// The repeat cache (tsan_repeat_cache.h): an access (or a libc range) that repeats what the
// thread recorded since its last release-type event is dropped at the source.
TSAN_ALWAYS_INLINE CacheEntry& CacheSlot(ThreadCtx& t, uintptr_t addr) {
  return t.cache[(addr >> 3) & (kCacheSize - 1)];
}
// The epoch an access of `addr` is a repeat within. The thread's allocations and frees end
// it (the analyzer forgets a block's accesses at both), except on the thread's own stack,
// where no block lives: a function's locals written again after a malloc are repeats still.
TSAN_ALWAYS_INLINE uint64_t EpochFor(const ThreadCtx& t, const ThreadState* ts, uintptr_t addr) {
  return addr - t.stack_lo < t.stack_hi - t.stack_lo ? ts->stack_epoch : ts->epoch;
}
TSAN_ALWAYS_INLINE uint64_t EpochFor(const ThreadCtx& t, uintptr_t addr) {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) > 1 ? EpochFor(t, ts, addr) : 0;
}
TSAN_ALWAYS_INLINE bool Repeats(const ThreadCtx& t, const CacheEntry& e, uintptr_t addr,
                                uint32_t size, bool write) {
  return Repeats(e, addr, size, write, EpochFor(t, addr));
}
// False when the access repeats one recorded in this epoch; else notes it as recorded (the
// caller records it) and returns true.
TSAN_ALWAYS_INLINE bool NewInEpoch(ThreadCtx& t, uintptr_t addr, uint32_t size, bool write) {
  CacheEntry& e = CacheSlot(t, addr);
  if (Repeats(t, e, addr, size, write)) return false;
  NoteRecorded(e, addr, EpochFor(t, addr), size, write);
  return true;
}

// Every this many access events the clock is read; the others reuse the previous event's
// time. Reading the clock (rdtsc: ~25 ns in a VM) would otherwise cost more than the rest of
// the event, and a memory access's time only places it on the timeline.
inline constexpr uint32_t kClockEvery = 64;

TSAN_ALWAYS_INLINE void WritePlain(ThreadState* ts, trace::EventKind kind, uint8_t flags,
                                   uint16_t aux16, uint32_t aux32, uint64_t obj, uint64_t site,
                                   uint64_t value, uint32_t& clock_skip);

// Appends a non-synchronization event (access, call stack, heap) to the thread's buffer:
// runtime.h's Emit with an amortized clock. `value` goes to seq (range or block size).
// Between clock readings an access or call-stack event that fits is written as a 16-byte
// packed record (trace_format.h), which has no time of its own; the rest are full Events.
TSAN_ALWAYS_INLINE void EmitPlain(trace::EventKind kind, uint8_t flags, uint16_t aux16,
                                  uint32_t aux32, uint64_t obj, uint64_t site, uint64_t value,
                                  uint32_t& clock_skip) {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return;
  EnterRecord(ts);
  WritePlain(ts, kind, flags, aux16, aux32, obj, site, value, clock_skip);
  LeaveRecordQuiet(ts);  // the caller delivers held-back signals (DeliverDeferred)
}

// Runs the handlers of signals held back while this thread wrote its records. Called where
// the thread's bookkeeping (stack depth, open range) is whole again.
TSAN_ALWAYS_INLINE void DeliverDeferred() {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) > 1) DeliverIfPending(ts);
}

// OrderFence's record written at `p` by a caller already inside a record bracket, whose
// call-stack records are its own (the access path): no program-event framing. Returns the
// buffer position after it. Not when the thread's next number is already drawn
// (reserved_seq): that belongs to the synchronization under way.
inline uint32_t WriteOrderFence(ThreadState* ts, uint32_t p, uint64_t site) {
  if (ts->reserved_seq != 0) return p;
  trace::Event& e = FullAt(ts, p);
  e.kind = static_cast<uint8_t>(trace::EventKind::kFence);
  e.flags = static_cast<uint8_t>(trace::MemoryOrder::kRelaxed);
  e.aux16 = 0;
  e.aux32 = 0;
  e.ts = ts->last_ts = Now();
  e.seq = g_seq->fetch_add(1, std::memory_order_relaxed) + 1;
  e.obj = 0;
  e.site = site;
  ts->last = p;
  p += static_cast<uint32_t>(sizeof(trace::Event));
  ts->pos.store(p, std::memory_order_release);
  return p;
}

// EmitPlain's body, inside the record bracket.
TSAN_ALWAYS_INLINE void WritePlain(ThreadState* ts, trace::EventKind kind, uint8_t flags,
                                   uint16_t aux16, uint32_t aux32, uint64_t obj, uint64_t site,
                                   uint64_t value, uint32_t& clock_skip) {
  uint32_t p = ts->pos.load(std::memory_order_relaxed);
  if (__builtin_expect(p > kBufBytes - sizeof(trace::Event), 0)) {
    FlushOwn(ts);
    p = ts->pos.load(std::memory_order_relaxed);
    if (p > kBufBytes - sizeof(trace::Event)) return;  // a fault inside our own flush
  }
  const bool clock = p == 0 || ++clock_skip % kClockEvery == 0;
  // The first record after a sleep (which reads the clock): a relaxed fence before it, so
  // that the merge does not place it, and what follows, before other threads' records of
  // the sleep's time.
  if (__builtin_expect(clock && ts->order_pending, 0)) {
    ts->order_pending = false;
    p = WriteOrderFence(ts, p, site);
    if (p > kBufBytes - sizeof(trace::Event)) {
      FlushOwn(ts);
      p = ts->pos.load(std::memory_order_relaxed);
      if (p > kBufBytes - sizeof(trace::Event)) return;
    }
  }
  // A func_entry's frame pointer offset (aux32) rides in the run field.
  const bool entry = kind == trace::EventKind::kFuncEntry;
  if (!clock && flags == 0 && (aux32 == 0 || (entry && aux32 <= trace::kPackedMaxRun)) &&
      value == 0 && obj <= trace::kPackedMaxAddr && site <= trace::kPackedMaxAddr) {
    int code = -1;
    trace::PackedOp op = trace::PackedOp::kRead;
    if (kind == trace::EventKind::kRead || kind == trace::EventKind::kWrite) {
      code = trace::PackedSizeCode(aux16);
      op = kind == trace::EventKind::kRead ? trace::PackedOp::kRead : trace::PackedOp::kWrite;
    } else if (entry) {
      code = 0;
      op = trace::PackedOp::kFuncEntry;
    } else if (kind == trace::EventKind::kFuncExit && obj == 0 && site == 0) {
      code = 0;
      op = trace::PackedOp::kFuncExit;
    }
    if (code >= 0) {
      auto* w = reinterpret_cast<uint64_t*>(ts->buf + p);
      w[0] = trace::PackedWord0(trace::PackedTag(op, code), obj, aux32);
      w[1] = trace::PackedWord1(site, aux32);
      ts->last = p;
      ts->pos.store(p + static_cast<uint32_t>(trace::kPackedSize), std::memory_order_release);
      return;
    }
  }
  trace::Event& e = FullAt(ts, p);
  e.kind = static_cast<uint8_t>(kind);
  e.flags = flags;
  e.aux16 = aux16;
  e.aux32 = aux32;
  e.ts = clock ? (ts->last_ts = Now()) : ts->last_ts;
  e.seq = value;
  e.obj = obj;
  e.site = site;
  ts->last = p;
  ts->pos.store(p + static_cast<uint32_t>(sizeof(trace::Event)), std::memory_order_release);
}

// The calling thread's context when it records, else nullptr.
TSAN_ALWAYS_INLINE ThreadCtx* Recording() {
  ThreadCtx& t = tls_ctx;
  if (__builtin_expect(t.mode == Mode::kOn, 1)) return &t;
  if (t.mode == Mode::kOff) return nullptr;
  return Activate(t) ? &t : nullptr;
}

// Writes a memory event after bringing the trace's stack up to date.
TSAN_ALWAYS_INLINE void EmitMemory(ThreadCtx& t, trace::EventKind kind, uint8_t flags,
                                   uint16_t size, uintptr_t addr, uintptr_t pc) {
  if (StackDirty(t)) SyncStack(t);
  if (trace::IsSyncKind(kind)) {
    Emit(kind, flags, size, 0, addr, pc);
  } else {
    EmitPlain(kind, flags, size, 0, addr, pc, 0, t.clock_skip);
  }
}

TSAN_NOINLINE void RecordAccess(ThreadCtx& t, uintptr_t addr, uint32_t size, bool write,
                                uintptr_t pc);
// `size` bytes from `addr` read or written at `pc` by the calling thread (__tsan_read_range,
// the libc interceptors): one event, a plain access when it fits in 16 bytes.
void AccessRange(uintptr_t addr, uintptr_t size, bool write, uintptr_t pc);
// The libc calls made from code in [text, text + size) are not recorded (openmp.cc: libomp).
void SkipLibcCallsFrom(uintptr_t text, uintptr_t size);

// Set by __tsan_init: some loaded module is instrumented. Until then (and for good in an
// unmodified program) the libc interceptors only forward.
extern bool instrumented_module;
TSAN_ALWAYS_INLINE bool InstrumentedFast() {
  return __atomic_load_n(&instrumented_module, __ATOMIC_RELAXED);
}

// A range of 2-byte or wider elements grows only by an access at its first pc or up to this
// many bytes of code before it: a loop going round (unrolled and vectorized ones spread a
// statement over several call sites). Straight-line code runs forward, so neighbouring fields
// written on two lines stay two accesses, each reported at its own line. Bytes also join a
// range running forward: byte-wise encoders write eight bytes on eight lines, and keeping
// them apart made a leveldb trace a fifth longer.
inline constexpr uint64_t kLoopBodyBytes = 256;
// Whether an access of `size`-byte elements at `pc` may join the range begun at `range_pc`.
TSAN_ALWAYS_INLINE bool JoinsRange(uintptr_t pc, uint64_t range_pc, uint32_t size) {
  if (size == 1) return pc - range_pc + kLoopBodyBytes <= 2 * kLoopBodyBytes;  // either way
  return range_pc - pc <= kLoopBodyBytes;  // pc after range_pc wraps around: false
}
inline constexpr uint64_t kMaxRangeBytes = 1u << 30;

// The next element of open range `i` (same kind and size, next address, code in the same
// loop body, only accesses recorded since): one more element in its packed record, in
// place. The words are compared first, so a buffer flushed and refilled since is never
// patched.
TSAN_ALWAYS_INLINE bool ExtendOpen(ThreadCtx& t, int i, uintptr_t addr, uint32_t size,
                                   bool write, uintptr_t pc) {
  const uint8_t tag = trace::PackedTag(write ? trace::PackedOp::kWrite : trace::PackedOp::kRead,
                                       __builtin_ctz(size));
  if (tag != t.open.tag[i] || !JoinsRange(pc, t.open.site[i], size) || StackDirty(t)) {
    return false;
  }
  if (t.ignore || (write ? t.ignore_writes : t.ignore_reads) ||
      __atomic_load_n(&benign_ranges, __ATOMIC_RELAXED)) {
    return false;
  }
  ThreadState* ts = t_state;
  const uint32_t off = t.open.off[i];
  const uint32_t run = t.open.run[i];
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_runtime) return false;
  const uint32_t pos = ts->pos.load(std::memory_order_relaxed);
  if (pos != t.open.run_end || !(t.open.live >> i & 1) || off + trace::kPackedSize > pos ||
      off < ts->flushed || run >= trace::kPackedMaxRun ||
      static_cast<uint64_t>(run + 2) * size > kMaxRangeBytes) {
    return false;
  }
  const uintptr_t start = t.open.start[i], site = t.open.site[i];
  auto* w = reinterpret_cast<uint64_t*>(ts->buf + off);
  if (w[0] != trace::PackedWord0(tag, start, run) || w[1] != trace::PackedWord1(site, run)) {
    return false;
  }
  // The record's words change under the record bracket (see ThreadState::in_record), kept
  // lean: a scan comes here once per element. Nothing nests here, so plain stores do.
  ts->in_record = 1;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  w[0] = trace::PackedWord0(tag, start, run + 1);
  w[1] = trace::PackedWord1(site, run + 1);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  ts->in_record = 0;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  t.open.run[i] = run + 1;
  t.open.next[i] = addr + size;
  t.open.used[i] = 1;
  t.open.last = static_cast<uint32_t>(i);
  // The cache still learns the scan, so a repeat of it in this epoch is dropped: each
  // granule once, when the scan reaches its end (a byte scan comes here for every byte).
  if ((addr & 7) + size >= 8) {
    const uintptr_t g = addr & ~uintptr_t{7}, from = start > g ? start : g;
    NoteRecorded(CacheSlot(t, g), from, EpochFor(t, ts, g), static_cast<uint32_t>(g + 8 - from),
                 write);
  }
  if (__builtin_expect(__atomic_load_n(&ts->sig_pending, __ATOMIC_RELAXED) != 0, 0)) {
    DeliverPendingSignals(ts);
  }
  return true;
}

// A plain read or write from instrumented code. The cache drops an access that repeats one
// this thread recorded since its last release-type event (StartsEpoch; a write also covers
// later reads of the same bytes): the analyzer would learn nothing new from it.
TSAN_ALWAYS_INLINE void Access(uintptr_t addr, uint32_t size, bool write, uintptr_t pc) {
  ThreadCtx* t = Recording();
  if (!t) return;
  if (t->skip_own_stack && addr - t->stack_lo < t->stack_hi - t->stack_lo) return;
  // The scan extended last (a loop over one array); the other open ranges are tried by
  // RecordAccess, after the cache: a repeat or an access that starts no range pays nothing.
  const uint32_t last = t->open.last;
  if (addr == t->open.next[last] && ExtendOpen(*t, static_cast<int>(last), addr, size, write, pc)) {
    return;
  }
  if (Repeats(*t, CacheSlot(*t, addr), addr, size, write)) return;
  RecordAccess(*t, addr, size, write, pc);
}

}  // namespace tsan
}  // namespace threadlens::rt
