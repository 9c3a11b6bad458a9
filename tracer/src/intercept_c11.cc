// C11 threads (<threads.h>): thrd_*, mtx_*, cnd_* and call_once. glibc implements them on
// its internal pthread functions, calls the interceptors never see, so each is defined here
// on the traced pthread call it stands for: mtx_t, cnd_t and once_flag are glibc's pthread
// objects in another name. The caller's pc is handed on (PcScope), so an event names the
// user's call site, not this file.
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <threads.h>
#include <time.h>

#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt {
namespace {

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));

// glibc's thrd_err_map.
int Map(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case ENOMEM:
      return thrd_nomem;
    case ETIMEDOUT:
      return thrd_timedout;
    case EBUSY:
      return thrd_busy;
    default:
      return thrd_error;
  }
}

pthread_mutex_t* M(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* C(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

}  // namespace

constinit thread_local uint64_t t_caller_pc __attribute__((tls_model("initial-exec"))) = 0;

}  // namespace threadlens::rt

using threadlens::rt::C;
using threadlens::rt::M;
using threadlens::rt::Map;
using threadlens::rt::PcScope;

TL_EXPORT int thrd_create(thrd_t* thr, thrd_start_t fn, void* arg) {
  PcScope at(TL_CALLER_PC);
  // As glibc does: the int-returning routine runs as a pthread one; thrd_join keeps the low
  // 32 bits of what it returned, which are the int.
  return Map(pthread_create(reinterpret_cast<pthread_t*>(thr), nullptr,
                            reinterpret_cast<void* (*)(void*)>(fn), arg));
}

TL_EXPORT int thrd_join(thrd_t thr, int* res) {
  PcScope at(TL_CALLER_PC);
  void* out = nullptr;
  const int r = pthread_join(static_cast<pthread_t>(thr), &out);
  if (r == 0 && res) {
    *res = static_cast<int>(reinterpret_cast<intptr_t>(out));
    threadlens::rt::tsan::libc::CallerWrite(res, sizeof *res, TL_CALLER_PC);
  }
  return Map(r);
}

TL_EXPORT int thrd_detach(thrd_t thr) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_detach(static_cast<pthread_t>(thr)));
}

TL_EXPORT int thrd_sleep(const timespec* duration, timespec* remaining) {
  PcScope at(TL_CALLER_PC);
  if (nanosleep(duration, remaining) == 0) return 0;
  return errno == EINTR ? -1 : -2;  // C11: -1 interrupted, another negative on error
}

TL_EXPORT void thrd_yield() { sched_yield(); }

TL_EXPORT int mtx_init(mtx_t* m, int type) {
  PcScope at(TL_CALLER_PC);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(
      &attr, (type & mtx_recursive) ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
  const int r = pthread_mutex_init(M(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return Map(r);
}

TL_EXPORT void mtx_destroy(mtx_t* m) {
  PcScope at(TL_CALLER_PC);
  pthread_mutex_destroy(M(m));
}

TL_EXPORT int mtx_lock(mtx_t* m) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_mutex_lock(M(m)));
}

TL_EXPORT int mtx_trylock(mtx_t* m) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_mutex_trylock(M(m)));
}

TL_EXPORT int mtx_timedlock(mtx_t* __restrict m, const timespec* __restrict t) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_mutex_timedlock(M(m), t));
}

TL_EXPORT int mtx_unlock(mtx_t* m) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_mutex_unlock(M(m)));
}

TL_EXPORT int cnd_init(cnd_t* c) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_cond_init(C(c), nullptr));
}

TL_EXPORT void cnd_destroy(cnd_t* c) {
  PcScope at(TL_CALLER_PC);
  pthread_cond_destroy(C(c));
}

TL_EXPORT int cnd_signal(cnd_t* c) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_cond_signal(C(c)));
}

TL_EXPORT int cnd_broadcast(cnd_t* c) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_cond_broadcast(C(c)));
}

TL_EXPORT int cnd_wait(cnd_t* c, mtx_t* m) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_cond_wait(C(c), M(m)));
}

TL_EXPORT int cnd_timedwait(cnd_t* __restrict c, mtx_t* __restrict m,
                            const timespec* __restrict t) {
  PcScope at(TL_CALLER_PC);
  return Map(pthread_cond_timedwait(C(c), M(m), t));
}

TL_EXPORT void call_once(once_flag* flag, void (*fn)()) {
  PcScope at(TL_CALLER_PC);
  pthread_once(reinterpret_cast<pthread_once_t*>(flag), fn);
}
