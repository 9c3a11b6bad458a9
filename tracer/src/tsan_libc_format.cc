// The user memory a printf-family call reads through its format (see tsan_libc.h): the
// format string itself and every %s argument, and the integer every %n writes. The
// conversions are those of glibc's printf; a format with positional arguments (%2$s) or a
// conversion it does not know stops the walk, since the types of the arguments after it are
// then unknown.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

inline bool Digit(char c) { return c >= '0' && c <= '9'; }

// Bytes of `s` a conversion with precision `prec` (-1: none) reads: up to the terminator.
size_t StringBytes(const char* s, long prec) {
  size_t n = 0;
  while ((prec < 0 || n < static_cast<size_t>(prec)) && s[n]) ++n;
  return prec >= 0 && n == static_cast<size_t>(prec) ? n : n + 1;
}
size_t WideBytes(const wchar_t* s, long prec) {
  size_t n = 0;  // the precision counts bytes of output; read whole characters up to it
  while ((prec < 0 || n * sizeof(wchar_t) < static_cast<size_t>(prec)) && s[n]) ++n;
  return (s[n] ? n : n + 1) * sizeof(wchar_t);
}

}  // namespace

// The size of the integer a %n of this length writes (tsan_libc.h).
size_t CountSize(Len l) {
  switch (l) {
    case Len::kHH: return sizeof(char);
    case Len::kH: return sizeof(short);
    case Len::kL: return sizeof(long);
    case Len::kLL: return sizeof(long long);
    case Len::kJ: return sizeof(intmax_t);
    case Len::kZ: return sizeof(size_t);
    case Len::kT: return sizeof(ptrdiff_t);
    default: return sizeof(int);
  }
}

// Reads the length modifier at `p` (hh h l ll L q j z Z t), moving past it.
Len LengthOf(const char*& p) {
  switch (*p) {
    case 'h':
      if (*++p != 'h') return Len::kH;
      ++p;
      return Len::kHH;
    case 'l':
      if (*++p != 'l') return Len::kL;
      ++p;
      return Len::kLL;
    case 'L': ++p; return Len::kBigL;
    case 'q': ++p; return Len::kLL;
    case 'j': ++p; return Len::kJ;
    case 'z': case 'Z': ++p; return Len::kZ;
    case 't': ++p; return Len::kT;
    default: return Len::kNone;
  }
}


void FormatAccesses(const char* fmt, va_list args, uintptr_t pc) {
  if (!fmt || !Caller(pc)) return;
  Read(fmt, RealStrlen(fmt) + 1, pc);
  va_list ap;
  va_copy(ap, args);
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') continue;
    if (*++p == '%') continue;
    const char* q = p;
    while (Digit(*q)) ++q;
    if (*q == '$') break;  // positional
    while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0' || *p == '\'' ||
           *p == 'I') {
      ++p;
    }
    if (*p == '*') {
      va_arg(ap, int);
      ++p;
    }
    while (Digit(*p)) ++p;
    long prec = -1;
    if (*p == '.') {
      ++p;
      if (*p == '*') {
        prec = va_arg(ap, int);
        ++p;
      } else {
        prec = 0;
        while (Digit(*p)) prec = prec * 10 + (*p++ - '0');
      }
    }
    const Len len = LengthOf(p);
    switch (*p) {
      case 'd': case 'i': case 'o': case 'u': case 'x': case 'X':
        if (len == Len::kL || len == Len::kLL || len == Len::kJ || len == Len::kZ ||
            len == Len::kT) {
          va_arg(ap, long long);  // all 8 bytes on x86-64
        } else {
          va_arg(ap, int);
        }
        break;
      case 'c': case 'C':
        va_arg(ap, int);
        break;
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
        if (len == Len::kBigL) {
          va_arg(ap, long double);
        } else {
          va_arg(ap, double);
        }
        break;
      case 's':
      case 'S':
        if (len == Len::kL || *p == 'S') {
          if (const wchar_t* s = va_arg(ap, const wchar_t*)) Read(s, WideBytes(s, prec), pc);
        } else if (const char* s = va_arg(ap, const char*)) {
          Read(s, StringBytes(s, prec), pc);
        }
        break;
      case 'p':
        va_arg(ap, void*);
        break;
      case 'n':
        Write(va_arg(ap, void*), CountSize(len), pc);
        break;
      case 'm':
        break;
      default:  // unknown, or the format's end: the arguments after it cannot be walked
        va_end(ap);
        return;
    }
  }
  va_end(ap);
}

}  // namespace threadlens::rt::tsan::libc
