// Native call stacks at synchronization events (see native_stack.h).
//
// The unwinder is libgcc's (_Unwind_Backtrace: DWARF call-frame information, so frames
// without frame pointers unwind too). Its cost is paid per synchronization event of a thread
// with no instrumentation; bench/native_stacks.sh measures it per lock pair.
#include "native_stack.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unwind.h>

extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" const char etext[] __attribute__((visibility("hidden")));

namespace threadlens::rt {

namespace {

int g_enabled_flag = -1;  // -1: environment not read yet

bool On() {
  if (__builtin_expect(g_enabled_flag < 0, 0)) {
    const char* v = getenv("THREADLENS_NATIVE_STACKS");
    g_enabled_flag = !(v && v[0] == '0');
  }
  return g_enabled_flag == 1;
}

bool InRuntime(uintptr_t pc) {
  return pc - reinterpret_cast<uintptr_t>(__ehdr_start) <
         reinterpret_cast<uintptr_t>(etext) - reinterpret_cast<uintptr_t>(__ehdr_start);
}

// One capture: the return addresses (ip[0] is the event's own site) and the stack slots
// that held them, which let a later capture at the same place be confirmed by reading them.
struct Capture {
  uint32_t n = 0;
  uint64_t ip[kMaxNativeFrames + 1];
  uint64_t slot[kMaxNativeFrames + 1];
};

struct Walk {
  Capture* c;
  bool past_runtime;
};

_Unwind_Reason_Code Collect(struct _Unwind_Context* ctx, void* arg) {
  auto* w = static_cast<Walk*>(arg);
  const uintptr_t ip = _Unwind_GetIP(ctx);
  // libgcc reports each frame with its callee's canonical frame address, right above the
  // return address `ip` that the call pushed (x86-64).
  const uint64_t callee_cfa = _Unwind_GetCFA(ctx);
  if (ip == 0) return _URC_END_OF_STACK;
  // The runtime's own frames (this function, the interceptor) come first: skipped.
  if (!w->past_runtime) {
    if (InRuntime(ip)) return _URC_NO_REASON;
    w->past_runtime = true;
  }
  Capture& c = *w->c;
  if (c.n == kMaxNativeFrames + 1) return _URC_END_OF_STACK;
  c.ip[c.n] = ip;
  c.slot[c.n] = callee_cfa - 8;
  ++c.n;
  return _URC_NO_REASON;
}

// A few recent captures per thread, by call site and stack depth. A hit is confirmed by
// finding every return address still in its slot, so a different call chain that reaches
// the same site at the same depth is unwound afresh. Unwinding costs microseconds; the
// check, a few loads.
constexpr uint32_t kCacheWays = 16;
struct NativeCache {
  uint64_t site[kCacheWays];
  uint64_t sp[kCacheWays];
  Capture capture[kCacheWays];
};

bool StillLive(const Capture& c, uint64_t sp) {
  for (uint32_t i = 0; i < c.n; ++i) {
    if (c.slot[i] <= sp || *reinterpret_cast<const uint64_t*>(c.slot[i]) != c.ip[i]) {
      return false;
    }
  }
  return c.n > 0;
}

// Thread start and exit have no caller worth showing; a lock's creation at first use is
// followed by its acquisition, which captures the same stack.
bool Wanted(trace::EventKind kind) {
  using trace::EventKind;
  switch (kind) {
    case EventKind::kThreadStart:
    case EventKind::kThreadExit:
    case EventKind::kLockCreate:
    case EventKind::kAtomicLoad:
    case EventKind::kAtomicStore:
    case EventKind::kAtomicRmw:
    case EventKind::kFence:
    case EventKind::kWatchdogFired:
    case EventKind::kBlocked:
    case EventKind::kHolds:
    case EventKind::kRunning:
      return false;
    default:
      return true;
  }
}

}  // namespace

void SyncNativeStack(ThreadState* ts, trace::EventKind kind, uint64_t site) {
  if (ts->is_runtime || ts->in_runtime || ts->in_record || !Wanted(kind) || !On()) return;
  if (__atomic_load_n(&tsan::instrumented_module, __ATOMIC_RELAXED)) {
    if (ts->native_n) DropNativeStack(ts);
    return;
  }
  if (!ts->native_cache) {
    void* p = mmap(nullptr, sizeof(NativeCache), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    ts->native_cache = p;
  }
  auto* cache = static_cast<NativeCache*>(ts->native_cache);
  const uint64_t sp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
  const uint32_t way = static_cast<uint32_t>((site ^ (sp >> 4)) * 0x9E3779B97F4A7C15ull >> 60);
  Capture& c = cache->capture[way];
  if (cache->site[way] != site || cache->sp[way] != sp || !StillLive(c, sp)) {
    c.n = 0;
    Walk w{&c, false};
    ts->in_runtime = true;  // the unwinder's own calls are not the program's
    _Unwind_Backtrace(Collect, &w);
    ts->in_runtime = false;
    cache->site[way] = site;
    cache->sp[way] = sp;
  }
  // Frames outermost first, as func_entry records carry them (each one's site is the return
  // address into its caller); ip[0], the event's own site, is not a frame.
  const uint32_t depth = c.n > 1 ? c.n - 1 : 0;
  uint32_t same = 0;
  while (same < depth && same < ts->native_n && ts->native[same] == c.ip[c.n - 1 - same]) ++same;
  for (uint32_t i = ts->native_n; i > same; --i) {
    EmitTo(ts, trace::EventKind::kFuncExit, 0, 0, 0, 0, 0, 0, false);
  }
  for (uint32_t i = same; i < depth; ++i) {
    const uint64_t ip = c.ip[c.n - 1 - i];
    EmitTo(ts, trace::EventKind::kFuncEntry, 0, 0, 0, 0, ip, 0, false);
    ts->native[i] = ip;
  }
  ts->native_n = depth;
}

void FreeNativeCache(ThreadState* ts) {
  if (ts->native_cache) munmap(ts->native_cache, sizeof(NativeCache));
  ts->native_cache = nullptr;
}

void DropNativeStack(ThreadState* ts) {
  for (; ts->native_n > 0; --ts->native_n) {
    EmitTo(ts, trace::EventKind::kFuncExit, 0, 0, 0, 0, 0);
  }
}

}  // namespace threadlens::rt
