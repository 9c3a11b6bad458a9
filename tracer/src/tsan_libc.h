// Shared machinery of the libc interceptors (tsan_libc_*.cc): forwarding to the next
// definition of a symbol, and the gate that decides whether an intercepted call records the
// user memory it reads or writes as range accesses.
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tsan_thread.h"

// This object's own image, for telling the runtime's own libc calls from the program's.
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));
extern "C" const char etext[] __attribute__((visibility("hidden")));

struct passwd;
struct group;

namespace threadlens::rt::tsan {
// A heap block the program now owns, allocated at `pc` (tsan_annotations.cc).
void OnAlloc(void* p, size_t size, uintptr_t pc);
}  // namespace threadlens::rt::tsan

namespace threadlens::rt::tsan::libc {

// dlsym(RTLD_NEXT, name), or nullptr while this thread is already inside a resolution
// (dlsym may itself call memcpy, strlen...). Out of line; tsan_libc_mem.cc.
TSAN_NOINLINE void* ResolveNext(const char* name);

// The next definition of `name`, resolved on first use. A race between two first uses
// stores the same pointer twice.
template <typename F>
TSAN_ALWAYS_INLINE F Real(F& slot, const char* name) {
  F f = __atomic_load_n(&slot, __ATOMIC_RELAXED);
  if (__builtin_expect(f != nullptr, 1)) return f;
  f = reinterpret_cast<F>(ResolveNext(name));
  if (f) __atomic_store_n(&slot, f, __ATOMIC_RELAXED);
  return f;
}

// The recording context for an intercepted call made from `pc`, or nullptr: no instrumented
// module was loaded (an unmodified program under `threadlens run` pays this one load), the
// call comes from the runtime itself (its own writes of the trace, copies while a flush lock
// is held), or the thread does not record.
TSAN_ALWAYS_INLINE ThreadCtx* Caller(uintptr_t pc) {
  if (__builtin_expect(!InstrumentedFast(), 1)) return nullptr;
  if (pc - reinterpret_cast<uintptr_t>(__ehdr_start) <
      reinterpret_cast<uintptr_t>(etext) - reinterpret_cast<uintptr_t>(__ehdr_start)) {
    return nullptr;
  }
  return Recording();
}

TSAN_ALWAYS_INLINE void Read(const void* p, size_t n, uintptr_t pc) {
  if (p && n) AccessRange(reinterpret_cast<uintptr_t>(p), n, false, pc);
}
TSAN_ALWAYS_INLINE void Write(const void* p, size_t n, uintptr_t pc) {
  if (p && n) AccessRange(reinterpret_cast<uintptr_t>(p), n, true, pc);
}
// The same, gated by Caller, for interceptors written out of the families' macro.
TSAN_ALWAYS_INLINE void CallerRead(const void* p, size_t n, uintptr_t pc) {
  if (p && n && Caller(pc)) Read(p, n, pc);
}
TSAN_ALWAYS_INLINE void CallerWrite(const void* p, size_t n, uintptr_t pc) {
  if (p && n && Caller(pc)) Write(p, n, pc);
}
// A parse of `s` that stopped at `stop` (strtol, strptime): the bytes it consumed and the
// one that stopped it; with nothing consumed (`stop` null or `s`), the first.
TSAN_ALWAYS_INLINE void ReadParsed(const char* s, const char* stop, uintptr_t pc) {
  if (s) Read(s, (stop && stop > s ? static_cast<size_t>(stop - s) : 0) + 1, pc);
}

// What an interceptor returns when the real function cannot be found (never expected:
// none of these is called while dlsym runs).
template <typename T>
T Unresolved() {
  errno = ENOSYS;
  if constexpr (std::is_pointer_v<T>) {
    return nullptr;
  } else if constexpr (std::is_unsigned_v<T>) {
    return 0;
  } else {
    return static_cast<T>(-1);
  }
}

inline size_t Min(size_t a, size_t b) { return a < b ? a : b; }

// A socket address out-parameter: the length in/out, the address clipped to the buffer
// the caller offered (`cap`, the length before the call).
inline void Address(const sockaddr* a, const socklen_t* len, socklen_t cap, uintptr_t pc) {
  if (!a || !len) return;
  Write(len, sizeof *len, pc);
  Write(a, Min(cap, *len), pc);
}
inline socklen_t Cap(const socklen_t* len) { return len ? *len : 0; }

// Resolves the signal-set interceptors' next definitions (tsan_libc_sigset.cc), before any
// signal handler can run.
void ResolveSignalSets();
// The thread attribute getters the runtime calls itself (tsan_libc_sys.cc).
void ResolveThreadAttrs();

// A list libc allocated for its caller (getaddrinfo's, getifaddrs'), freed by `real` through
// free: the frees are made at the caller's call, which named the blocks.
template <typename T>
void FreeAtCaller(void (*&slot)(T*), const char* name, T* list, uintptr_t pc) {
  auto* real = Real(slot, name);
  if (__builtin_expect(!real, 0)) return;
  ::threadlens::rt::PcScope at(pc);
  real(list);
}

// A tokenizer's scan from `begin` that left its position at `next` (null: at the string's
// end, no token found): strtok, strtok_r, strsep (tsan_libc_text.cc).
void Scanned(char* begin, const char* delim, char* next, uintptr_t pc);
// The strings of a user or group entry libc filled (tsan_libc_io.cc, tsan_libc_sys.cc): each
// written, and a group's member list.
void PasswdStrings(const passwd* p, uintptr_t pc);
// stdio streams over descriptors (tsan_libc_stream.cc). A flush or close: a send on the
// stream's descriptor. A write of `n` bytes: a send first when they may not fit in its
// buffer. A printf: StreamPrintfBefore sends when the buffer is nearly full and returns the
// room it had (0: sent), StreamPrintfAfter sends when the `r` bytes written did not fit. A read:
// StreamHeld, the bytes buffered before it; StreamRead, a receive after it when it took more.
// StreamClosing: fclose closes the stream's descriptor too (fdopen's as well).
void StreamSending(FILE* f, uintptr_t pc);
void StreamClosing(FILE* f, uintptr_t pc);
void StreamWriting(FILE* f, size_t n, uintptr_t pc);
size_t StreamPrintfBefore(FILE* f, const char* fmt, uintptr_t pc);
void StreamPrintfAfter(FILE* f, size_t room, int r, uintptr_t pc);
size_t StreamHeld(const FILE* f);
void StreamRead(FILE* f, size_t held, size_t taken, uintptr_t pc);
// exit's flush of stdio, which the C library makes after the trace has ended, made first
// where the trace ends (runtime.cc) so that the streams' own functions (fopencookie's write
// and seek) run traced; the C library then finds nothing left to do.
void StreamsFlushedAtExit(uintptr_t pc);
void GroupStrings(const group* g, uintptr_t pc);

// The next definition for a plain interceptor: `real`, or -1 with ENOSYS when unresolved.
#define TL_REAL(name)                                                 \
  auto* real = ::threadlens::rt::tsan::libc::Real(real_##name, #name); \
  if (TL_UNLIKELY(!real)) {                                           \
    errno = ENOSYS;                                                   \
    return -1;                                                        \
  }

// One interceptor: the exported symbol (an asm label, since <string.h>'s C++ overloads of
// strchr and friends would clash with a plain definition) calls an inline body Do_<name>
// that takes the caller's pc, so other entry points can share it. `pre` runs before the
// real call (e.g. saving an in/out length), `effect` after it, only when the call records,
// with the result in `r`; `unresolved` is returned when the real function is not known yet.
#define TL_WITH_PC(...) (uintptr_t pc, __VA_ARGS__)
#define TL_ARGS(...) __VA_ARGS__
#define THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, unresolved) \
  THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, pre, effect, , unresolved)
// The same with `post`, which runs after the real call whether or not the call records
// (descriptor synchronization also serves programs that are not instrumented).
#define THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, pre, effect, post,     \
                                         unresolved)                                   \
  ret(*real_##name) params = nullptr;                                                \
  TSAN_ALWAYS_INLINE ret Do_##name TL_WITH_PC params {                               \
    auto* real = Real(real_##name, #name);                                           \
    if (__builtin_expect(!real, 0)) return unresolved;                               \
    pre;                                                                             \
    ret r = real args;                                                               \
    if (Caller(pc)) {                                                                \
      effect;                                                                        \
    }                                                                                \
    post;                                                                            \
    return r;                                                                        \
  }                                                                                  \
  TSAN_EXPORT ret Intercept_##name params __asm__(#name);                            \
  ret Intercept_##name params { return Do_##name(TSAN_CALLER_PC, TL_ARGS args); }

// strlen through the real function: the interceptor would only forward (the caller is the
// runtime), but this is cheaper.
size_t RealStrlen(const char* s);

// A string the call reads, terminator included (nothing for a null pointer).
inline void ReadString(const char* s, uintptr_t pc) {
  if (s) Read(s, RealStrlen(s) + 1, pc);
}
// A null-terminated list of strings libc filled (aliases, group members): each string and
// the list itself, its terminator included.
inline void StringList(char* const* list, uintptr_t pc) {
  if (!list) return;
  size_t n = 0;
  for (; list[n]; ++n) Write(list[n], RealStrlen(list[n]) + 1, pc);
  Write(list, (n + 1) * sizeof *list, pc);
}

// A conversion's length modifier (printf and scanf alike): hh h l ll L q j z Z t.
enum class Len { kNone, kHH, kH, kL, kLL, kBigL, kJ, kZ, kT };
// Reads the length modifier at `p`, moving past it (tsan_libc_format.cc).
Len LengthOf(const char*& p);
// The size of the integer a conversion of this length stores through its pointer.
size_t CountSize(Len l);

// A printf-family call from `pc`: its format string and the strings its %s conversions read,
// the integers its %n conversions write (tsan_libc_format.cc). Before the real call: `args`
// is walked on a copy.
void FormatAccesses(const char* fmt, va_list args, uintptr_t pc);

}  // namespace threadlens::rt::tsan::libc
