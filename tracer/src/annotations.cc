// The annotation API (threadlens.h) inside the runtime. These definitions override the no-op
// ones of libthreadlens_annotations when the runtime is preloaded or linked.
#include <string.h>

#include "confirm_race.h"
#include "runtime_internal.h"
#include "threadlens/threadlens.h"

using namespace threadlens::rt;
using threadlens::trace::EventKind;

namespace threadlens::rt {
bool annotated_memory = false;
}  // namespace threadlens::rt

namespace {

inline uint64_t Addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

void Access(EventKind kind, const void* addr, size_t size, uint64_t pc) {
  ThreadState* ts = CurrentFast();
  if (!ts) return;
  // The trace holds accesses to check, even without compiler instrumentation.
  if (!__atomic_load_n(&annotated_memory, __ATOMIC_RELAXED)) {
    __atomic_store_n(&annotated_memory, true, __ATOMIC_RELAXED);
  }
  // `threadlens confirm` on a race of annotated accesses holds the thread here, before the
  // access the annotation stands for.
  MaybeHoldForRace(Addr(addr), static_cast<uint32_t>(size > 0xffffffffu ? 0xffffffffu : size),
                   kind == EventKind::kWrite, pc);
  // Sizes that do not fit aux16 are recorded as a range: aux16 = 0, size in seq.
  if (size <= 0xffff && size > 0) {
    EmitTo(ts, kind, 0, static_cast<uint16_t>(size), 0, Addr(addr), pc);
  } else {
    EmitTo(ts, kind, 0, 0, 0, Addr(addr), pc, size);
  }
}

}  // namespace

TL_EXPORT void threadlens_name_thread(const char* name) {
  ThreadState* ts = CurrentFast();
  if (!ts || !name) return;
  uint32_t id = InternString(name, strlen(name));
  EmitTo(ts, EventKind::kNameThread, 0, 0, id, ts->tid, TL_CALLER_PC);
}

TL_EXPORT void threadlens_name_lock(const void* lock, const char* name) {
  ThreadState* ts = CurrentFast();
  if (!ts || !name) return;
  uint32_t id = InternString(name, strlen(name));
  EmitTo(ts, EventKind::kNameLock, 0, 0, id, Addr(lock), TL_CALLER_PC);
}

TL_EXPORT void threadlens_name_variable(const void* addr, size_t size, const char* name) {
  ThreadState* ts = CurrentFast();
  if (!ts || !name) return;
  uint32_t id = InternString(name, strlen(name));
  uint16_t sz = size > 0xffff ? 0 : static_cast<uint16_t>(size);
  EmitTo(ts, EventKind::kNameVariable, 0, sz, id, Addr(addr), TL_CALLER_PC, sz ? 0 : size);
}

TL_EXPORT void threadlens_read(const void* addr, size_t size) {
  Access(EventKind::kRead, addr, size, TL_CALLER_PC);
}

TL_EXPORT void threadlens_write(const void* addr, size_t size) {
  Access(EventKind::kWrite, addr, size, TL_CALLER_PC);
}

TL_EXPORT void threadlens_happens_before(const void* addr) {
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, Addr(addr), TL_CALLER_PC);
  }
}

TL_EXPORT void threadlens_happens_after(const void* addr) {
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, Addr(addr), TL_CALLER_PC);
  }
}

TL_EXPORT int threadlens_enabled(void) { return Enabled() ? 1 : 0; }
