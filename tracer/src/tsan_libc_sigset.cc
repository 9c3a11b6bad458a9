// Signal sets: the calls that fill, change or test a sigset_t, and those that read a mask and
// hand back the old one. A set is ordinary memory a program may share between threads (one
// builds the mask, another installs it). Each records what it read and wrote at the caller's
// pc, on success. (ThreadSanitizer, clang 14, records sigemptyset, sigfillset and
// sigprocmask only.)
#include <signal.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {

#define THREADLENS_LIBC_SIGSET(X)                                                           \
  X(int, sigemptyset, (sigset_t * s), (s), , if (r == 0) Write(s, sizeof *s, pc))            \
  X(int, sigfillset, (sigset_t * s), (s), , if (r == 0) Write(s, sizeof *s, pc))             \
  X(int, sigaddset, (sigset_t * s, int sig), (s, sig), , if (r == 0) Write(s, sizeof *s, pc)) \
  X(int, sigdelset, (sigset_t * s, int sig), (s, sig), , if (r == 0) Write(s, sizeof *s, pc)) \
  X(int, sigismember, (const sigset_t* s, int sig), (s, sig), ,                              \
    if (r >= 0) Read(s, sizeof *s, pc))                                                      \
  X(int, sigisemptyset, (const sigset_t* s), (s), , Read(s, sizeof *s, pc))                  \
  X(int, sigandset, (sigset_t * d, const sigset_t* a, const sigset_t* b), (d, a, b), ,       \
    Read(a, sizeof *a, pc);                                                                  \
    Read(b, sizeof *b, pc); if (r == 0) Write(d, sizeof *d, pc))                             \
  X(int, sigorset, (sigset_t * d, const sigset_t* a, const sigset_t* b), (d, a, b), ,        \
    Read(a, sizeof *a, pc);                                                                  \
    Read(b, sizeof *b, pc); if (r == 0) Write(d, sizeof *d, pc))                             \
  X(int, sigprocmask, (int how, const sigset_t* s, sigset_t* old), (how, s, old), ,          \
    Read(s, sizeof *s, pc); if (r == 0) Write(old, sizeof *old, pc))                         \
  X(int, pthread_sigmask, (int how, const sigset_t* s, sigset_t* old), (how, s, old), ,      \
    Read(s, sizeof *s, pc); if (r == 0) Write(old, sizeof *old, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_SIGSET(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// The runtime calls these itself, in its signal trampoline among other places: resolving
// them there (dlsym) is not safe, so they are resolved as the runtime starts.
void ResolveSignalSets() {
#define THREADLENS_RESOLVE(ret, name, params, args, pre, effect) Real(real_##name, #name);
  THREADLENS_LIBC_SIGSET(THREADLENS_RESOLVE)
#undef THREADLENS_RESOLVE
}

}  // namespace threadlens::rt::tsan::libc
