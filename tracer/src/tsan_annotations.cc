// TSan's annotation entry points (__tsan_acquire/release, __tsan_mutex_*, the Annotate*
// family of dynamic_annotations.h, external tags) mapped onto trace events, so code
// already annotated for TSan works unchanged. Also the heap hooks the allocation
// interposer of instrumented programs calls (heap blocks are named by allocation site).
#include <malloc.h>

#include <atomic>

#include "held_locks.h"
#include "tsan_thread.h"

extern "C" void threadlens_name_thread(const char* name) __attribute__((weak));

namespace threadlens::rt::tsan {

namespace {

using trace::EventKind;

// Ranges annotated as benign races; looked up only when at least one exists.
struct BenignRange {
  std::atomic<uintptr_t> begin{0}, end{0};
};
constexpr int kMaxBenign = 256;
BenignRange benign[kMaxBenign];
std::atomic<int> benign_used{0};

// An annotation event (not a memory access): written with the stack brought up to date.
void Sync(EventKind kind, uint8_t flags, uint16_t aux16, const volatile void* obj, uintptr_t pc) {
  ThreadCtx* t = Recording();
  if (!t) return;
  if (StackDirty(*t)) SyncStack(*t);
  Emit(kind, flags, aux16, 0, reinterpret_cast<uintptr_t>(obj), pc);
}

}  // namespace

int benign_ranges = 0;

bool InBenignRange(uintptr_t addr, uintptr_t size) {
  int n = benign_used.load(std::memory_order_acquire);
  for (int i = 0; i < n && i < kMaxBenign; ++i) {
    uintptr_t b = benign[i].begin.load(std::memory_order_relaxed);
    uintptr_t e = benign[i].end.load(std::memory_order_relaxed);
    if (addr < e && addr + size > b) return true;
  }
  return false;
}

void AddBenignRange(const volatile void* mem, uintptr_t size) {
  int i = benign_used.load(std::memory_order_relaxed);
  // Races between two annotating threads can lose one range; annotations are rare and
  // usually made at start-up by one thread.
  if (i >= kMaxBenign) return;
  auto b = reinterpret_cast<uintptr_t>(mem);
  benign[i].begin.store(b, std::memory_order_relaxed);
  benign[i].end.store(b + (size ? size : 1), std::memory_order_relaxed);
  benign_used.store(i + 1, std::memory_order_release);
  __atomic_store_n(&benign_ranges, i + 1, __ATOMIC_RELAXED);
}

// Heap blocks, from the malloc/new interposer linked into instrumented programs.
void OnAlloc(void* p, size_t size, uintptr_t pc) {
  if (!p) return;
  // Inside strdup, getline...: named at the caller's call (PcScope).
  if (const uint64_t user = ::threadlens::rt::t_caller_pc) pc = user;
  ThreadCtx* t = Recording();
  // Under ignores too (as unchecked, HeapFlags): a use of freed memory is reported, so every
  // reuse of a block's memory must be seen.
  if (!t) return;
  const bool library = PushLibraryFrame(*t, pc);  // std::string's, inside libstdc++
  if (StackDirty(*t)) SyncStack(*t);
  // Merge-order point: see OnFree. Before the kAlloc, so the block is forgotten after every
  // access its previous owner made.
  Emit(EventKind::kFence, static_cast<uint8_t>(trace::MemoryOrder::kRelaxed), 0, 0, 0, pc);
  // The fence also started a new epoch: accesses cached at the block's addresses before it
  // was (re)allocated are not taken for repeats. aux32: the allocator's slack past `size`,
  // which the program may use too (malloc_usable_size; sds and listpack in Redis do).
  const size_t usable = malloc_usable_size(p);
  const size_t slack = usable > size ? usable - size : 0;
  EmitWithValue(EventKind::kAlloc, t->HeapFlags(), 0,
                static_cast<uint32_t>(slack < UINT32_MAX ? slack : 0),
                reinterpret_cast<uintptr_t>(p), pc, size);
  UnknownThreadAllocated();
  if (library) PopLibraryFrame(*t);
}

// `usable`: the block's usable size, or kUnknownSize to ask the allocator (the block is not
// freed yet).
constexpr size_t kUnknownSize = ~size_t{0};
void OnFree(void* p, size_t usable, uintptr_t pc) {
  if (!p) return;
  if (const uint64_t user = ::threadlens::rt::t_caller_pc) pc = user;
  ThreadCtx* t = Recording();
  if (!t) return;
  const bool library = PushLibraryFrame(*t, pc);
  if (StackDirty(*t)) SyncStack(*t);
  // A block freed by one thread is often reused by another (std::thread's state is freed by
  // the thread and reallocated by its creator). Plain accesses have no sequence number, so
  // without a sync event here the merge could put the old owner's last accesses after the
  // new owner's first ones: a false race. A relaxed fence is a no-op for happens-before (so
  // it hides no race, unlike modelling the allocator's hand-over as an edge) but carries a
  // sequence number: it pins the merge order.
  Emit(EventKind::kFence, static_cast<uint8_t>(trace::MemoryOrder::kRelaxed), 0, 0, 0, pc);
  // The block's usable size: a block the C library allocated for the program (strdup,
  // getline) was never announced, and its free still ends its life.
  EmitWithValue(EventKind::kFree, t->HeapFlags(), 0, 0, reinterpret_cast<uintptr_t>(p), pc,
                usable == kUnknownSize ? malloc_usable_size(p) : usable);
  if (library) PopLibraryFrame(*t);
}

}  // namespace threadlens::rt::tsan

using namespace threadlens::rt::tsan;  // NOLINT: the exported C symbols below
using threadlens::trace::EventKind;
using threadlens::trace::LockType;

// --- Heap hooks (called by the interposer in libthreadlens_alloc) ---------------------------

TSAN_EXPORT void __threadlens_on_alloc(void* p, size_t size, void* pc) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kMalloc, reinterpret_cast<uintptr_t>(pc));
  OnAlloc(p, size, reinterpret_cast<uintptr_t>(pc));
}
TSAN_EXPORT void __threadlens_on_free(void* p, void* pc) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kFree, reinterpret_cast<uintptr_t>(pc));
  OnFree(p, kUnknownSize, reinterpret_cast<uintptr_t>(pc));
}
// realloc's old block, whose size the interposer has already taken (it records the free
// before the real realloc, which may unmap the block).
TSAN_EXPORT void __threadlens_on_free_sized(void* p, size_t usable, void* pc) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kFree, reinterpret_cast<uintptr_t>(pc));
  OnFree(p, usable, reinterpret_cast<uintptr_t>(pc));
}

// --- __tsan_acquire / __tsan_release ---------------------------------------------------------

TSAN_EXPORT void __tsan_acquire(void* addr) {
  Sync(EventKind::kHappensAfter, 0, 0, addr, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_release(void* addr) {
  Sync(EventKind::kHappensBefore, 0, 0, addr, TSAN_CALLER_PC);
}

// --- __tsan_mutex_* (sanitizer/tsan_interface.h): user-defined mutexes ----------------------

namespace {
constexpr unsigned kMutexReadLock = 1u << 3;
constexpr unsigned kMutexTryLock = 1u << 4;
constexpr unsigned kMutexTryLockFailed = 1u << 5;

// The mutex's own code, between a pre_ and its post_ call (outside a divert), is not the
// program's: as ThreadSanitizer does, its accesses are not recorded and its synchronization
// (the atomics of the lock word, a futex's) orders nothing, so only the annotated lock and
// unlock do. Two read locks then order nothing, whatever the lock word's memory order.
void EnterMutexCode() {
  ++tls_ctx.mutex_code;
  ++tls_ctx.ignore;
  if (threadlens::rt::ThreadState* ts = threadlens::rt::Current()) ++ts->ignore_sync;
}
// False when not inside (a post_ without its pre_): nothing to leave.
bool LeaveMutexCode() {
  if (tls_ctx.mutex_code == 0) return false;
  --tls_ctx.mutex_code;
  if (tls_ctx.ignore) --tls_ctx.ignore;
  threadlens::rt::ThreadState* ts = threadlens::rt::Current();
  if (ts && ts->ignore_sync) --ts->ignore_sync;
  return true;
}
}  // namespace

namespace {

// Mutexes created linker-initialized or not static (a global of a mutex class, which code may
// still use during shutdown after its destructor ran): as in TSan, their destroy is no
// destroy when the mutex or the destroy call says linker_init, or when the destroy says
// not_static of a mutex not created so. A fixed table; a full one forgets (the destroy counts).
constexpr unsigned kMutexLinkerInit = 1u << 0, kMutexNotStatic = 1u << 8;
constexpr size_t kStaticSlots = 1024;
struct StaticMutex {
  std::atomic<uintptr_t> addr{0};
  std::atomic<unsigned> flags{0};
};
StaticMutex static_mutexes[kStaticSlots];

StaticMutex* FindStatic(uintptr_t a, bool insert) {
  for (size_t i = 0, h = (a >> 4) % kStaticSlots; i < kStaticSlots; ++i) {
    StaticMutex& m = static_mutexes[(h + i) % kStaticSlots];
    uintptr_t seen = m.addr.load(std::memory_order_acquire);
    if (seen == a) return &m;
    if (seen == 0) {
      if (!insert) return nullptr;
      if (m.addr.compare_exchange_strong(seen, a, std::memory_order_acq_rel)) return &m;
      if (seen == a) return &m;
    }
  }
  return nullptr;
}

void CreateMutex(const volatile void* addr, unsigned flags, LockType type, uintptr_t pc) {
  const auto a = reinterpret_cast<uintptr_t>(addr);
  if (flags & (kMutexLinkerInit | kMutexNotStatic)) {
    if (StaticMutex* m = FindStatic(a, true)) {
      m->flags.store(flags & (kMutexLinkerInit | kMutexNotStatic), std::memory_order_release);
    }
  } else if (StaticMutex* m = FindStatic(a, false)) {
    m->flags.store(0, std::memory_order_release);  // created again, plainly
  }
  Sync(EventKind::kLockCreate, 0, static_cast<uint16_t>(type), addr, pc);
}

void DestroyMutex(const volatile void* addr, unsigned flags, uintptr_t pc) {
  const StaticMutex* m = FindStatic(reinterpret_cast<uintptr_t>(addr), false);
  const unsigned created = m ? m->flags.load(std::memory_order_acquire) : 0;
  if ((flags & kMutexLinkerInit) || (created & kMutexLinkerInit) ||
      ((flags & kMutexNotStatic) && !(created & kMutexNotStatic))) {
    return;
  }
  Sync(EventKind::kLockDestroy, 0, 0, addr, pc);
}

}  // namespace

TSAN_EXPORT void __tsan_mutex_create(void* addr, unsigned flags) {
  CreateMutex(addr, flags, LockType::kNormal, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_mutex_destroy(void* addr, unsigned flags) {
  DestroyMutex(addr, flags, TSAN_CALLER_PC);
}
TSAN_EXPORT void __tsan_mutex_pre_lock(void* addr, unsigned flags) {
  uint8_t f = (flags & kMutexReadLock ? threadlens::trace::kShared : 0) |
              (flags & kMutexTryLock ? threadlens::trace::kTry : 0);
  Sync(EventKind::kLockRequest, f, 0, addr, TSAN_CALLER_PC);
  // The outermost: a lock's own code may lock others of its kind on the way (absl::Mutex's
  // slow path takes its allocator's spin lock), and a wait in there still waits for this one.
  if (!(flags & kMutexTryLock) && tls_ctx.lock_wanted == 0) {
    tls_ctx.lock_wanted = reinterpret_cast<uintptr_t>(addr);
    tls_ctx.lock_wanted_shared = flags & kMutexReadLock;
  }
  EnterMutexCode();
}
TSAN_EXPORT void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion) {
  LeaveMutexCode();
  if (tls_ctx.lock_wanted == reinterpret_cast<uintptr_t>(addr)) tls_ctx.lock_wanted = 0;
  uint8_t shared = flags & kMutexReadLock ? threadlens::trace::kShared : 0;
  if (flags & kMutexTryLockFailed) {
    Sync(EventKind::kLockTryFailed, shared, 0, addr, TSAN_CALLER_PC);
  } else {
    Sync(EventKind::kLockAcquired, shared, 1, addr, TSAN_CALLER_PC);
    // Held, for the watchdog's wait-for graph.
    if (threadlens::rt::ThreadState* ts = threadlens::rt::Current()) {
      threadlens::rt::HeldPush(ts, reinterpret_cast<uintptr_t>(addr), shared != 0,
                               static_cast<uint8_t>(LockType::kNormal));
    }
  }
}
TSAN_EXPORT int __tsan_mutex_pre_unlock(void* addr, unsigned flags) {
  uint8_t shared = flags & kMutexReadLock ? threadlens::trace::kShared : 0;
  Sync(EventKind::kLockRelease, shared, 0, addr, TSAN_CALLER_PC);
  if (threadlens::rt::ThreadState* ts = threadlens::rt::Current()) {
    threadlens::rt::HeldPop(ts, reinterpret_cast<uintptr_t>(addr), nullptr);
  }
  EnterMutexCode();
  return 0;
}
TSAN_EXPORT void __tsan_mutex_post_unlock(void* addr, unsigned flags) { LeaveMutexCode(); }
// Waking a waiter of the mutex (a condition variable's signal) is mutex code too.
TSAN_EXPORT void __tsan_mutex_pre_signal(void* addr, unsigned flags) { EnterMutexCode(); }
TSAN_EXPORT void __tsan_mutex_post_signal(void* addr, unsigned flags) { LeaveMutexCode(); }
// Between pre_divert and post_divert the mutex code runs user code (a condition of
// absl::Mutex::Await): the program's again, recorded as such.
TSAN_EXPORT void __tsan_mutex_pre_divert(void* addr, unsigned flags) {
  if (LeaveMutexCode()) ++tls_ctx.mutex_diverted;
}
TSAN_EXPORT void __tsan_mutex_post_divert(void* addr, unsigned flags) {
  if (tls_ctx.mutex_diverted == 0) return;
  --tls_ctx.mutex_diverted;
  EnterMutexCode();
}

// --- External tags (sanitizer/tsan_interface.h): accesses to objects of a library type ------

namespace {
std::atomic<uintptr_t> next_tag{1};
}
TSAN_EXPORT void* __tsan_external_register_tag(const char* object_type) {
  return reinterpret_cast<void*>(next_tag.fetch_add(1, std::memory_order_relaxed));
}
TSAN_EXPORT void __tsan_external_register_header(void* tag, const char* header) {}
TSAN_EXPORT void __tsan_external_assign_tag(void* addr, void* tag) {}
TSAN_EXPORT void __tsan_external_read(void* addr, void* caller_pc, void* tag) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, false, reinterpret_cast<uintptr_t>(caller_pc));
}
TSAN_EXPORT void __tsan_external_write(void* addr, void* caller_pc, void* tag) {
  Access(reinterpret_cast<uintptr_t>(addr), 1, true, reinterpret_cast<uintptr_t>(caller_pc));
}

// --- dynamic_annotations.h (Annotate*), as TSan implements them ------------------------------

#define ANNOTATION(name, ...) TSAN_EXPORT void name(const char* file, int line, ##__VA_ARGS__)

ANNOTATION(AnnotateHappensBefore, const volatile void* addr) {
  Sync(EventKind::kHappensBefore, 0, 0, addr, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateHappensAfter, const volatile void* addr) {
  Sync(EventKind::kHappensAfter, 0, 0, addr, TSAN_CALLER_PC);
}
ANNOTATION(WTFAnnotateHappensBefore, const volatile void* addr) {
  Sync(EventKind::kHappensBefore, 0, 0, addr, TSAN_CALLER_PC);
}
ANNOTATION(WTFAnnotateHappensAfter, const volatile void* addr) {
  Sync(EventKind::kHappensAfter, 0, 0, addr, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateCondVarSignal, const volatile void* cv) {
  Sync(EventKind::kHappensBefore, 0, 0, cv, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateCondVarSignalAll, const volatile void* cv) {
  Sync(EventKind::kHappensBefore, 0, 0, cv, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateCondVarWait, const volatile void* cv, const volatile void* lock) {
  Sync(EventKind::kHappensAfter, 0, 0, cv, TSAN_CALLER_PC);
}
ANNOTATION(AnnotatePCQPut, const volatile void* pcq) {
  Sync(EventKind::kHappensBefore, 0, 0, pcq, TSAN_CALLER_PC);
}
ANNOTATION(AnnotatePCQGet, const volatile void* pcq) {
  Sync(EventKind::kHappensAfter, 0, 0, pcq, TSAN_CALLER_PC);
}
ANNOTATION(AnnotatePCQCreate, const volatile void* pcq) {}
ANNOTATION(AnnotatePCQDestroy, const volatile void* pcq) {}

ANNOTATION(AnnotateRWLockCreate, const volatile void* m) {
  Sync(EventKind::kLockCreate, 0, static_cast<uint16_t>(LockType::kRwLock), m, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateRWLockCreateStatic, const volatile void* m) {
  CreateMutex(m, kMutexLinkerInit, LockType::kRwLock, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateRWLockDestroy, const volatile void* m) {
  DestroyMutex(m, 0, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateRWLockAcquired, const volatile void* m, long is_w) {
  Sync(EventKind::kLockAcquired, is_w ? 0 : threadlens::trace::kShared, 1, m, TSAN_CALLER_PC);
}
ANNOTATION(AnnotateRWLockReleased, const volatile void* m, long is_w) {
  Sync(EventKind::kLockRelease, is_w ? 0 : threadlens::trace::kShared, 0, m, TSAN_CALLER_PC);
}

ANNOTATION(AnnotateBenignRaceSized, const volatile void* mem, unsigned long size,
           const char* desc) {
  AddBenignRange(mem, size);
}
ANNOTATION(WTFAnnotateBenignRaceSized, const volatile void* mem, unsigned long size,
           const char* desc) {
  AddBenignRange(mem, size);
}
ANNOTATION(AnnotateBenignRace, const volatile void* mem, const char* desc) {
  AddBenignRange(mem, 1);
}

ANNOTATION(AnnotateThreadName, const char* name) {
  if (threadlens_name_thread && name) threadlens_name_thread(name);
}

// Accepted and ignored: they tune TSan's own machinery or are Valgrind-era leftovers.
ANNOTATION(AnnotateMutexIsNotPHB, const volatile void* mu) {}
ANNOTATION(AnnotateMutexIsUsedAsCondVar, const volatile void* mu) {}
ANNOTATION(AnnotateTraceMemory, const volatile void* arg) {}
ANNOTATION(AnnotateFlushState) {}
ANNOTATION(AnnotateNewMemory, const volatile void* mem, unsigned long size) {}
ANNOTATION(AnnotateNoOp, const volatile void* arg) {}
ANNOTATION(AnnotateFlushExpectedRaces) {}
ANNOTATION(AnnotateEnableRaceDetection, int enable) {}
ANNOTATION(AnnotateExpectRace, const volatile void* mem, const char* desc) {}
ANNOTATION(AnnotatePublishMemoryRange, const volatile void* addr, unsigned long size) {}
ANNOTATION(AnnotateUnpublishMemoryRange, const volatile void* addr, unsigned long size) {}
ANNOTATION(AnnotateMemoryIsInitialized, const volatile void* mem, unsigned long sz) {}
ANNOTATION(AnnotateMemoryIsUninitialized, const volatile void* mem, unsigned long sz) {}
#undef ANNOTATION

TSAN_EXPORT int RunningOnValgrind() { return 0; }
TSAN_EXPORT double ValgrindSlowdown() { return 1.0; }
TSAN_EXPORT const char* ThreadSanitizerQuery(const char* query) { return "0"; }
