// Number conversions that read a string: strtol and its family (strtoimax and strtoumax
// too), the strtod family, their wide forms (wcstol ... wcstold), and atoi, atol, atoll,
// atof (with optimization glibc's atoi is an inline strtol). Each reads the string up to where the conversion stopped, and
// the character that stopped it; a strto* or wcsto* call writes its end pointer.
// (ThreadSanitizer, clang 14, records strtoimax and strtoumax only.)
#include <cinttypes>
#include <cstdlib>
#include <cwchar>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// After a conversion of `s` that stopped at `stop`, called from `pc`.
void Parsed(const char* s, const char* stop, uintptr_t pc) {
  if (Caller(pc)) ReadParsed(s, stop, pc);
}
// The same for a wide string: the characters consumed and the one that stopped it.
void Parsed(const wchar_t* s, const wchar_t* stop, uintptr_t pc) {
  if (!s || !Caller(pc)) return;
  Read(s, ((stop && stop > s ? static_cast<size_t>(stop - s) : 0) + 1) * sizeof *s, pc);
}

}  // namespace
}  // namespace threadlens::rt::tsan::libc

using namespace threadlens::rt::tsan::libc;  // NOLINT: the exported C symbols below

// An integer conversion with a base (strtol, strtoull...; C: char or wchar_t).
#define THREADLENS_STRTO_INT(T, name) THREADLENS_STRTO_INT_OF(T, name, char)
#define THREADLENS_STRTO_INT_OF(T, name, C)                                           \
  namespace {                                                                          \
  T (*real_##name)(const C*, C**, int) = nullptr;                                      \
  }                                                                                    \
  TSAN_EXPORT T Intercept_##name(const C* s, C** end, int base) __asm__(#name);        \
  T Intercept_##name(const C* s, C** end, int base) {                                  \
    auto* real = Real(real_##name, #name);                                             \
    if (__builtin_expect(!real, 0)) return 0;                                          \
    C* stop = nullptr;                                                                 \
    T r = real(s, &stop, base);                                                        \
    if (end) *end = stop;                                                              \
    Parsed(s, stop, TSAN_CALLER_PC);                                                   \
    CallerWrite(end, sizeof *end, TSAN_CALLER_PC);                                     \
    return r;                                                                          \
  }
// A floating-point conversion (strtod, strtof, strtold; C: char or wchar_t).
#define THREADLENS_STRTO_FLOAT(T, name) THREADLENS_STRTO_FLOAT_OF(T, name, char)
#define THREADLENS_STRTO_FLOAT_OF(T, name, C)                                \
  namespace {                                                                \
  T (*real_##name)(const C*, C**) = nullptr;                                 \
  }                                                                          \
  TSAN_EXPORT T Intercept_##name(const C* s, C** end) __asm__(#name);        \
  T Intercept_##name(const C* s, C** end) {                                  \
    auto* real = Real(real_##name, #name);                                   \
    if (__builtin_expect(!real, 0)) return 0;                                \
    C* stop = nullptr;                                                       \
    T r = real(s, &stop);                                                    \
    if (end) *end = stop;                                                    \
    Parsed(s, stop, TSAN_CALLER_PC);                                         \
    CallerWrite(end, sizeof *end, TSAN_CALLER_PC);                           \
    return r;                                                                \
  }
// atoi and friends: the strto* conversion they stand for, which tells where it stopped.
#define THREADLENS_ATO(T, name, body)                                 \
  TSAN_EXPORT T Intercept_##name(const char* s) __asm__(#name);       \
  T Intercept_##name(const char* s) {                                 \
    char* stop = nullptr;                                             \
    T r = static_cast<T>(body);                                       \
    Parsed(s, stop, TSAN_CALLER_PC);                                  \
    return r;                                                         \
  }

THREADLENS_STRTO_INT(long, strtol)
THREADLENS_STRTO_INT(long long, strtoll)
THREADLENS_STRTO_INT(unsigned long, strtoul)
THREADLENS_STRTO_INT(unsigned long long, strtoull)
THREADLENS_STRTO_INT(intmax_t, strtoimax)
THREADLENS_STRTO_INT(uintmax_t, strtoumax)
THREADLENS_STRTO_FLOAT(double, strtod)
THREADLENS_STRTO_FLOAT(float, strtof)
THREADLENS_STRTO_FLOAT(long double, strtold)
THREADLENS_STRTO_INT_OF(long, wcstol, wchar_t)
THREADLENS_STRTO_INT_OF(long long, wcstoll, wchar_t)
THREADLENS_STRTO_INT_OF(unsigned long, wcstoul, wchar_t)
THREADLENS_STRTO_INT_OF(unsigned long long, wcstoull, wchar_t)
THREADLENS_STRTO_FLOAT_OF(double, wcstod, wchar_t)
THREADLENS_STRTO_FLOAT_OF(float, wcstof, wchar_t)
THREADLENS_STRTO_FLOAT_OF(long double, wcstold, wchar_t)

// Through the real conversions (real_strtol...), not the interceptors: one record per call.
THREADLENS_ATO(int, atoi, (Real(real_strtol, "strtol") ? real_strtol(s, &stop, 10) : 0))
THREADLENS_ATO(long, atol, (Real(real_strtol, "strtol") ? real_strtol(s, &stop, 10) : 0))
THREADLENS_ATO(long long, atoll,
               (Real(real_strtoll, "strtoll") ? real_strtoll(s, &stop, 10) : 0))
THREADLENS_ATO(double, atof, (Real(real_strtod, "strtod") ? real_strtod(s, &stop) : 0))
