// Interceptors for libc's memory and string functions (memcpy, strlen, strcpy...): clang's
// TSan pass turns memcpy/memset/memmove intrinsics into plain calls to them, and the others
// read or write user memory the instrumentation never sees. Each records the bytes it
// touched as range accesses, at the caller's pc.
//
// Rules: this file is compiled with -fno-builtin (a byte loop must never become a call to
// the memcpy defined here); while dlsym runs (it may copy and compare strings itself) the
// byte-loop fallbacks below stand in for the real functions.
#include <dlfcn.h>
#include <stdlib.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

constinit thread_local bool resolving __attribute__((tls_model("initial-exec"))) = false;

}  // namespace

void* ResolveNext(const char* name) {
  if (resolving) return nullptr;
  resolving = true;
  void* f = dlsym(RTLD_NEXT, name);
  resolving = false;
  return f;
}

// Plain byte loops, used only before the real function is known.
namespace fallback {
#define TL_FALLBACK __attribute__((no_builtin, noinline))
using uchar = unsigned char;

TL_FALLBACK void* memmove(void* d, const void* s, size_t n) {
  auto* o = static_cast<uchar*>(d);
  auto* i = static_cast<const uchar*>(s);
  if (o < i) {
    for (size_t k = 0; k < n; ++k) o[k] = i[k];
  } else {
    for (size_t k = n; k-- > 0;) o[k] = i[k];
  }
  return d;
}
TL_FALLBACK void* memcpy(void* d, const void* s, size_t n) { return memmove(d, s, n); }
TL_FALLBACK void* mempcpy(void* d, const void* s, size_t n) {
  return static_cast<uchar*>(memmove(d, s, n)) + n;
}
TL_FALLBACK void* memset(void* d, int c, size_t n) {
  auto* o = static_cast<uchar*>(d);
  for (size_t k = 0; k < n; ++k) o[k] = static_cast<uchar>(c);
  return d;
}
TL_FALLBACK int memcmp(const void* a, const void* b, size_t n) {
  auto* x = static_cast<const uchar*>(a);
  auto* y = static_cast<const uchar*>(b);
  for (size_t k = 0; k < n; ++k) {
    if (x[k] != y[k]) return x[k] < y[k] ? -1 : 1;
  }
  return 0;
}
TL_FALLBACK int bcmp(const void* a, const void* b, size_t n) { return memcmp(a, b, n); }
TL_FALLBACK void* memchr(const void* s, int c, size_t n) {
  auto* x = static_cast<const uchar*>(s);
  for (size_t k = 0; k < n; ++k) {
    if (x[k] == static_cast<uchar>(c)) return const_cast<uchar*>(x + k);
  }
  return nullptr;
}
TL_FALLBACK size_t strnlen(const char* s, size_t n) {
  size_t k = 0;
  while (k < n && s[k]) ++k;
  return k;
}
TL_FALLBACK size_t strlen(const char* s) { return strnlen(s, ~size_t{0}); }
TL_FALLBACK char* stpcpy(char* d, const char* s) {
  while ((*d = *s++)) ++d;
  return d;
}
TL_FALLBACK char* strcpy(char* d, const char* s) {
  stpcpy(d, s);
  return d;
}
TL_FALLBACK char* strncpy(char* d, const char* s, size_t n) {
  size_t k = 0;
  for (; k < n && s[k]; ++k) d[k] = s[k];
  for (; k < n; ++k) d[k] = 0;
  return d;
}
TL_FALLBACK char* strncat(char* d, const char* s, size_t n) {
  char* o = d + strlen(d);
  size_t k = 0;
  for (; k < n && s[k]; ++k) o[k] = s[k];
  o[k] = 0;
  return d;
}
TL_FALLBACK char* strcat(char* d, const char* s) { return strncat(d, s, ~size_t{0}); }
TL_FALLBACK int strncmp(const char* a, const char* b, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return static_cast<uchar>(a[k]) < static_cast<uchar>(b[k]) ? -1 : 1;
    if (!a[k]) return 0;
  }
  return 0;
}
TL_FALLBACK int strcmp(const char* a, const char* b) { return strncmp(a, b, ~size_t{0}); }
TL_FALLBACK char* strchr(const char* s, int c) {
  for (;; ++s) {
    if (*s == static_cast<char>(c)) return const_cast<char*>(s);
    if (!*s) return nullptr;
  }
}
TL_FALLBACK char* strrchr(const char* s, int c) {
  const char* last = nullptr;
  for (;; ++s) {
    if (*s == static_cast<char>(c)) last = s;
    if (!*s) return const_cast<char*>(last);
  }
}
TL_FALLBACK char* strstr(const char* h, const char* n) {
  size_t len = strlen(n);
  for (; *h; ++h) {
    if (strncmp(h, n, len) == 0) return const_cast<char*>(h);
  }
  return len == 0 ? const_cast<char*>(h) : nullptr;
}
TL_FALLBACK char* strndup(const char* s, size_t n) {
  size_t len = strnlen(s, n);
  auto* d = static_cast<char*>(malloc(len + 1));
  if (!d) return nullptr;
  memcpy(d, s, len);
  d[len] = 0;
  return d;
}
TL_FALLBACK char* strdup(const char* s) { return strndup(s, ~size_t{0}); }
TL_FALLBACK size_t Count(const char* s, const char* set, bool in) {
  size_t k = 0;
  for (; s[k]; ++k) {
    bool member = false;
    for (const char* c = set; *c; ++c) member |= *c == s[k];
    if (member != in) break;
  }
  return k;
}
TL_FALLBACK size_t strspn(const char* s, const char* a) { return Count(s, a, true); }
TL_FALLBACK size_t strcspn(const char* s, const char* r) { return Count(s, r, false); }
TL_FALLBACK char* strpbrk(const char* s, const char* a) {
  const size_t k = Count(s, a, false);
  return s[k] ? const_cast<char*>(s + k) : nullptr;
}
TL_FALLBACK int Lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
TL_FALLBACK int strncasecmp(const char* a, const char* b, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    const int x = Lower(static_cast<uchar>(a[k])), y = Lower(static_cast<uchar>(b[k]));
    if (x != y || !x) return x - y;
  }
  return 0;
}
TL_FALLBACK int strcasecmp(const char* a, const char* b) { return strncasecmp(a, b, ~size_t{0}); }
TL_FALLBACK void* memrchr(const void* s, int c, size_t n) {
  auto* p = static_cast<const uchar*>(s);
  while (n-- > 0) {
    if (p[n] == static_cast<uchar>(c)) return const_cast<uchar*>(p + n);
  }
  return nullptr;
}
TL_FALLBACK void* memmem(const void* h, size_t hl, const void* n, size_t nl) {
  auto* x = static_cast<const uchar*>(h);
  for (size_t k = 0; nl <= hl && k <= hl - nl; ++k) {
    if (memcmp(x + k, n, nl) == 0) return const_cast<uchar*>(x + k);
  }
  return nullptr;
}
#undef TL_FALLBACK
}  // namespace fallback

// The family, one line per function: X(return type, name, parameters, arguments, effect).
// `effect` runs after the real call, only when the call records, with the result in `r` and
// the caller's pc in `pc`; it names the bytes read and written, as TSan's interceptors do.
#define THREADLENS_LIBC_MEM(X)                                                                \
  X(void*, memcpy, (void* d, const void* s, size_t n), (d, s, n), Copy(d, s, n, pc))          \
  X(void*, memmove, (void* d, const void* s, size_t n), (d, s, n), Copy(d, s, n, pc))         \
  X(void*, mempcpy, (void* d, const void* s, size_t n), (d, s, n), Copy(d, s, n, pc))         \
  X(void*, memset, (void* d, int c, size_t n), (d, c, n), Write(d, n, pc))                    \
  X(int, memcmp, (const void* a, const void* b, size_t n), (a, b, n), Both(a, b, n, pc))      \
  X(int, bcmp, (const void* a, const void* b, size_t n), (a, b, n), Both(a, b, n, pc))        \
  X(void*, memchr, (const void* s, int c, size_t n), (s, c, n),                               \
    Read(s, r ? Span(s, r) + 1 : n, pc))                                                      \
  X(size_t, strlen, (const char* s), (s), Read(s, r + 1, pc))                                 \
  X(size_t, strnlen, (const char* s, size_t n), (s, n), Read(s, r < n ? r + 1 : n, pc))       \
  X(char*, strcpy, (char* d, const char* s), (d, s), Copy(d, s, RealStrlen(d) + 1, pc))       \
  X(char*, stpcpy, (char* d, const char* s), (d, s), Copy(d, s, Span(d, r) + 1, pc))          \
  X(char*, strncpy, (char* d, const char* s, size_t n), (d, s, n), StrNCopy(d, s, n, pc))     \
  X(char*, strcat, (char* d, const char* s), (d, s), Cat(d, s, ~size_t{0}, pc))               \
  X(char*, strncat, (char* d, const char* s, size_t n), (d, s, n), Cat(d, s, n, pc))          \
  X(int, strcmp, (const char* a, const char* b), (a, b), Compare(a, b, ~size_t{0}, pc))       \
  X(int, strncmp, (const char* a, const char* b, size_t n), (a, b, n), Compare(a, b, n, pc))  \
  X(char*, strchr, (const char* s, int c), (s, c),                                            \
    Read(s, r ? Span(s, r) + 1 : RealStrlen(s) + 1, pc))                                      \
  X(char*, strrchr, (const char* s, int c), (s, c), Read(s, RealStrlen(s) + 1, pc))           \
  X(char*, strstr, (const char* h, const char* n), (h, n), Search(h, n, r, pc))               \
  X(size_t, strspn, (const char* s, const char* a), (s, a), SetScan(s, a, r, pc))           \
  X(size_t, strcspn, (const char* s, const char* a), (s, a), SetScan(s, a, r, pc))          \
  X(char*, strpbrk, (const char* s, const char* a), (s, a),                                 \
    SetScan(s, a, r ? Span(s, r) : RealStrlen(s), pc))                                      \
  X(int, strcasecmp, (const char* a, const char* b), (a, b), CaseCompare(a, b, ~size_t{0}, pc)) \
  X(int, strncasecmp, (const char* a, const char* b, size_t n), (a, b, n),                  \
    CaseCompare(a, b, n, pc))                                                               \
  X(void*, memrchr, (const void* s, int c, size_t n), (s, c, n), Read(s, n, pc))            \
  X(void*, memmem, (const void* h, size_t hl, const void* n, size_t nl), (h, hl, n, nl),    \
    MemSearch(h, hl, n, nl, r, pc))

// Declared ahead: the helpers below use the real strlen and strnlen.
extern size_t (*real_strlen)(const char*);
extern size_t (*real_strnlen)(const char*, size_t);

size_t RealStrlen(const char* s) {
  auto* f = Real(real_strlen, "strlen");
  return f ? f(s) : fallback::strlen(s);
}

namespace {

size_t RealStrnlen(const char* s, size_t n) {
  auto* f = Real(real_strnlen, "strnlen");
  return f ? f(s, n) : fallback::strnlen(s, n);
}
inline size_t Span(const void* from, const void* to) {
  return static_cast<const char*>(to) - static_cast<const char*>(from);
}
inline void Copy(void* d, const void* s, size_t n, uintptr_t pc) {
  Read(s, n, pc);
  Write(d, n, pc);
}
inline void Both(const void* a, const void* b, size_t n, uintptr_t pc) {
  Read(a, n, pc);
  Read(b, n, pc);
}
// Bytes of s a bounded string function reads: up to the terminator, at most n.
inline size_t Prefix(const char* s, size_t n) {
  size_t len = RealStrnlen(s, n);
  return len < n ? len + 1 : n;
}
void StrNCopy(char* d, const char* s, size_t n, uintptr_t pc) {
  Read(s, Prefix(s, n), pc);
  Write(d, n, pc);  // strncpy pads with zeros up to n
}
// After strcat/strncat: `copied` bytes of s now end d, followed by the terminator.
void Cat(char* d, const char* s, size_t n, uintptr_t pc) {
  size_t copied = RealStrnlen(s, n);
  size_t old = RealStrlen(d) - copied;
  Read(s, copied < n ? copied + 1 : n, pc);
  Read(d, old, pc);
  Write(d + old, copied + 1, pc);
}
// A comparison reads both strings up to the first difference or terminator.
__attribute__((no_builtin)) void Compare(const char* a, const char* b, size_t n,
                                         uintptr_t pc) {
  size_t k = 0;
  while (k < n && a[k] == b[k] && a[k]) ++k;
  size_t len = k < n ? k + 1 : n;
  Both(a, b, len, pc);
}
// strspn and friends read their set and the string up to the byte that stopped them.
void SetScan(const char* s, const char* set, size_t stop, uintptr_t pc) {
  Read(set, RealStrlen(set) + 1, pc);
  Read(s, stop + 1, pc);
}
__attribute__((no_builtin)) void CaseCompare(const char* a, const char* b, size_t n,
                                             uintptr_t pc) {
  size_t k = 0;
  while (k < n && a[k] && fallback::Lower(static_cast<unsigned char>(a[k])) ==
                              fallback::Lower(static_cast<unsigned char>(b[k]))) {
    ++k;
  }
  Both(a, b, k < n ? k + 1 : n, pc);
}
void MemSearch(const void* h, size_t hl, const void* n, size_t nl, const void* r, uintptr_t pc) {
  Read(n, nl, pc);
  Read(h, r ? Span(h, r) + nl : hl, pc);
}
// strxfrm: the whole source, and the result with its terminator when it fit in `n`.
void Transformed(char* d, const char* s, size_t n, size_t r, uintptr_t pc) {
  Read(s, RealStrlen(s) + 1, pc);
  if (r < n) Write(d, r + 1, pc);
}
void Search(const char* h, const char* needle, const char* r, uintptr_t pc) {
  size_t len = RealStrlen(needle);
  Read(needle, len + 1, pc);
  Read(h, r ? Span(h, r) + len : RealStrlen(h) + 1, pc);
}

}  // namespace

#define THREADLENS_DEFINE(ret, name, params, args, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, , effect, fallback::name args)
THREADLENS_LIBC_MEM(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// They allocate for the caller: the block is named at the caller's call, not inside libc.
THREADLENS_LIBC_INTERCEPTOR(char*, strdup, (const char* s), (s), ::threadlens::rt::PcScope at(pc),
                            Read(s, RealStrlen(s) + 1, pc), fallback::strdup(s))
THREADLENS_LIBC_INTERCEPTOR(char*, strndup, (const char* s, size_t n), (s, n),
                            ::threadlens::rt::PcScope at(pc), Read(s, r ? Prefix(r, n) : 0, pc),
                            fallback::strndup(s, n))

// Not called while dlsym runs: no fallbacks.
THREADLENS_LIBC_INTERCEPTOR(char*, strcasestr, (const char* h, const char* n), (h, n), ,
                            Search(h, n, r, pc), nullptr)
THREADLENS_LIBC_INTERCEPTOR(char*, strchrnul, (const char* s, int c), (s, c), ,
                            Read(s, Span(s, r) + 1, pc), nullptr)
THREADLENS_LIBC_INTERCEPTOR(size_t, strxfrm, (char* d, const char* s, size_t n), (d, s, n), ,
                            Transformed(d, s, n, r, pc), 0)
THREADLENS_LIBC_INTERCEPTOR(char*, stpncpy, (char* d, const char* s, size_t n), (d, s, n), ,
                            StrNCopy(d, s, n, pc), nullptr)
THREADLENS_LIBC_INTERCEPTOR(void*, memccpy, (void* d, const void* s, int c, size_t n),
                            (d, s, c, n), , Copy(d, s, r ? Span(d, r) : n, pc), nullptr)
THREADLENS_LIBC_INTERCEPTOR(int, strverscmp, (const char* a, const char* b), (a, b), ,
                            Compare(a, b, ~size_t{0}, pc), 0)
namespace {
void (*real_explicit_bzero)(void*, size_t) = nullptr;
}  // namespace
// explicit_bzero exists so that the compiler does not turn it into memset: its own interceptor.
TSAN_EXPORT void Intercept_explicit_bzero(void* d, size_t n) __asm__("explicit_bzero");
void Intercept_explicit_bzero(void* d, size_t n) {
  if (auto* real = Real(real_explicit_bzero, "explicit_bzero")) {
    real(d, n);
  } else {
    volatile char* p = static_cast<char*>(d);
    for (size_t i = 0; i < n; ++i) p[i] = 0;
  }
  CallerWrite(d, n, TSAN_CALLER_PC);
}
THREADLENS_LIBC_INTERCEPTOR(char*, __stpncpy_chk, (char* d, const char* s, size_t n, size_t dl),
                            (d, s, n, dl), , StrNCopy(d, s, n, pc), nullptr)
namespace {
void (*real_explicit_bzero_chk)(void*, size_t, size_t) = nullptr;
}  // namespace
TSAN_EXPORT void Intercept___explicit_bzero_chk(void* d, size_t n, size_t dl)
    __asm__("__explicit_bzero_chk");
void Intercept___explicit_bzero_chk(void* d, size_t n, size_t dl) {
  if (auto* real = Real(real_explicit_bzero_chk, "__explicit_bzero_chk")) {
    real(d, n, dl);
  } else {
    volatile char* p = static_cast<char*>(d);
    for (size_t i = 0; i < n; ++i) p[i] = 0;
  }
  CallerWrite(d, n, TSAN_CALLER_PC);
}
// A collation may weigh every character: both strings are read whole.
THREADLENS_LIBC_INTERCEPTOR(int, strcoll, (const char* a, const char* b), (a, b), ,
                            ReadString(a, pc);
                            ReadString(b, pc), 0)
THREADLENS_LIBC_INTERCEPTOR(size_t, wcslen, (const wchar_t* s), (s), ,
                            Read(s, (r + 1) * sizeof(wchar_t), pc), 0)
THREADLENS_LIBC_INTERCEPTOR(size_t, wcsnlen, (const wchar_t* s, size_t n), (s, n), ,
                            Read(s, (r < n ? r + 1 : n) * sizeof(wchar_t), pc), 0)

// _FORTIFY_SOURCE: the checked forms the compiler calls when it knows the destination's size
// but not the length (`dl`: the destination's size, which the real function checks). The
// same bytes as the plain forms; unresolved (inside dlsym), the plain fallback.
THREADLENS_LIBC_INTERCEPTOR(void*, __memcpy_chk, (void* d, const void* s, size_t n, size_t dl),
                            (d, s, n, dl), , Copy(d, s, n, pc), fallback::memcpy(d, s, n))
THREADLENS_LIBC_INTERCEPTOR(void*, __memmove_chk, (void* d, const void* s, size_t n, size_t dl),
                            (d, s, n, dl), , Copy(d, s, n, pc), fallback::memmove(d, s, n))
THREADLENS_LIBC_INTERCEPTOR(void*, __mempcpy_chk, (void* d, const void* s, size_t n, size_t dl),
                            (d, s, n, dl), , Copy(d, s, n, pc), fallback::mempcpy(d, s, n))
THREADLENS_LIBC_INTERCEPTOR(void*, __memset_chk, (void* d, int c, size_t n, size_t dl),
                            (d, c, n, dl), , Write(d, n, pc), fallback::memset(d, c, n))
THREADLENS_LIBC_INTERCEPTOR(char*, __strcpy_chk, (char* d, const char* s, size_t dl),
                            (d, s, dl), , Copy(d, s, RealStrlen(d) + 1, pc),
                            fallback::strcpy(d, s))
THREADLENS_LIBC_INTERCEPTOR(char*, __stpcpy_chk, (char* d, const char* s, size_t dl),
                            (d, s, dl), , Copy(d, s, Span(d, r) + 1, pc), fallback::stpcpy(d, s))
THREADLENS_LIBC_INTERCEPTOR(char*, __strncpy_chk,
                            (char* d, const char* s, size_t n, size_t dl), (d, s, n, dl), ,
                            StrNCopy(d, s, n, pc), fallback::strncpy(d, s, n))
THREADLENS_LIBC_INTERCEPTOR(char*, __strcat_chk, (char* d, const char* s, size_t dl),
                            (d, s, dl), , Cat(d, s, ~size_t{0}, pc), fallback::strcat(d, s))
THREADLENS_LIBC_INTERCEPTOR(char*, __strncat_chk,
                            (char* d, const char* s, size_t n, size_t dl), (d, s, n, dl), ,
                            Cat(d, s, n, pc), fallback::strncat(d, s, n))

// qsort moves the elements inside libc, where nothing records: the whole array is read and
// written by the caller (the comparator's reads are the program's own, recorded as made).
using Compare3 = int (*)(const void*, const void*, void*);
void (*real_qsort)(void*, size_t, size_t, int (*)(const void*, const void*)) = nullptr;
void (*real_qsort_r)(void*, size_t, size_t, Compare3, void*) = nullptr;

void Sorted(void* base, size_t nmemb, size_t size, uintptr_t pc) {
  if (!Caller(pc) || size == 0 || nmemb > ~size_t{0} / size) return;
  Write(base, nmemb * size, pc);
}

}  // namespace threadlens::rt::tsan::libc

using namespace threadlens::rt::tsan::libc;
using threadlens::rt::tsan::CallerFrame;

TSAN_EXPORT void qsort(void* base, size_t nmemb, size_t size,
                       int (*compar)(const void*, const void*)) {
  {
    CallerFrame frame(TSAN_CALLER_PC);  // the comparator's stack goes on to the caller
    if (auto* real = Real(real_qsort, "qsort")) real(base, nmemb, size, compar);
  }
  Sorted(base, nmemb, size, TSAN_CALLER_PC);
}

TSAN_EXPORT void qsort_r(void* base, size_t nmemb, size_t size, Compare3 compar, void* arg) {
  {
    CallerFrame frame(TSAN_CALLER_PC);
    if (auto* real = Real(real_qsort_r, "qsort_r")) real(base, nmemb, size, compar, arg);
  }
  Sorted(base, nmemb, size, TSAN_CALLER_PC);
}

// Newer clang versions call these instead of memcpy/memset/memmove.
TSAN_EXPORT void* __tsan_memcpy(void* d, const void* s, size_t n) {
  return Do_memcpy(TSAN_CALLER_PC, d, s, n);
}
TSAN_EXPORT void* __tsan_memmove(void* d, const void* s, size_t n) {
  return Do_memmove(TSAN_CALLER_PC, d, s, n);
}
TSAN_EXPORT void* __tsan_memset(void* d, int c, size_t n) {
  return Do_memset(TSAN_CALLER_PC, d, c, n);
}
