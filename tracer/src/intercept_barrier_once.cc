// Interceptors for pthread barriers, pthread_once (std::call_once goes through it), the
// guards of function-local statics (__cxa_guard_*) and the release of a std::exception_ptr:
// the happens-before edges they make, written as happens_before/happens_after and atomic
// events the analyzer already knows.
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include <atomic>

#include "runtime_internal.h"
#include "schedule.h"
#include "sync_keys.h"
#include "tsan_thread.h"

namespace threadlens::rt {
namespace {

using trace::EventKind;

int (*real_barrier_init)(pthread_barrier_t*, const pthread_barrierattr_t*, unsigned);
int (*real_barrier_destroy)(pthread_barrier_t*);
int (*real_barrier_wait)(pthread_barrier_t*);
int (*real_once)(pthread_once_t*, void (*)());
int (*real_guard_acquire)(uint64_t*);
void (*real_guard_release)(uint64_t*);
void (*real_guard_abort)(uint64_t*);
void (*real_exception_release)(void*);
void (*real_end_catch)();
// std::current_exception: its exception_ptr comes back through a hidden pointer to the
// caller's storage (one word, the exception object).
void (*real_current_exception)(void* out);

template <typename F>
F Resolve(F& fn, const char* name) {
  F f = __atomic_load_n(&fn, __ATOMIC_RELAXED);
  if (TL_UNLIKELY(!f)) {
    f = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
    __atomic_store_n(&fn, f, __ATOMIC_RELAXED);
  }
  return f;
}

// (The runtime's own guarded statics reach the __cxa_guard_* below too: FromRuntime.)

inline uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

void Range(EventKind kind, const void* obj, uint64_t size, uint64_t pc) {
  if (ThreadState* ts = Started()) EmitTo(ts, kind, 0, 0, 1, Addr(obj), pc, size);
}

void Sync(EventKind kind, uint64_t key, uint64_t pc, uint8_t flags = 0, uint16_t aux16 = 0) {
  if (ThreadState* ts = Started()) EmitTo(ts, kind, flags, aux16, 0, key, pc);
}

// --- Barriers ------------------------------------------------------------------------------
//
// Every arrival of a round happens before every departure of that round. Arrivals release
// and departures acquire a key per round: with one key for all rounds, a thread that leaves
// round r late would also acquire what a fast thread did after r and released arriving at
// r + 1, and miss races. Rounds alternate between two keys, which is enough: no thread
// arrives at r + 2 before every thread left r. The round is the arrival's rank over the
// count, from a counter per barrier in a fixed table (no allocation). With more threads than
// the count on one barrier at once, ranks may group arrivals unlike the barrier does; a full
// table makes every round share one key. docs/instrumentation.md says both.

struct BarrierSlot {
  std::atomic<uint64_t> addr{0};  // 0 free, kTombstone destroyed
  std::atomic<uint32_t> count{0};
  std::atomic<uint64_t> arrivals{0};
};
constexpr uint32_t kBarrierSlots = 1024;
constexpr uint64_t kTombstone = 1;
BarrierSlot barriers[kBarrierSlots];

uint32_t SlotHash(uint64_t a) {
  return static_cast<uint32_t>((a >> 4) * 0x9E3779B97F4A7C15ull >> 54);
}

BarrierSlot* FindBarrier(uint64_t a) {
  for (uint32_t i = 0, h = SlotHash(a); i < kBarrierSlots; ++i) {
    BarrierSlot& s = barriers[(h + i) % kBarrierSlots];
    uint64_t v = s.addr.load(std::memory_order_acquire);
    if (v == a) return &s;
    if (v == 0) return nullptr;
  }
  return nullptr;
}

BarrierSlot* InsertBarrier(uint64_t a) {
  if (BarrierSlot* s = FindBarrier(a)) return s;
  for (uint32_t i = 0, h = SlotHash(a); i < kBarrierSlots; ++i) {
    BarrierSlot& s = barriers[(h + i) % kBarrierSlots];
    uint64_t v = s.addr.load(std::memory_order_relaxed);
    if ((v == 0 || v == kTombstone) &&
        s.addr.compare_exchange_strong(v, a, std::memory_order_acq_rel)) {
      return &s;
    }
  }
  return nullptr;
}

// --- pthread_once ---------------------------------------------------------------------------
//
// The initializer's completion must be recorded before the real pthread_once lets waiting
// callers go, so the routine runs inside a trampoline that records the release. The routine
// and its control reach the trampoline through this thread's variables (pthread_once passes
// no argument); a nested pthread_once in the routine saves and restores them.

constinit thread_local void (*t_once_routine)()
    __attribute__((tls_model("initial-exec"))) = nullptr;
constinit thread_local pthread_once_t* t_once_control __attribute__((tls_model("initial-exec"))) =
    nullptr;

void OnceTrampoline() {
  void (*routine)() = t_once_routine;
  pthread_once_t* control = t_once_control;
  routine();
  Sync(EventKind::kHappensBefore, Addr(control), Addr(reinterpret_cast<void*>(routine)));
}

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;
using threadlens::trace::EventKind;
using threadlens::trace::MemoryOrder;

TL_EXPORT int pthread_barrier_init(pthread_barrier_t* b, const pthread_barrierattr_t* a,
                                   unsigned count) {
  auto* real = Resolve(real_barrier_init, "pthread_barrier_init");
  if (!real) return ENOSYS;
  int r = real(b, a, count);
  if (r == 0) {
    Range(EventKind::kWrite, b, sizeof *b, TL_CALLER_PC);
    if (BarrierSlot* s = InsertBarrier(Addr(b))) {
      s->arrivals.store(0, std::memory_order_relaxed);
      s->count.store(count, std::memory_order_release);
    }
  }
  return r;
}

TL_EXPORT int pthread_barrier_destroy(pthread_barrier_t* b) {
  auto* real = Resolve(real_barrier_destroy, "pthread_barrier_destroy");
  if (!real) return ENOSYS;
  Range(EventKind::kWrite, b, sizeof *b, TL_CALLER_PC);
  if (BarrierSlot* s = FindBarrier(Addr(b))) s->addr.store(kTombstone, std::memory_order_release);
  return real(b);
}

TL_EXPORT int pthread_barrier_wait(pthread_barrier_t* b) {
  auto* real = Resolve(real_barrier_wait, "pthread_barrier_wait");
  if (!real) return ENOSYS;
  const uint64_t pc = TL_CALLER_PC;
  ThreadState* ts = Started();
  if (!ts) return real(b);
  ScheduleStep(ts);
  uint64_t round = 0;
  if (BarrierSlot* s = FindBarrier(Addr(b))) {
    uint32_t count = s->count.load(std::memory_order_acquire);
    uint64_t rank = s->arrivals.fetch_add(1, std::memory_order_relaxed);
    if (count > 0) round = rank / count;
  }
  const uint64_t key = BarrierRoundKey(Addr(b), round);
  Range(EventKind::kRead, b, sizeof *b, pc);
  Sync(EventKind::kHappensBefore, key, pc);  // before the real wait: arrivals precede departures
  ScheduleBlock(ts);
  int r = real(b);
  ScheduleUnblock(ts);
  Sync(EventKind::kHappensAfter, key, pc);
  return r;
}

TL_EXPORT int pthread_once(pthread_once_t* control, void (*routine)()) {
  auto* real = Resolve(real_once, "pthread_once");
  if (!real) return ENOSYS;
  if (!Started()) return real(control, routine);
  void (*saved_routine)() = t_once_routine;
  pthread_once_t* saved_control = t_once_control;
  t_once_routine = routine;
  t_once_control = control;
  int r;
  {
    tsan::CallerFrame frame(TL_CALLER_PC);  // C11 call_once's caller too
    r = real(control, OnceTrampoline);
  }
  t_once_routine = saved_routine;
  t_once_control = saved_control;
  Sync(EventKind::kHappensAfter, Addr(control), TL_CALLER_PC);
  return r;
}

// Function-local statics. The compiled code checks the guard's first byte with an acquire
// load (an instrumented atomic load), and calls __cxa_guard_acquire only when it is clear:
// the release is therefore recorded as a release store on that byte, which both that load
// and a caller returning 0 from __cxa_guard_acquire (it waited, or lost the race) acquire.
// The real functions are the C++ runtime's (libstdc++ or libc++abi), next in lookup order.
TL_EXPORT int __cxa_guard_acquire(uint64_t* guard) {
  auto* real = Resolve(real_guard_acquire, "__cxa_guard_acquire");
  if (!real) threadlens::rt::ReportFatal("__cxa_guard_acquire: no C++ runtime loaded");
  int r = real(guard);
  if (r == 0 && !FromRuntime(TL_CALLER_PC)) {
    Sync(EventKind::kAtomicLoad, Addr(guard), TL_CALLER_PC,
         static_cast<uint8_t>(MemoryOrder::kAcquire), 1);
  }
  return r;
}

TL_EXPORT void __cxa_guard_release(uint64_t* guard) {
  auto* real = Resolve(real_guard_release, "__cxa_guard_release");
  if (!real) threadlens::rt::ReportFatal("__cxa_guard_release: no C++ runtime loaded");
  if (!FromRuntime(TL_CALLER_PC)) {
    Sync(EventKind::kAtomicStore, Addr(guard), TL_CALLER_PC,
         static_cast<uint8_t>(MemoryOrder::kRelease), 1);
  }
  real(guard);
}

TL_EXPORT void __cxa_guard_abort(uint64_t* guard) {
  auto* real = Resolve(real_guard_abort, "__cxa_guard_abort");
  if (!real) threadlens::rt::ReportFatal("__cxa_guard_abort: no C++ runtime loaded");
  real(guard);
}

namespace {

auto* RealExceptionRelease() {
  return Resolve(real_exception_release, "_ZNSt15__exception_ptr13exception_ptr10_M_releaseEv");
}

// A drop of a reference to the exception `object`: its count's decrement is acq_rel.
void ReleasedException(void* object, uint64_t pc) {
  const uint64_t key = ExceptionKey(Addr(object));
  Sync(EventKind::kHappensBefore, key, pc);
  Sync(EventKind::kHappensAfter, key, pc);
}

}  // namespace

// A std::exception_ptr's release (its destructor and assignments call it): the exception's
// reference count lives in the C++ runtime, which is not instrumented, and the last release
// frees the object. The count's decrements are acq_rel, so every release is recorded as a
// release then an acquire of the object's key, before the real one: the free that the last
// release makes is ordered after whatever each earlier holder did with the exception (a
// thread that handed an exception to another and dropped its copy last was a false use
// after free of the other's reads, in ThreadSanitizer too). Releases inside the C++ runtime
// itself (std::rethrow_exception's, a future's) do not come here: the end of the catch block
// that handled a rethrown exception (below) counts for them.
TL_EXPORT void _ZNSt15__exception_ptr13exception_ptr10_M_releaseEv(void* self) {
  auto* real = RealExceptionRelease();
  if (!real) threadlens::rt::ReportFatal("exception_ptr::_M_release: no C++ runtime loaded");
  const uint64_t pc = TL_CALLER_PC;
  if (void* object = *static_cast<void**>(self); object && !FromRuntime(pc)) {
    ReleasedException(object, pc);
  }
  real(self);
}

// The end of a catch block: the C++ runtime drops the handler's reference to the exception,
// inside itself. Recorded as exception_ptr's release is, for the exception being handled: a
// thread that got an exception from a std::future (whose rethrow holds the only reference it
// has), read it in its handler and left the handler is ordered before the free that the
// exception's last holder (the task's promise) makes.
TL_EXPORT void __cxa_end_catch() {
  auto* real = Resolve(real_end_catch, "__cxa_end_catch");
  if (!real) threadlens::rt::ReportFatal("__cxa_end_catch: no C++ runtime loaded");
  const uint64_t pc = TL_CALLER_PC;
  auto* current = Resolve(real_current_exception, "_ZSt17current_exceptionv");
  auto* release = RealExceptionRelease();
  if (current && release && !FromRuntime(pc)) {
    void* object = nullptr;
    current(&object);  // a reference of its own, dropped below: the count is as it was
    if (object) {
      ReleasedException(object, pc);
      release(&object);
    }
  }
  real();
}
