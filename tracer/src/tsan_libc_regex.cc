// Interceptors for regular expressions and character set conversion: regcomp writes the
// compiled pattern, regexec reads it and the subject and writes the matches, regerror writes
// its message, regfree the pattern it releases; iconv reads the input it consumed and writes
// the output it produced, and moves the caller's pointers and counts. Each records as range
// accesses at the caller's pc. (ThreadSanitizer, clang 14, records these too.)
#include <iconv.h>
#include <regex.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {

#define THREADLENS_LIBC_REGEX(X)                                                               \
  X(int, regcomp, (regex_t * re, const char* pattern, int flags), (re, pattern, flags), , {    \
    ReadString(pattern, pc);                                                                   \
    if (r == 0) Write(re, sizeof *re, pc);                                                     \
  })                                                                                           \
  X(int, regexec, (const regex_t* re, const char* s, size_t n, regmatch_t* m, int flags),     \
    (re, s, n, m, flags), , {                                                                  \
      Read(re, sizeof *re, pc);                                                                \
      if ((flags & REG_STARTEND) && m) {                                                       \
        Read(m, sizeof *m, pc);                                                                \
        if (m[0].rm_eo > m[0].rm_so) {                                                         \
          Read(s + m[0].rm_so, static_cast<size_t>(m[0].rm_eo - m[0].rm_so), pc);             \
        }                                                                                      \
      } else {                                                                                 \
        ReadString(s, pc);                                                                     \
      }                                                                                        \
      if (r == 0 && m) Write(m, n * sizeof *m, pc);                                            \
    })                                                                                         \
  X(size_t, regerror, (int code, const regex_t* re, char* b, size_t n), (code, re, b, n), , {  \
    if (re) Read(re, sizeof *re, pc);                                                          \
    if (b && n) Write(b, Min(r, n), pc);                                                       \
  })                                                                                           \
  X(size_t, iconv, (iconv_t cd, char** in, size_t* in_left, char** out, size_t* out_left),    \
    (cd, in, in_left, out, out_left),                                                          \
    char* in_from = in ? *in : nullptr;                                                        \
    char* out_from = out ? *out : nullptr, {                                                   \
      Write(in_left, sizeof *in_left, pc);                                                     \
      Write(out_left, sizeof *out_left, pc);                                                   \
      Write(in, sizeof *in, pc);                                                               \
      Write(out, sizeof *out, pc);                                                             \
      if (in_from && *in > in_from) Read(in_from, static_cast<size_t>(*in - in_from), pc);     \
      if (out_from && *out > out_from) {                                                       \
        Write(out_from, static_cast<size_t>(*out - out_from), pc);                             \
      }                                                                                        \
    })

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_REGEX(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// regfree: no result to wait for.
void (*real_regfree)(regex_t*) = nullptr;
TSAN_EXPORT void Intercept_regfree(regex_t* re) __asm__("regfree");
void Intercept_regfree(regex_t* re) {
  auto* real = Real(real_regfree, "regfree");
  if (!real) return;
  const uintptr_t pc = TSAN_CALLER_PC;
  CallerWrite(re, sizeof *re, pc);
  real(re);
}

}  // namespace threadlens::rt::tsan::libc
