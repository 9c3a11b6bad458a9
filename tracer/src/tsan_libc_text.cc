// Interceptors for text and state the caller owns: wide strings and multibyte conversions,
// the reentrant tokenizers (strtok_r, strsep), the reentrant random generators, which keep
// their state in the caller's memory, strerror_r, temporary-name templates, dirname, and
// getaddrinfo's result list. Each records the bytes it read and wrote at the caller's pc.
// (ThreadSanitizer, clang 14, records wcscat, mbstowcs, wcstombs, wcrtomb, rand_r, random_r
// and drand48_r; not wcscpy, wmemset, mbrtowc, strtok_r, strsep, erand48, erand48_r,
// ecvt_r, mkstemp nor dirname.)
#include <libgen.h>
#include <malloc.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fd_sync.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

constexpr size_t kW = sizeof(wchar_t);

// A temporary file made from template `t`: the name written into it, and the descriptor `r`,
// an object from its creation on (intercept_open.cc).
void TempFile(char* t, int r, uintptr_t pc) {
  if (r < 0) return;
  Write(t, RealStrlen(t) + 1, pc);
  fdsync::Created(r, 0, pc);
}

// Written here, not called: this file is built without builtins, and wcslen would be the
// runtime's own interceptor. (Lengths needed before a call are taken only when it records.)
size_t WideLen(const wchar_t* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}
size_t WideLen(const wchar_t* s, size_t max) {
  size_t n = 0;
  while (n < max && s[n]) ++n;
  return n;
}
// Wide characters a comparison of at most `max` read in each string: up to the first that
// differs or ends both.
size_t WideCompared(const wchar_t* a, const wchar_t* b, size_t max) {
  size_t i = 0;
  while (i < max && a[i] == b[i] && a[i]) ++i;
  return i < max ? i + 1 : max;
}
void WideString(const wchar_t* s, uintptr_t pc) { Read(s, (WideLen(s) + 1) * kW, pc); }

// A multibyte conversion that stored `r` characters of `unit` bytes in `d` (room for `n`):
// with room left it also stored the terminator.
void Converted(const void* d, size_t r, size_t n, size_t unit, uintptr_t pc) {
  if (d && r != static_cast<size_t>(-1)) Write(d, (r + (r < n)) * unit, pc);
}
// mbsrtowcs and wcsrtombs move `*src` past what they read, or set it null at the end.
void Consumed(const void* before, const void* const* src, bool wide, uintptr_t pc) {
  Write(src, sizeof *src, pc);
  if (!before) return;
  const char* b = static_cast<const char*>(before);
  const size_t bytes =
      *src ? static_cast<size_t>(static_cast<const char*>(*src) - b)
           : (wide ? (WideLen(static_cast<const wchar_t*>(before)) + 1) * kW
                   : RealStrlen(b) + 1);
  Read(b, bytes, pc);
}

// mbrtowc: the bytes of the character it read (all `n` when incomplete), the wide
// character it stored, the state it moved on.
void Multibyte(wchar_t* d, const char* s, size_t n, size_t r, mbstate_t* st, uintptr_t pc) {
  if (st) Write(st, sizeof *st, pc);
  if (!s || r == static_cast<size_t>(-1)) return;
  if (r == static_cast<size_t>(-2)) {
    Read(s, n, pc);
    return;
  }
  Read(s, r ? r : 1, pc);
  if (d) Write(d, sizeof *d, pc);
}

// ecvt_r and fcvt_r: the decimal point's place and the sign, and the digits when they fit.
void Digits(int* dp, int* sg, char* b, size_t n, int r, uintptr_t pc) {
  Write(dp, sizeof *dp, pc);
  Write(sg, sizeof *sg, pc);
  if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc);
}

// dirname cuts its argument in place: one terminator where the directory part ends.
void DirCut(char* path, size_t before, const char* r, uintptr_t pc) {
  if (!path) return;
  Read(path, before + 1, pc);
  if (r == path && RealStrlen(path) < before) Write(path + RealStrlen(path), 1, pc);
}

// getaddrinfo's result: the list pointer, and each entry with its address and name. Their
// blocks, allocated inside the call (unrecorded), are announced here at the caller's line.
void Lookup(const char* node, const char* svc, const addrinfo* hints, int r,
            addrinfo* const* res, uintptr_t pc) {
  ReadString(node, pc);
  ReadString(svc, pc);
  Read(hints, sizeof *hints, pc);
  if (r != 0) return;
  Write(res, sizeof *res, pc);
  for (const addrinfo* a = *res; a; a = a->ai_next) {
    void* node_block = const_cast<addrinfo*>(a);
    const size_t size = malloc_usable_size(node_block);
    OnAlloc(node_block, size, pc);
    Write(a, sizeof *a, pc);
    Write(a->ai_addr, a->ai_addrlen, pc);
    if (!a->ai_canonname) continue;
    const auto name = reinterpret_cast<uintptr_t>(a->ai_canonname);
    const auto base = reinterpret_cast<uintptr_t>(node_block);
    if (name - base >= size) OnAlloc(a->ai_canonname, malloc_usable_size(a->ai_canonname), pc);
    Write(a->ai_canonname, RealStrlen(a->ai_canonname) + 1, pc);
  }
}

}  // namespace

// A tokenizer's scan from `begin` that left its position at `next`: read to there; when the
// character before `next` is now a terminator the call wrote it over a delimiter, else
// `next` is the string's own end, read too.
void Scanned(char* begin, const char* delim, char* next, uintptr_t pc) {
  Read(delim, RealStrlen(delim) + 1, pc);
  if (!next) {
    Read(begin, RealStrlen(begin) + 1, pc);
  } else if (next > begin && next[-1] == '\0') {
    Read(begin, static_cast<size_t>(next - begin), pc);
    Write(next - 1, 1, pc);
  } else {
    Read(begin, static_cast<size_t>(next - begin) + 1, pc);
  }
}

#define THREADLENS_LIBC_TEXT(X)                                                               \
  X(wchar_t*, wcscpy, (wchar_t * d, const wchar_t* s), (d, s), ,                              \
    Read(s, (WideLen(d) + 1) * kW, pc);                                                       \
    Write(d, (WideLen(d) + 1) * kW, pc))                                                      \
  X(wchar_t*, wcsncpy, (wchar_t * d, const wchar_t* s, size_t n), (d, s, n), ,                \
    Read(s, Min(WideLen(s, n) + 1, n) * kW, pc);                                              \
    Write(d, n * kW, pc))                                                                     \
  X(wchar_t*, wcscat, (wchar_t * d, const wchar_t* s), (d, s),                               \
    size_t dl = Caller(pc) ? WideLen(d) : 0,                                                  \
    Read(d, (dl + 1) * kW, pc);                                                               \
    WideString(s, pc); Write(d + dl, (WideLen(d + dl) + 1) * kW, pc))                         \
  X(wchar_t*, wcsncat, (wchar_t * d, const wchar_t* s, size_t n), (d, s, n),                  \
    size_t dl = Caller(pc) ? WideLen(d) : 0,                                                  \
    Read(d, (dl + 1) * kW, pc);                                                               \
    Read(s, Min(WideLen(s, n) + 1, n) * kW, pc);                                              \
    Write(d + dl, (WideLen(d + dl) + 1) * kW, pc))                                            \
  X(int, wcscmp, (const wchar_t* a, const wchar_t* b), (a, b), ,                              \
    size_t k = WideCompared(a, b, ~size_t{0}); Read(a, k * kW, pc); Read(b, k * kW, pc))      \
  X(int, wcsncmp, (const wchar_t* a, const wchar_t* b, size_t n), (a, b, n), ,                \
    size_t k = WideCompared(a, b, n); Read(a, k * kW, pc); Read(b, k * kW, pc))               \
  X(wchar_t*, wcschr, (const wchar_t* s, wchar_t c), (s, c), ,                                \
    Read(s, (r ? static_cast<size_t>(r - s) + 1 : WideLen(s) + 1) * kW, pc))                  \
  X(wchar_t*, wcsrchr, (const wchar_t* s, wchar_t c), (s, c), , WideString(s, pc))            \
  X(wchar_t*, wmemcpy, (wchar_t * d, const wchar_t* s, size_t n), (d, s, n), ,                \
    Read(s, n * kW, pc); Write(d, n * kW, pc))                                                \
  X(wchar_t*, wmemmove, (wchar_t * d, const wchar_t* s, size_t n), (d, s, n), ,               \
    Read(s, n * kW, pc); Write(d, n * kW, pc))                                                \
  X(wchar_t*, wmemset, (wchar_t * d, wchar_t c, size_t n), (d, c, n), , Write(d, n * kW, pc)) \
  X(int, wmemcmp, (const wchar_t* a, const wchar_t* b, size_t n), (a, b, n), ,                \
    Read(a, n * kW, pc); Read(b, n * kW, pc))                                                 \
  X(size_t, mbstowcs, (wchar_t * d, const char* s, size_t n), (d, s, n), ,                    \
    Converted(d, r, n, kW, pc);                                                               \
    if (r != static_cast<size_t>(-1) && (!d || r < n)) Read(s, RealStrlen(s) + 1, pc))        \
  X(size_t, wcstombs, (char* d, const wchar_t* s, size_t n), (d, s, n), ,                     \
    Converted(d, r, n, 1, pc);                                                                \
    if (r != static_cast<size_t>(-1) && (!d || r < n)) WideString(s, pc))                     \
  X(size_t, mbsrtowcs, (wchar_t * d, const char** s, size_t n, mbstate_t* st), (d, s, n, st), \
    const char* from = *s,                                                                    \
    if (r != static_cast<size_t>(-1)) {                                                       \
      if (d) Write(d, (r + !*s) * kW, pc);                                                    \
      Consumed(from, reinterpret_cast<const void* const*>(s), false, pc);                  \
    })                                                                                        \
  X(size_t, wcsrtombs, (char* d, const wchar_t** s, size_t n, mbstate_t* st), (d, s, n, st),  \
    const wchar_t* from = *s,                                                                 \
    if (r != static_cast<size_t>(-1)) {                                                       \
      if (d) Write(d, r + !*s, pc);                                                           \
      Consumed(from, reinterpret_cast<const void* const*>(s), true, pc);                  \
    })                                                                                        \
  X(size_t, mbsnrtowcs, (wchar_t * d, const char** s, size_t m, size_t n, mbstate_t* st),     \
    (d, s, m, n, st), const char* from = *s,                                                  \
    if (r != static_cast<size_t>(-1)) {                                                       \
      if (d) Write(d, (r + !*s) * kW, pc);                                                    \
      Consumed(from, reinterpret_cast<const void* const*>(s), false, pc);                  \
    })                                                                                        \
  X(size_t, wcsnrtombs, (char* d, const wchar_t** s, size_t m, size_t n, mbstate_t* st),      \
    (d, s, m, n, st), const wchar_t* from = *s,                                               \
    if (r != static_cast<size_t>(-1)) {                                                       \
      if (d) Write(d, r + !*s, pc);                                                           \
      Consumed(from, reinterpret_cast<const void* const*>(s), true, pc);                  \
    })                                                                                        \
  X(int, wctomb, (char* d, wchar_t c), (d, c), , if (d && r > 0) Write(d, r, pc))            \
  X(char*, strtok_r, (char* s, const char* delim, char** save), (s, delim, save),             \
    char* from = s ? s : *save,                                                               \
    if (!s) Read(save, sizeof *save, pc);                                                     \
    Write(save, sizeof *save, pc); if (from) Scanned(from, delim, *save, pc))                 \
  X(char*, strsep, (char** sp, const char* delim), (sp, delim), char* from = *sp,             \
    Read(sp, sizeof *sp, pc);                                                                 \
    if (from) {                                                                               \
      Write(sp, sizeof *sp, pc);                                                              \
      Scanned(from, delim, *sp, pc);                                                          \
    })                                                                                        \
  X(char*, strerror_r, (int e, char* b, size_t n), (e, b, n), ,                               \
    if (r == b && n) Write(b, Min(RealStrlen(b) + 1, n), pc))                                 \
  X(int, __xpg_strerror_r, (int e, char* b, size_t n), (e, b, n), ,                           \
    if (r == 0 && n) Write(b, Min(RealStrlen(b) + 1, n), pc))                                 \
  X(int, rand_r, (unsigned* seed), (seed), , Write(seed, sizeof *seed, pc))                   \
  X(double, erand48, (unsigned short x[3]), (x), , Write(x, 3 * sizeof *x, pc))               \
  X(long, nrand48, (unsigned short x[3]), (x), , Write(x, 3 * sizeof *x, pc))                 \
  X(long, jrand48, (unsigned short x[3]), (x), , Write(x, 3 * sizeof *x, pc))                 \
  X(int, random_r, (random_data * b, int32_t* out), (b, out), , Write(b, sizeof *b, pc);      \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, drand48_r, (drand48_data * b, double* out), (b, out), , Write(b, sizeof *b, pc);     \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, lrand48_r, (drand48_data * b, long* out), (b, out), , Write(b, sizeof *b, pc);       \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, mrand48_r, (drand48_data * b, long* out), (b, out), , Write(b, sizeof *b, pc);       \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, erand48_r, (unsigned short x[3], drand48_data* b, double* out), (x, b, out), ,      \
    Write(x, 3 * sizeof *x, pc); Write(b, sizeof *b, pc);                                     \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, nrand48_r, (unsigned short x[3], drand48_data* b, long* out), (x, b, out), ,        \
    Write(x, 3 * sizeof *x, pc); Write(b, sizeof *b, pc);                                     \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, jrand48_r, (unsigned short x[3], drand48_data* b, long* out), (x, b, out), ,        \
    Write(x, 3 * sizeof *x, pc); Write(b, sizeof *b, pc);                                     \
    if (r == 0) Write(out, sizeof *out, pc))                                                  \
  X(int, srand48_r, (long seed, drand48_data* b), (seed, b), , Write(b, sizeof *b, pc))      \
  X(int, seed48_r, (unsigned short x[3], drand48_data* b), (x, b), ,                         \
    Read(x, 3 * sizeof *x, pc); Write(b, sizeof *b, pc))                                      \
  X(int, srandom_r, (unsigned seed, random_data* b), (seed, b), , Write(b, sizeof *b, pc))   \
  X(int, initstate_r, (unsigned seed, char* st, size_t n, random_data* b), (seed, st, n, b), \
    , Write(st, n, pc); Write(b, sizeof *b, pc))                                              \
  X(size_t, wcrtomb, (char* d, wchar_t c, mbstate_t* st), (d, c, st), ,                      \
    if (d && r != static_cast<size_t>(-1)) Write(d, r, pc);                                   \
    if (st) Write(st, sizeof *st, pc))                                                        \
  X(size_t, mbrtowc, (wchar_t * d, const char* s, size_t n, mbstate_t* st), (d, s, n, st), , \
    Multibyte(d, s, n, r, st, pc))                                                            \
  X(int, ecvt_r, (double v, int nd, int* dp, int* sg, char* b, size_t n),                    \
    (v, nd, dp, sg, b, n), , Digits(dp, sg, b, n, r, pc))                                     \
  X(int, fcvt_r, (double v, int nd, int* dp, int* sg, char* b, size_t n),                    \
    (v, nd, dp, sg, b, n), , Digits(dp, sg, b, n, r, pc))                                     \
  X(char*, gcvt, (double v, int nd, char* b), (v, nd, b), ,                                  \
    if (r) Write(b, RealStrlen(b) + 1, pc))                                                   \
  X(int, mkstemp, (char* t), (t), , TempFile(t, r, pc))                                      \
  X(int, mkstemp64, (char* t), (t), , TempFile(t, r, pc))                                    \
  X(int, mkostemp, (char* t, int f), (t, f), , TempFile(t, r, pc))                           \
  X(int, mkostemp64, (char* t, int f), (t, f), , TempFile(t, r, pc))                         \
  X(int, mkstemps, (char* t, int s), (t, s), , TempFile(t, r, pc))                           \
  X(int, mkostemps, (char* t, int s, int f), (t, s, f), , TempFile(t, r, pc))                \
  X(char*, mkdtemp, (char* t), (t), , if (r) Write(t, RealStrlen(t) + 1, pc))                 \
  X(char*, dirname, (char* p), (p),                                                           \
    size_t before = p && Caller(pc) ? RealStrlen(p) : 0, DirCut(p, before, r, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_TEXT(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// _FORTIFY_SOURCE: the checked forms (`dl`: the destination's size, which the real function
// checks), with the bytes of the plain ones.
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wcscpy_chk, (wchar_t * d, const wchar_t* s, size_t dl),
                            (d, s, dl), , Read(s, (WideLen(d) + 1) * kW, pc);
                            Write(d, (WideLen(d) + 1) * kW, pc), Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wcsncpy_chk,
                            (wchar_t * d, const wchar_t* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Read(s, Min(WideLen(s, n) + 1, n) * kW, pc);
                            Write(d, n * kW, pc), Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wcscat_chk, (wchar_t * d, const wchar_t* s, size_t dl),
                            (d, s, dl), size_t before = Caller(pc) ? WideLen(d) : 0,
                            Read(d, (before + 1) * kW, pc);
                            WideString(s, pc);
                            Write(d + before, (WideLen(d + before) + 1) * kW, pc),
                            Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wmemcpy_chk,
                            (wchar_t * d, const wchar_t* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Read(s, n * kW, pc);
                            Write(d, n * kW, pc), Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wmemmove_chk,
                            (wchar_t * d, const wchar_t* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Read(s, n * kW, pc);
                            Write(d, n * kW, pc), Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(wchar_t*, __wmemset_chk, (wchar_t * d, wchar_t c, size_t n, size_t dl),
                            (d, c, n, dl), , Write(d, n * kW, pc), Unresolved<wchar_t*>())
THREADLENS_LIBC_INTERCEPTOR(size_t, __mbstowcs_chk,
                            (wchar_t * d, const char* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Converted(d, r, n, kW, pc);
                            if (r != static_cast<size_t>(-1) && (!d || r < n))
                                Read(s, RealStrlen(s) + 1, pc),
                            Unresolved<size_t>())
THREADLENS_LIBC_INTERCEPTOR(size_t, __wcstombs_chk,
                            (char* d, const wchar_t* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Converted(d, r, n, 1, pc);
                            if (r != static_cast<size_t>(-1) && (!d || r < n)) WideString(s, pc),
                            Unresolved<size_t>())

namespace {
int (*real_getaddrinfo)(const char*, const char*, const addrinfo*, addrinfo**) = nullptr;
void (*real_freeaddrinfo)(addrinfo*) = nullptr;
int (*real_getnameinfo)(const sockaddr*, socklen_t, char*, socklen_t, char*, socklen_t,
                        int) = nullptr;
}  // namespace

// The C library keeps blocks between getaddrinfo calls (its resolver's and NSS's state),
// handed from thread to thread under locks of its own that the trace does not show: its
// heap events inside the call are left out (ThreadSanitizer leaves them out too), and the
// result's blocks are announced after it (Lookup).
TSAN_EXPORT int Intercept_getaddrinfo(const char* node, const char* svc, const addrinfo* hints,
                                      addrinfo** res) __asm__("getaddrinfo");
int Intercept_getaddrinfo(const char* node, const char* svc, const addrinfo* hints,
                          addrinfo** res) {
  auto* real = Real(real_getaddrinfo, "getaddrinfo");
  if (__builtin_expect(!real, 0)) return Unresolved<int>();
  const uintptr_t pc = TSAN_CALLER_PC;
  ThreadCtx* t = Caller(pc);
  if (t) ++t->ignore;
  const int r = real(node, svc, hints, res);
  if (t) {
    --t->ignore;
    Lookup(node, svc, hints, r, res, pc);
  }
  return r;
}

// getnameinfo: the address read, the host and service names written; its inside is left out
// as getaddrinfo's is.
TSAN_EXPORT int Intercept_getnameinfo(const sockaddr* a, socklen_t n, char* host, socklen_t hn,
                                      char* serv, socklen_t sn, int flags)
    __asm__("getnameinfo");
int Intercept_getnameinfo(const sockaddr* a, socklen_t n, char* host, socklen_t hn, char* serv,
                          socklen_t sn, int flags) {
  auto* real = Real(real_getnameinfo, "getnameinfo");
  if (__builtin_expect(!real, 0)) return Unresolved<int>();
  const uintptr_t pc = TSAN_CALLER_PC;
  ThreadCtx* t = Caller(pc);
  if (t) ++t->ignore;
  const int r = real(a, n, host, hn, serv, sn, flags);
  if (t) {
    --t->ignore;
    Read(a, n, pc);
    if (r == 0 && host && hn) Write(host, Min(RealStrlen(host) + 1, hn), pc);
    if (r == 0 && serv && sn) Write(serv, Min(RealStrlen(serv) + 1, sn), pc);
  }
  return r;
}

TSAN_EXPORT void Intercept_freeaddrinfo(addrinfo* a) __asm__("freeaddrinfo");
void Intercept_freeaddrinfo(addrinfo* a) {
  FreeAtCaller(real_freeaddrinfo, "freeaddrinfo", a, TSAN_CALLER_PC);
}

}  // namespace threadlens::rt::tsan::libc
