// Interceptors for calls that fill the caller's memory with the system's state: random
// bytes, the host name, file-system and system statistics, process times, interval timers,
// pending signals, configuration strings, terminal attributes, the common ioctl requests,
// group entries, a thread's CPU set, scheduling and clock, thread attributes, the process's
// ids, the alternate signal stack, a POSIX timer's time, the login and terminal names, the
// getters of synchronization objects' attributes and a semaphore's count.
// Each records what it read and wrote as range accesses at the caller's pc, and only when
// the call succeeded. (ThreadSanitizer, clang 14, records getrandom, sysinfo, statfs,
// statvfs, times, getitimer, sigpending, confstr, pthread_getschedparam, getresuid,
// getresgid and sigaltstack, not getentropy, gethostname, timer_gettime nor the others.)
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {

// getgrgid_r and getgrnam_r: the result pointer, and on success the entry, its strings and
// its member list.
void Group(group* g, group** out, int r, uintptr_t pc) {
  Write(out, sizeof *out, pc);
  if (r != 0 || !*out) return;
  Write(g, sizeof *g, pc);
  GroupStrings(g, pc);
}

void GroupStrings(const group* g, uintptr_t pc) {
  for (const char* s : {g->gr_name, g->gr_passwd}) {
    if (s) Write(s, RealStrlen(s) + 1, pc);
  }
  StringList(g->gr_mem, pc);
}

#define THREADLENS_LIBC_SYS(X)                                                                \
  X(ssize_t, getrandom, (void* b, size_t n, unsigned f), (b, n, f), ,                          \
    if (r > 0) Write(b, static_cast<size_t>(r), pc))                                           \
  X(int, getentropy, (void* b, size_t n), (b, n), , if (r == 0) Write(b, n, pc))               \
  X(int, gethostname, (char* b, size_t n), (b, n), ,                                          \
    if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc))                                  \
  X(int, sysinfo, (struct sysinfo * i), (i), , if (r == 0) Write(i, sizeof *i, pc))            \
  X(int, statfs, (const char* p, struct statfs* s), (p, s), , ReadString(p, pc);                     \
    if (r == 0) Write(s, sizeof *s, pc))                                                       \
  X(int, fstatfs, (int fd, struct statfs* s), (fd, s), , if (r == 0) Write(s, sizeof *s, pc)) \
  X(int, statvfs, (const char* p, struct statvfs* s), (p, s), , ReadString(p, pc);                   \
    if (r == 0) Write(s, sizeof *s, pc))                                                       \
  X(int, fstatvfs, (int fd, struct statvfs* s), (fd, s), ,                                     \
    if (r == 0) Write(s, sizeof *s, pc))                                                       \
  X(clock_t, times, (tms * t), (t), , if (r != static_cast<clock_t>(-1)) Write(t, sizeof *t, pc)) \
  X(int, getitimer, (int w, itimerval* v), (w, v), , if (r == 0) Write(v, sizeof *v, pc))      \
  X(int, setitimer, (int w, const itimerval* v, itimerval* old), (w, v, old),                  \
    NoteIntervalTimer(w, v, pc), Read(v, sizeof *v, pc);                                                                    \
    if (r == 0) Write(old, sizeof *old, pc))                                                   \
  X(int, sigpending, (sigset_t * s), (s), , if (r == 0) Write(s, sizeof *s, pc))               \
  X(size_t, confstr, (int name, char* b, size_t n), (name, b, n), ,                            \
    if (r > 0) Write(b, Min(r, n), pc))                                                        \
  X(int, tcgetattr, (int fd, termios* t), (fd, t), fdsync::Use(fd, pc),                        \
    if (r == 0) Write(t, sizeof *t, pc))                                                       \
  X(int, tcsetattr, (int fd, int how, const termios* t), (fd, how, t), fdsync::Use(fd, pc),    \
    Read(t, sizeof *t, pc))                                                                    \
  X(int, getgrgid_r, (gid_t id, group* g, char* b, size_t n, group** out), (id, g, b, n, out), \
    , Group(g, out, r, pc))                                                                    \
  X(int, getgrnam_r, (const char* name, group* g, char* b, size_t n, group** out),            \
    (name, g, b, n, out), , ReadString(name, pc); Group(g, out, r, pc))                              \
  X(int, getgrent_r, (group* g, char* b, size_t n, group** out), (g, b, n, out), ,            \
    Group(g, out, r, pc))                                                                      \
  X(int, fgetgrent_r, (FILE* f, group* g, char* b, size_t n, group** out), (f, g, b, n, out), \
    , Group(g, out, r, pc))                                                                    \
  X(int, pthread_getaffinity_np, (pthread_t t, size_t n, cpu_set_t* s), (t, n, s), ,          \
    if (r == 0) Write(s, n, pc))                                                               \
  X(int, pthread_getschedparam, (pthread_t t, int* policy, sched_param* p), (t, policy, p), ,  \
    if (r == 0) {                                                                              \
      Write(policy, sizeof *policy, pc);                                                       \
      Write(p, sizeof *p, pc);                                                                 \
    })                                                                                         \
  X(int, pthread_getcpuclockid, (pthread_t t, clockid_t* c), (t, c), ,                         \
    if (r == 0) Write(c, sizeof *c, pc))                                                       \
  X(int, sched_getparam, (pid_t pid, sched_param* p), (pid, p), ,                              \
    if (r == 0) Write(p, sizeof *p, pc))                                                       \
  X(int, getresuid, (uid_t * ru, uid_t* eu, uid_t* su), (ru, eu, su), , if (r == 0) {          \
    Write(ru, sizeof *ru, pc);                                                                 \
    Write(eu, sizeof *eu, pc);                                                                 \
    Write(su, sizeof *su, pc);                                                                 \
  })                                                                                           \
  X(int, getresgid, (gid_t * rg, gid_t* eg, gid_t* sg), (rg, eg, sg), , if (r == 0) {          \
    Write(rg, sizeof *rg, pc);                                                                 \
    Write(eg, sizeof *eg, pc);                                                                 \
    Write(sg, sizeof *sg, pc);                                                                 \
  })                                                                                           \
  X(int, sigaltstack, (const stack_t* ss, stack_t* old), (ss, old), , {                        \
    Read(ss, sizeof *ss, pc);                                                                  \
    if (r == 0) Write(old, sizeof *old, pc);                                                   \
  })                                                                                           \
  X(int, timer_gettime, (timer_t t, itimerspec* v), (t, v), ,                                  \
    if (r == 0) Write(v, sizeof *v, pc))                                                       \
  X(int, getlogin_r, (char* b, size_t n), (b, n), ,                                            \
    if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc))                                  \
  X(int, ttyname_r, (int fd, char* b, size_t n), (fd, b, n), ,                                 \
    if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc))                                  \
  THREADLENS_ATTR_GET(X, getguardsize, size_t)                                                 \
  THREADLENS_ATTR_GET(X, getstacksize, size_t)                                                 \
  THREADLENS_ATTR_GET(X, getscope, int)                                                        \
  THREADLENS_ATTR_GET(X, getinheritsched, int)                                                 \
  THREADLENS_ATTR_GET(X, getschedpolicy, int)                                                  \
  THREADLENS_ATTR_GET(X, getschedparam, sched_param)                                          \
  THREADLENS_ATTR_GET(X, getdetachstate, int)                                                 \
  X(int, pthread_attr_getstack, (const pthread_attr_t* a, void** p, size_t* n), (a, p, n), ,   \
    Read(a, sizeof *a, pc);                                                                     \
    if (r == 0) {                                                                               \
      Write(p, sizeof *p, pc);                                                                  \
      Write(n, sizeof *n, pc);                                                                  \
    })                                                                                          \
  THREADLENS_OBJECT_GET(X, mutexattr, gettype, int)                                            \
  THREADLENS_OBJECT_GET(X, mutexattr, getpshared, int)                                         \
  THREADLENS_OBJECT_GET(X, mutexattr, getprotocol, int)                                        \
  THREADLENS_OBJECT_GET(X, mutexattr, getrobust, int)                                          \
  THREADLENS_OBJECT_GET(X, mutexattr, getprioceiling, int)                                     \
  THREADLENS_OBJECT_GET(X, condattr, getclock, clockid_t)                                      \
  THREADLENS_OBJECT_GET(X, condattr, getpshared, int)                                          \
  THREADLENS_OBJECT_GET(X, rwlockattr, getpshared, int)                                        \
  THREADLENS_OBJECT_GET(X, rwlockattr, getkind_np, int)                                        \
  THREADLENS_OBJECT_GET(X, barrierattr, getpshared, int)                                       \
  /* The count only: glibc loads it relaxed, so it orders nothing (TSan acquires). */          \
  X(int, sem_getvalue, (sem_t * s, int* v), (s, v), , Read(s, sizeof *s, pc);                  \
    if (r == 0) Write(v, sizeof *v, pc))

// A thread attribute's getter: reads the attribute object, writes the value.
#define THREADLENS_ATTR_GET(X, what, T)                                                     \
  X(int, pthread_attr_##what, (const pthread_attr_t* a, T* v), (a, v), , Read(a, sizeof *a, pc); \
    if (r == 0) Write(v, sizeof *v, pc))

// The same for the attribute objects of mutexes, condition variables, rwlocks and barriers.
#define THREADLENS_OBJECT_GET(X, object, what, T)                                            \
  X(int, pthread_##object##_##what, (const pthread_##object##_t* a, T* v), (a, v), ,        \
    Read(a, sizeof *a, pc);                                                                   \
    if (r == 0) Write(v, sizeof *v, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_SYS(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// The runtime calls these itself as threads start, where a first resolution through dlsym
// must not happen: they are resolved as the runtime starts.
void ResolveThreadAttrs() {
  Real(real_pthread_attr_getstack, "pthread_attr_getstack");
  Real(real_pthread_attr_getdetachstate, "pthread_attr_getdetachstate");
  Real(real_pthread_attr_getstacksize, "pthread_attr_getstacksize");
}

// _FORTIFY_SOURCE: the checked forms (`bl`: the buffer's size, which the real function
// checks), with the bytes of the plain ones.
THREADLENS_LIBC_INTERCEPTOR(int, __gethostname_chk, (char* b, size_t n, size_t bl), (b, n, bl), ,
                            if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc),
                            Unresolved<int>())
THREADLENS_LIBC_INTERCEPTOR(size_t, __confstr_chk, (int name, char* b, size_t n, size_t bl),
                            (name, b, n, bl), , if (r > 0) Write(b, Min(r, n), pc),
                            Unresolved<size_t>())

namespace {

// What an ioctl request reads or writes through its argument: the requests a program
// commonly makes on sockets, pipes and terminals (others record nothing).
void IoctlEffect(unsigned long request, void* arg, uintptr_t pc) {
  switch (request) {
    case FIONREAD:  // also TIOCINQ
    case TIOCOUTQ:
      Write(arg, sizeof(int), pc);
      break;
    case FIONBIO:
    case FIOASYNC:
      Read(arg, sizeof(int), pc);
      break;
    case TIOCGWINSZ:
      Write(arg, sizeof(winsize), pc);
      break;
    case TIOCSWINSZ:
      Read(arg, sizeof(winsize), pc);
      break;
    case TCGETS:
      Write(arg, sizeof(termios), pc);
      break;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      Read(arg, sizeof(termios), pc);
      break;
    default:
      break;
  }
}

int (*real_ioctl)(int, unsigned long, ...) = nullptr;

}  // namespace

// The third argument is passed on as a pointer whatever the request: the kernel takes one
// machine word, as libc's own ioctl does.
TSAN_EXPORT int Intercept_ioctl(int fd, unsigned long request, ...) __asm__("ioctl");
int Intercept_ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  va_start(ap, request);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  auto* real = Real(real_ioctl, "ioctl");
  if (__builtin_expect(!real, 0)) return Unresolved<int>();
  const uintptr_t pc = TSAN_CALLER_PC;
  fdsync::Use(fd, pc);
  const int r = real(fd, request, arg);
  if (r >= 0 && arg && Caller(pc)) IoctlEffect(request, arg, pc);
  return r;
}

}  // namespace threadlens::rt::tsan::libc
