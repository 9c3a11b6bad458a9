// The printf family, intercepted: a call inside a signal handler is reported (it takes the
// FILE's lock and may allocate), its format's strings are reads (tsan_libc_format.cc), and
// it may send on its stream's descriptor, as fwrite may: an unbuffered stream, or one whose
// buffer fills, writes from inside the call (tsan_libc_stream.cc). Each forwards to its
// va_list form.
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

// What every printf does before the real call: the signal-safety check and its format's reads.
inline void Formatting(uint64_t pc, const char* fmt, va_list ap) {
  threadlens::rt::CheckSignalUnsafe(threadlens::trace::SignalUnsafeCall::kPrintf, pc);
  threadlens::rt::tsan::libc::FormatAccesses(fmt, ap, pc);
}
// Returns the room the stream's buffer had (StreamPrintfBefore), for Printed.
inline size_t Printf(uint64_t pc, FILE* f, const char* fmt, va_list ap) {
  Formatting(pc, fmt, ap);
  return threadlens::rt::tsan::libc::StreamPrintfBefore(f, fmt, pc);
}
inline int Printed(uint64_t pc, FILE* f, size_t room, int r) {
  threadlens::rt::tsan::libc::StreamPrintfAfter(f, room, r, pc);
  return r;
}

}  // namespace

TL_EXPORT int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) __asm__("vfprintf");
int Intercept_vfprintf(FILE* f, const char* fmt, va_list ap) {
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, f, fmt, ap);
  return Printed(pc, f, room, Next(real_vfprintf, "vfprintf")(f, fmt, ap));
}

TL_EXPORT int Intercept_vprintf(const char* fmt, va_list ap) __asm__("vprintf");
int Intercept_vprintf(const char* fmt, va_list ap) {
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, stdout, fmt, ap);
  return Printed(pc, stdout, room, Next(real_vfprintf, "vfprintf")(stdout, fmt, ap));
}

TL_EXPORT int Intercept_fprintf(FILE* f, const char* fmt, ...) __asm__("fprintf");
int Intercept_fprintf(FILE* f, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, f, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(f, fmt, ap);
  va_end(ap);
  return Printed(pc, f, room, r);
}

TL_EXPORT int Intercept_printf(const char* fmt, ...) __asm__("printf");
int Intercept_printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, stdout, fmt, ap);
  int r = Next(real_vfprintf, "vfprintf")(stdout, fmt, ap);
  va_end(ap);
  return Printed(pc, stdout, room, r);
}

TL_EXPORT int Intercept___printf_chk(int flag, const char* fmt, ...) __asm__("__printf_chk");
int Intercept___printf_chk(int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, stdout, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(stdout, flag, fmt, ap);
  va_end(ap);
  return Printed(pc, stdout, room, r);
}

TL_EXPORT int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...)
    __asm__("__fprintf_chk");
int Intercept___fprintf_chk(FILE* f, int flag, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, f, fmt, ap);
  int r = Next(real_vfprintf_chk, "__vfprintf_chk")(f, flag, fmt, ap);
  va_end(ap);
  return Printed(pc, f, room, r);
}

// The fortified va_list forms, called for vfprintf and vprintf under _FORTIFY_SOURCE.
TL_EXPORT int Intercept___vfprintf_chk(FILE* f, int flag, const char* fmt, va_list ap)
    __asm__("__vfprintf_chk");
int Intercept___vfprintf_chk(FILE* f, int flag, const char* fmt, va_list ap) {
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, f, fmt, ap);
  return Printed(pc, f, room, Next(real_vfprintf_chk, "__vfprintf_chk")(f, flag, fmt, ap));
}

TL_EXPORT int Intercept___vprintf_chk(int flag, const char* fmt, va_list ap)
    __asm__("__vprintf_chk");
int Intercept___vprintf_chk(int flag, const char* fmt, va_list ap) {
  const uint64_t pc = TL_CALLER_PC;
  const size_t room = Printf(pc, stdout, fmt, ap);
  const int r = Next(real_vfprintf_chk, "__vfprintf_chk")(stdout, flag, fmt, ap);
  return Printed(pc, stdout, room, r);
}

// dprintf writes to a descriptor: a send on it.
namespace {
int (*real_vdprintf)(int, const char*, va_list);

inline void DescriptorPrintf(uint64_t pc, int fd, const char* fmt, va_list ap) {
  Formatting(pc, fmt, ap);
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
