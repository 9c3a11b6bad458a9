// Interceptors for calls that hand results back through pointers the caller passed: the math
// functions with a second result (frexp, modf, sincos, remquo, lgamma_r; lgamma's sign goes to
// the global signgam), pattern expansion (glob, wordexp), and more of the system's state (load
// average, timerfd times, a process's CPU clock, the pages resident (mincore), directory
// entries (readdir_r, scandir), a user's groups (getgrouplist), the 64-bit
// file-system statistics that _FILE_OFFSET_BITS=64 selects, a thread attribute's CPU set). Also the buffer a stream is
// given (setvbuf and friends): stdio writes it from inside the C library from then on, so the
// handover is recorded as a write of the whole buffer, as TSan records it. And swab.
// Each records what it read and wrote as range accesses at the caller's pc.
#include <dirent.h>
#include <dlfcn.h>
#include <glob.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

#include "fd_sync.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// lgamma's sign: the program's signgam (its own copy when the executable has one), found once
// the program called into libm.
int* SignGam() {
  static int* where = nullptr;
  int* p = __atomic_load_n(&where, __ATOMIC_RELAXED);
  if (!p) {
    p = static_cast<int*>(dlsym(RTLD_DEFAULT, "signgam"));
    __atomic_store_n(&where, p, __ATOMIC_RELAXED);
  }
  return p;
}

// A vector of `offs` reserved slots, `count` strings and the null after them, and the strings.
void StringVector(char** v, size_t offs, size_t count, uintptr_t pc) {
  if (!v) return;
  Write(v, (offs + count + 1) * sizeof *v, pc);
  for (size_t i = offs; i < offs + count; ++i) {
    if (v[i]) Write(v[i], RealStrlen(v[i]) + 1, pc);
  }
}

// scandir's result: the list pointer, the array and each entry, all allocated inside libc.
void Entries(dirent*** list, int n, uintptr_t pc) {
  Write(list, sizeof *list, pc);
  if (!*list) return;
  Write(*list, static_cast<size_t>(n) * sizeof **list, pc);
  for (int i = 0; i < n; ++i) Write((*list)[i], (*list)[i]->d_reclen, pc);
}

}  // namespace

#define THREADLENS_MATH_2(X, name, T, Out)                                                   \
  X(T, name, (T x, Out* o), (x, o), , Write(o, sizeof *o, pc))

#define THREADLENS_LIBC_RESULTS(X)                                                           \
  THREADLENS_MATH_2(X, frexp, double, int)                                                   \
  THREADLENS_MATH_2(X, frexpf, float, int)                                                   \
  THREADLENS_MATH_2(X, frexpl, long double, int)                                             \
  THREADLENS_MATH_2(X, modf, double, double)                                                 \
  THREADLENS_MATH_2(X, modff, float, float)                                                  \
  THREADLENS_MATH_2(X, modfl, long double, long double)                                      \
  THREADLENS_MATH_2(X, lgamma_r, double, int)                                                \
  THREADLENS_MATH_2(X, lgammaf_r, float, int)                                                \
  THREADLENS_MATH_2(X, lgammal_r, long double, int)                                          \
  X(double, remquo, (double x, double y, int* q), (x, y, q), , Write(q, sizeof *q, pc))      \
  X(float, remquof, (float x, float y, int* q), (x, y, q), , Write(q, sizeof *q, pc))        \
  X(long double, remquol, (long double x, long double y, int* q), (x, y, q), ,               \
    Write(q, sizeof *q, pc))                                                                 \
  X(double, lgamma, (double x), (x), , Write(SignGam(), sizeof(int), pc))                    \
  X(float, lgammaf, (float x), (x), , Write(SignGam(), sizeof(int), pc))                     \
  X(long double, lgammal, (long double x), (x), , Write(SignGam(), sizeof(int), pc))         \
  X(int, glob, (const char* p, int f, int (*e)(const char*, int), glob_t* g), (p, f, e, g),  \
    ReadString(p, pc), if (r == 0) {                                                         \
      Write(g, sizeof *g, pc);                                                               \
      StringVector(g->gl_pathv, f & GLOB_DOOFFS ? g->gl_offs : 0, g->gl_pathc, pc);          \
    })                                                                                       \
  X(int, glob64, (const char* p, int f, int (*e)(const char*, int), glob64_t* g),            \
    (p, f, e, g), ReadString(p, pc), if (r == 0) {                                           \
      Write(g, sizeof *g, pc);                                                               \
      StringVector(g->gl_pathv, f & GLOB_DOOFFS ? g->gl_offs : 0, g->gl_pathc, pc);          \
    })                                                                                       \
  X(int, wordexp, (const char* s, wordexp_t* w, int f), (s, w, f), ReadString(s, pc),        \
    if (r == 0) {                                                                            \
      Write(w, sizeof *w, pc);                                                               \
      StringVector(w->we_wordv, f & WRDE_DOOFFS ? w->we_offs : 0, w->we_wordc, pc);          \
    })                                                                                       \
  X(int, getloadavg, (double* l, int n), (l, n), ,                                           \
    if (r > 0) Write(l, static_cast<size_t>(r) * sizeof *l, pc))                             \
  X(int, timerfd_gettime, (int fd, itimerspec* v), (fd, v), fdsync::Use(fd, pc),             \
    if (r == 0) Write(v, sizeof *v, pc))                                                     \
  X(int, timerfd_settime, (int fd, int f, const itimerspec* v, itimerspec* old),             \
    (fd, f, v, old), fdsync::Use(fd, pc), Read(v, sizeof *v, pc);                            \
    if (r == 0) Write(old, sizeof *old, pc))                                                 \
  X(int, clock_getcpuclockid, (pid_t p, clockid_t* c), (p, c), ,                             \
    if (r == 0) Write(c, sizeof *c, pc))                                                     \
  X(int, statfs64, (const char* p, struct statfs64* s), (p, s), , ReadString(p, pc);         \
    if (r == 0) Write(s, sizeof *s, pc))                                                     \
  X(int, fstatfs64, (int fd, struct statfs64* s), (fd, s), fdsync::Use(fd, pc),              \
    if (r == 0) Write(s, sizeof *s, pc))                                                     \
  X(int, statvfs64, (const char* p, struct statvfs64* s), (p, s), , ReadString(p, pc);       \
    if (r == 0) Write(s, sizeof *s, pc))                                                     \
  X(int, fstatvfs64, (int fd, struct statvfs64* s), (fd, s), fdsync::Use(fd, pc),            \
    if (r == 0) Write(s, sizeof *s, pc))                                                     \
  X(int, pthread_attr_getaffinity_np, (const pthread_attr_t* a, size_t n, cpu_set_t* s),     \
    (a, n, s), , Read(a, sizeof *a, pc);                                                     \
    if (r == 0) Write(s, n, pc))                                                             \
  X(int, setvbuf, (FILE * f, char* b, int mode, size_t n), (f, b, mode, n), ,                \
    if (r == 0 && b) Write(b, n, pc))                                                        \
  X(int, readdir_r, (DIR * d, dirent* e, dirent** out), (d, e, out), , if (r == 0) {          \
      Write(out, sizeof *out, pc);                                                           \
      if (*out) Write(e, e->d_reclen, pc);                                                   \
    })                                                                                       \
  X(int, readdir64_r, (DIR * d, dirent64* e, dirent64** out), (d, e, out), , if (r == 0) {    \
      Write(out, sizeof *out, pc);                                                           \
      if (*out) Write(e, e->d_reclen, pc);                                                   \
    })                                                                                       \
  X(int, scandir,                                                                            \
    (const char* p, dirent*** list, int (*sel)(const dirent*),                               \
     int (*cmp)(const dirent**, const dirent**)),                                            \
    (p, list, sel, cmp), ReadString(p, pc), if (r >= 0) Entries(list, r, pc))                \
  X(int, getgrouplist, (const char* user, gid_t g, gid_t* groups, int* n), (user, g, groups, n), \
    int cap = n ? *n : 0; ReadString(user, pc), {                                             \
      Write(n, sizeof *n, pc);                                                               \
      if (r >= 0) Write(groups, static_cast<size_t>(*n < cap ? *n : cap) * sizeof *groups, pc); \
    })                                                                                       \
  /* One byte per page of the range. */                                                     \
  X(int, mincore, (void* a, size_t n, unsigned char* v), (a, n, v), ,                        \
    if (r == 0) Write(v, (n + 4095) / 4096, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_RESULTS(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

namespace {

void (*real_sincos)(double, double*, double*) = nullptr;
void (*real_sincosf)(float, float*, float*) = nullptr;
void (*real_sincosl)(long double, long double*, long double*) = nullptr;
void (*real_setbuf)(FILE*, char*) = nullptr;
void (*real_setbuffer)(FILE*, char*, size_t) = nullptr;

template <typename T>
void SinCos(void (*&slot)(T, T*, T*), const char* name, T x, T* s, T* c, uintptr_t pc) {
  auto* real = Real(slot, name);
  if (__builtin_expect(!real, 0)) return;
  real(x, s, c);
  if (Caller(pc)) {
    Write(s, sizeof *s, pc);
    Write(c, sizeof *c, pc);
  }
}

}  // namespace

TSAN_EXPORT void Intercept_sincos(double x, double* s, double* c) __asm__("sincos");
void Intercept_sincos(double x, double* s, double* c) {
  SinCos(real_sincos, "sincos", x, s, c, TSAN_CALLER_PC);
}
TSAN_EXPORT void Intercept_sincosf(float x, float* s, float* c) __asm__("sincosf");
void Intercept_sincosf(float x, float* s, float* c) {
  SinCos(real_sincosf, "sincosf", x, s, c, TSAN_CALLER_PC);
}
TSAN_EXPORT void Intercept_sincosl(long double x, long double* s, long double* c)
    __asm__("sincosl");
void Intercept_sincosl(long double x, long double* s, long double* c) {
  SinCos(real_sincosl, "sincosl", x, s, c, TSAN_CALLER_PC);
}

// swab: `n` bytes read, the even part of them written swapped.
namespace {
void (*real_swab)(const void*, void*, ssize_t) = nullptr;
}  // namespace
TSAN_EXPORT void Intercept_swab(const void* from, void* to, ssize_t n) __asm__("swab");
void Intercept_swab(const void* from, void* to, ssize_t n) {
  auto* real = Real(real_swab, "swab");
  if (__builtin_expect(!real, 0)) return;
  real(from, to, n);
  const uintptr_t pc = TSAN_CALLER_PC;
  if (n > 1 && Caller(pc)) {
    Read(from, static_cast<size_t>(n & ~ssize_t{1}), pc);
    Write(to, static_cast<size_t>(n & ~ssize_t{1}), pc);
  }
}

// setbuf and setbuffer: setvbuf's handover with BUFSIZ or the given size.
TSAN_EXPORT void Intercept_setbuf(FILE* f, char* b) __asm__("setbuf");
void Intercept_setbuf(FILE* f, char* b) {
  auto* real = Real(real_setbuf, "setbuf");
  if (__builtin_expect(!real, 0)) return;
  real(f, b);
  CallerWrite(b, BUFSIZ, TSAN_CALLER_PC);
}
TSAN_EXPORT void Intercept_setbuffer(FILE* f, char* b, size_t n) __asm__("setbuffer");
void Intercept_setbuffer(FILE* f, char* b, size_t n) {
  auto* real = Real(real_setbuffer, "setbuffer");
  if (__builtin_expect(!real, 0)) return;
  real(f, b, n);
  CallerWrite(b, n, TSAN_CALLER_PC);
}

}  // namespace threadlens::rt::tsan::libc
