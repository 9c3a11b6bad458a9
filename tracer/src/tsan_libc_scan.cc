// The scanf family: the input string an sscanf reads, the format, and the variable every
// conversion that assigned wrote (as TSan's interceptors record them). Only conversions the
// call's result counts as assigned are written, %n when the scan reached it; a format with
// positional arguments (%2$d) or a conversion glibc does not know stops the walk there.
// C99 builds call glibc's __isoc99_ names: both are intercepted.
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <wchar.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

inline bool Digit(char c) { return c >= '0' && c <= '9'; }

// After the call: what it wrote through its pointer arguments. `assigned`: the call's result.
void ScanAccesses(const char* fmt, va_list args, int assigned, uintptr_t pc) {
  if (!fmt) return;
  Read(fmt, RealStrlen(fmt) + 1, pc);
  va_list ap;
  va_copy(ap, args);
  int seen = 0;  // assigning conversions walked so far
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') continue;
    if (*++p == '%') continue;
    const bool suppress = *p == '*';
    if (suppress) ++p;
    const char* q = p;
    while (Digit(*q)) ++q;
    if (*q == '$') break;  // positional
    long width = -1;
    if (Digit(*p)) {
      width = 0;
      while (Digit(*p)) width = width * 10 + (*p++ - '0');
    }
    const bool alloc = *p == 'm';  // %ms: the argument is where a new buffer's address goes
    if (alloc) ++p;
    const Len len = LengthOf(p);
    // glibc's scanf takes %Ld for a long long.
    const size_t integer = len == Len::kBigL ? sizeof(long long) : CountSize(len);
    const bool wide = len == Len::kL, big = len == Len::kBigL;
    size_t bytes = 0;
    bool string = false;
    switch (*p) {
      case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': case 'n':
        bytes = integer;
        break;
      case 'a': case 'A': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        bytes = big ? sizeof(long double) : wide ? sizeof(double) : sizeof(float);
        break;
      case 'p':
        bytes = sizeof(void*);
        break;
      case 'c': case 'C':
        bytes = (width < 0 ? 1 : static_cast<size_t>(width)) *
                (wide || *p == 'C' ? sizeof(wchar_t) : 1);
        break;
      case '[':
        ++p;
        if (*p == '^') ++p;
        if (*p == ']') ++p;
        while (*p && *p != ']') ++p;
        if (!*p) {
          va_end(ap);
          return;
        }
        string = true;
        break;
      case 's': case 'S':
        string = true;
        break;
      default:  // unknown, or the format's end: the arguments after it cannot be walked
        va_end(ap);
        return;
    }
    if (suppress) continue;  // no argument
    void* dest = va_arg(ap, void*);
    if (*p == 'n') {
      if (seen <= assigned) Write(dest, bytes, pc);
      continue;
    }
    if (++seen > assigned) break;  // this conversion failed: it and the later ones wrote nothing
    if (alloc) {
      Write(dest, sizeof(void*), pc);
    } else if (string && (wide || *p == 'S')) {
      Write(dest, (wcslen(static_cast<const wchar_t*>(dest)) + 1) * sizeof(wchar_t), pc);
    } else if (string) {
      Write(dest, RealStrlen(static_cast<const char*>(dest)) + 1, pc);
    } else {
      Write(dest, bytes, pc);
    }
  }
  va_end(ap);
}

using VScan = int (*)(const char*, const char*, va_list);
using VFScan = int (*)(FILE*, const char*, va_list);
int (*real_vsscanf)(const char*, const char*, va_list) = nullptr;
int (*real_isoc99_vsscanf)(const char*, const char*, va_list) = nullptr;
int (*real_vfscanf)(FILE*, const char*, va_list) = nullptr;
int (*real_isoc99_vfscanf)(FILE*, const char*, va_list) = nullptr;

int StringScan(VScan real, uintptr_t pc, const char* s, const char* fmt, va_list ap) {
  if (!real) return EOF;
  va_list copy;
  va_copy(copy, ap);
  const int r = real(s, fmt, ap);
  if (Caller(pc)) {
    if (s) Read(s, RealStrlen(s) + 1, pc);
    ScanAccesses(fmt, copy, r, pc);
  }
  va_end(copy);
  return r;
}

int FileScan(VFScan real, uintptr_t pc, FILE* f, const char* fmt, va_list ap) {
  if (!real) return EOF;
  va_list copy;
  va_copy(copy, ap);
  const int r = real(f, fmt, ap);
  if (Caller(pc)) ScanAccesses(fmt, copy, r, pc);
  va_end(copy);
  return r;
}

}  // namespace
}  // namespace threadlens::rt::tsan::libc

using namespace threadlens::rt::tsan::libc;

// One entry point per name; the variadic ones pass their arguments on as a va_list.
#define THREADLENS_STRING_SCAN(name, vname, slot)                                        \
  TSAN_EXPORT int Intercept_##name(const char* s, const char* fmt, ...) __asm__(#name); \
  int Intercept_##name(const char* s, const char* fmt, ...) {                           \
    va_list ap;                                                                         \
    va_start(ap, fmt);                                                                  \
    const int r = StringScan(Real(slot, vname), TSAN_CALLER_PC, s, fmt, ap);            \
    va_end(ap);                                                                         \
    return r;                                                                           \
  }
#define THREADLENS_STRING_VSCAN(name, slot)                                                    \
  TSAN_EXPORT int Intercept_##name(const char* s, const char* fmt, va_list ap) __asm__(#name); \
  int Intercept_##name(const char* s, const char* fmt, va_list ap) {                          \
    return StringScan(Real(slot, #name), TSAN_CALLER_PC, s, fmt, ap);                         \
  }
#define THREADLENS_FILE_SCAN(name, vname, slot, file)                                \
  TSAN_EXPORT int Intercept_##name(const char* fmt, ...) __asm__(#name);             \
  int Intercept_##name(const char* fmt, ...) {                                       \
    va_list ap;                                                                      \
    va_start(ap, fmt);                                                               \
    const int r = FileScan(Real(slot, vname), TSAN_CALLER_PC, file, fmt, ap);        \
    va_end(ap);                                                                      \
    return r;                                                                        \
  }
#define THREADLENS_FFILE_SCAN(name, vname, slot)                                          \
  TSAN_EXPORT int Intercept_##name(FILE* f, const char* fmt, ...) __asm__(#name);         \
  int Intercept_##name(FILE* f, const char* fmt, ...) {                                   \
    va_list ap;                                                                           \
    va_start(ap, fmt);                                                                    \
    const int r = FileScan(Real(slot, vname), TSAN_CALLER_PC, f, fmt, ap);                \
    va_end(ap);                                                                           \
    return r;                                                                             \
  }
#define THREADLENS_FILE_VSCAN(name, slot)                                                    \
  TSAN_EXPORT int Intercept_##name(FILE* f, const char* fmt, va_list ap) __asm__(#name);     \
  int Intercept_##name(FILE* f, const char* fmt, va_list ap) {                              \
    return FileScan(Real(slot, #name), TSAN_CALLER_PC, f, fmt, ap);                         \
  }

THREADLENS_STRING_SCAN(sscanf, "vsscanf", real_vsscanf)
THREADLENS_STRING_SCAN(__isoc99_sscanf, "__isoc99_vsscanf", real_isoc99_vsscanf)
THREADLENS_STRING_VSCAN(vsscanf, real_vsscanf)
THREADLENS_STRING_VSCAN(__isoc99_vsscanf, real_isoc99_vsscanf)
THREADLENS_FILE_SCAN(scanf, "vfscanf", real_vfscanf, stdin)
THREADLENS_FILE_SCAN(__isoc99_scanf, "__isoc99_vfscanf", real_isoc99_vfscanf, stdin)
THREADLENS_FFILE_SCAN(fscanf, "vfscanf", real_vfscanf)
THREADLENS_FFILE_SCAN(__isoc99_fscanf, "__isoc99_vfscanf", real_isoc99_vfscanf)
THREADLENS_FILE_VSCAN(vfscanf, real_vfscanf)
THREADLENS_FILE_VSCAN(__isoc99_vfscanf, real_isoc99_vfscanf)

TSAN_EXPORT int Intercept_vscanf(const char* fmt, va_list ap) __asm__("vscanf");
int Intercept_vscanf(const char* fmt, va_list ap) {
  return FileScan(Real(real_vfscanf, "vfscanf"), TSAN_CALLER_PC, stdin, fmt, ap);
}
TSAN_EXPORT int Intercept___isoc99_vscanf(const char* fmt, va_list ap) __asm__("__isoc99_vscanf");
int Intercept___isoc99_vscanf(const char* fmt, va_list ap) {
  return FileScan(Real(real_isoc99_vfscanf, "__isoc99_vfscanf"), TSAN_CALLER_PC, stdin, fmt, ap);
}
