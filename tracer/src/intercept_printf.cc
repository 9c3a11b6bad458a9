// The printf family, intercepted: a call inside a signal handler is reported (it takes the
// FILE's lock and may allocate), and its format's strings are reads (tsan_libc_format.cc).
// Each forwards to its va_list form.
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include "runtime_internal.h"
#include "tsan_libc.h"

// Asm labels: <stdio.h> may define vprintf inline.
namespace {

template <typename F>
F Next(F& slot, const char* name) {
  if (!slot) slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return slot;
}

int (*real_vfprintf)(FILE*, const char*, va_list);
int (*real_vfprintf_chk)(FILE*, int, const char*, va_list);

inline void Printf(uint64_t pc, const char* fmt, va_list ap) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kPrintf, pc);
  threadlens::rt::tsan::libc::FormatAccesses(fmt, ap, pc);
}

}  // namespace

TL_EXPORT int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) __asm__("vfprintf");
int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, fmt, ap);
  return Next(real_vfprintf, "vfprintf")(f, fmt, ap);
}

TL_EXPORT int Intercept_vprintf(const char* fmt, va_list ap) __asm__("vprintf");
int Intercept_vprintf(const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, fmt, ap);
  return Next(real_vfprintf, "vfprintf")(stdout, fmt, ap);
}

TL_EXPORT int Intercept_fprintf(FILE* f, const char* fmt, ...) __asm__("fprintf");
int Intercept_fprintf(FILE* f, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(f, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept_printf(const char* fmt, ...) __asm__("printf");
int Intercept_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(stdout, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept___printf_chk(int flag, const char* fmt, ...) __asm__("__printf_chk");
int Intercept___printf_chk(int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(stdout, flag, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...) __asm__("__fprintf_chk");
int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(f, flag, fmt, ap);
  va_end(ap);
  return r;
}
