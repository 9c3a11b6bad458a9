// The printf family, intercepted: a call inside a signal handler is reported (it takes the
// FILE's lock and may allocate), its format's strings are reads (tsan_libc_format.cc), and
// it is a send on its stream's descriptor, as fwrite is: an unbuffered stream, or one whose
// buffer fills, writes from inside the call. Each forwards to its va_list form.
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include "fd_sync.h"
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

inline void Printf(uint64_t pc, FILE* f, const char* fmt, va_list ap) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kPrintf, pc);
  threadlens::rt::tsan::libc::FormatAccesses(fmt, ap, pc);
  threadlens::rt::tsan::libc::StreamSending(f, pc);
}

}  // namespace

TL_EXPORT int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) __asm__("vfprintf");
int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, f, fmt, ap);
  return Next(real_vfprintf, "vfprintf")(f, fmt, ap);
}

TL_EXPORT int Intercept_vprintf(const char* fmt, va_list ap) __asm__("vprintf");
int Intercept_vprintf(const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, stdout, fmt, ap);
  return Next(real_vfprintf, "vfprintf")(stdout, fmt, ap);
}

TL_EXPORT int Intercept_fprintf(FILE* f, const char* fmt, ...) __asm__("fprintf");
int Intercept_fprintf(FILE* f, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, f, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(f, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept_printf(const char* fmt, ...) __asm__("printf");
int Intercept_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, stdout, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(stdout, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept___printf_chk(int flag, const char* fmt, ...) __asm__("__printf_chk");
int Intercept___printf_chk(int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, stdout, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(stdout, flag, fmt, ap);
  va_end(ap);
  return r;
}

TL_EXPORT int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...) __asm__("__fprintf_chk");
int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  Printf(TL_CALLER_PC, f, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(f, flag, fmt, ap);
  va_end(ap);
  return r;
}

// The fortified va_list forms, called for vfprintf and vprintf under _FORTIFY_SOURCE.
TL_EXPORT int Intercept___vfprintf_chk(FILE* f, int flag, const char* fmt, va_list ap)
    __asm__("__vfprintf_chk");
int Intercept___vfprintf_chk(FILE* f, int flag, const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, f, fmt, ap);
  return Next(real_vfprintf_chk, "__vfprintf_chk")(f, flag, fmt, ap);
}

TL_EXPORT int Intercept___vprintf_chk(int flag, const char* fmt, va_list ap)
    __asm__("__vprintf_chk");
int Intercept___vprintf_chk(int flag, const char* fmt, va_list ap) {
  Printf(TL_CALLER_PC, stdout, fmt, ap);
  return Next(real_vfprintf_chk, "__vfprintf_chk")(stdout, flag, fmt, ap);
}

// dprintf writes to a descriptor: a send on it.
namespace {
int (*real_vdprintf)(int, const char*, va_list);

inline void DescriptorPrintf(uint64_t pc, int fd, const char* fmt, va_list ap) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kPrintf, pc);
  threadlens::rt::tsan::libc::FormatAccesses(fmt, ap, pc);
  threadlens::rt::fdsync::Send(fd, pc);
}
}  // namespace

TL_EXPORT int Intercept_vdprintf(int fd, const char* fmt, va_list ap) __asm__("vdprintf");
int Intercept_vdprintf(int fd, const char* fmt, va_list ap) {
  DescriptorPrintf(TL_CALLER_PC, fd, fmt, ap);
  return Next(real_vdprintf, "vdprintf")(fd, fmt, ap);
}

TL_EXPORT int Intercept_dprintf(int fd, const char* fmt, ...) __asm__("dprintf");
int Intercept_dprintf(int fd, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  DescriptorPrintf(TL_CALLER_PC, fd, fmt, ap);
  int r = Next(real_vdprintf, "vdprintf")(fd, fmt, ap);
  va_end(ap);
  return r;
}
