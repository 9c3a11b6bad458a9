// Interceptors for the program's own thread names (pthread_setname_np, prctl(PR_SET_NAME)):
// each successful call names the thread in the trace, as threadlens_name_thread does.
#include <dlfcn.h>
#include <errno.h>
#include <linux/prctl.h>  // constants only: <sys/prctl.h> declares prctl variadic
#include <pthread.h>
#include <string.h>

#include "runtime_internal.h"

using namespace threadlens::rt;
using threadlens::trace::EventKind;

namespace {

// Both calls are rare: resolved on first use, not with the hot interceptors.
int (*real_setname)(pthread_t, const char*);
int (*real_prctl)(int, unsigned long, unsigned long, unsigned long, unsigned long);

template <typename F>
F Real(F& fn, const char* name) {
  if (!fn) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return fn;
}

// The kernel keeps 15 bytes of a name (TASK_COMM_LEN 16 with the NUL).
void EmitName(ThreadState* ts, uint32_t tid, const char* name, uint64_t pc) {
  if (!name || tid == 0) return;
  uint32_t id = InternString(name, strnlen(name, 15));
  EmitTo(ts, EventKind::kNameThread, 0, 0, id, tid, pc);
}

}  // namespace

TL_EXPORT int pthread_setname_np(pthread_t thread, const char* name) {
  auto real = Real(real_setname, "pthread_setname_np");
  if (!real) return ENOSYS;
  int r = real(thread, name);
  ThreadState* ts = CurrentFast();
  if (ts && r == 0) {
    uint32_t tid = pthread_equal(thread, pthread_self()) ? ts->tid : TidMapGet(thread);
    EmitName(ts, tid, name, TL_CALLER_PC);
  }
  return r;
}

// prctl is variadic; on x86-64 and aarch64 its integer arguments travel in the same
// registers as these fixed ones, so forwarding five unsigned longs passes them unchanged.
TL_EXPORT int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
                    unsigned long a5) {
  auto real = Real(real_prctl, "prctl");
  if (!real) return -1;
  int r = real(option, a2, a3, a4, a5);
  ThreadState* ts = CurrentFast();
  if (ts && r == 0 && option == PR_SET_NAME) {
    EmitName(ts, ts->tid, reinterpret_cast<const char*>(a2), TL_CALLER_PC);
  }
  return r;
}
