// Exit handlers: what a thread did before it registered a handler (atexit, on_exit, a C++
// static's destructor through __cxa_atexit) happens before the handler runs, at exit in
// whichever thread exits, or at the dlclose of its library. The C library orders the two
// with a lock of its own that no interceptor sees.
//
// No context is allocated per handler. A registration releases one key and then registers a
// hook of its own right after the handler, in the same list; handlers run last registered
// first, so the hook runs just before the handler and acquires the key. (atexit itself is a
// static wrapper in each program that calls __cxa_atexit.)
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt {
namespace {

using trace::EventKind;

int (*real_cxa_atexit)(void (*)(void*), void*, void*);
int (*real_on_exit)(void (*)(int, void*), void*);

// The key every registration releases: an address in this process, tagged like one.
char g_handlers_key;
inline uint64_t Key() { return reinterpret_cast<uint64_t>(&g_handlers_key); }

void BeforeHandler(void*) {
  if (ThreadState* ts = Started()) EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, Key(), 0);
}

// Before a registration from `pc`: the release, and whether the hook must follow it.
bool Registering(uint64_t pc) {
  if (FromRuntime(pc)) return false;  // the runtime's own handler (the trace's last flush)
  ThreadState* ts = Started();
  if (!ts) return false;
  EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, Key(), pc);
  return true;
}

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;
using threadlens::rt::tsan::libc::Real;

TL_EXPORT int __cxa_atexit(void (*fn)(void*), void* arg, void* dso) {
  auto* real = Real(real_cxa_atexit, "__cxa_atexit");
  if (TL_UNLIKELY(!real)) return -1;
  const bool hook = Registering(TL_CALLER_PC);
  int r = real(fn, arg, dso);
  if (r == 0 && hook) real(BeforeHandler, nullptr, dso);
  return r;
}

TL_EXPORT int on_exit(void (*fn)(int, void*), void* arg) {
  auto* real = Real(real_on_exit, "on_exit");
  auto* cxa = Real(real_cxa_atexit, "__cxa_atexit");
  if (TL_UNLIKELY(!real || !cxa)) return -1;
  const bool hook = Registering(TL_CALLER_PC);
  int r = real(fn, arg);
  // on_exit handlers share the list of atexit's.
  if (r == 0 && hook) cxa(BeforeHandler, nullptr, nullptr);
  return r;
}
