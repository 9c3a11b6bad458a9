// Interceptors for libc calls that move bytes between the kernel or a FILE and user memory
// (read, recv, sendfile, fread, snprintf...) and for the calls that make descriptors and
// streams (pipe, accept, fopen...); out-parameters are in tsan_libc_out.cc. Each records
// the user bytes it read or wrote as range accesses at the caller's pc; the sprintf family
// also the strings its format reads (tsan_libc_format.cc).
// A FILE itself is not recorded: stdio locks it internally, and POSIX makes concurrent
// stdio calls on one stream safe, as TSan assumes too.
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"
#include "pipe_waits.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// The first `bytes` bytes of an I/O vector were transferred.
void Vector(const iovec* v, size_t count, size_t bytes, bool write, uintptr_t pc) {
  Read(v, count * sizeof *v, pc);
  for (size_t i = 0; i < count && bytes > 0; ++i) {
    size_t n = Min(v[i].iov_len, bytes);
    (write ? Write : Read)(v[i].iov_base, n, pc);
    bytes -= n;
  }
}

// process_vm_readv (`into_local`) or process_vm_writev moved `r` bytes between the local
// vector and the remote one, which is this process's own memory too when `pid` is ours.
void VmCopy(pid_t pid, const iovec* local, size_t lc, const iovec* remote, size_t rc,
            ssize_t r, bool into_local, uintptr_t pc) {
  const size_t bytes = r > 0 ? static_cast<size_t>(r) : 0;
  Vector(local, lc, bytes, into_local, pc);
  if (pid == getpid()) {
    Vector(remote, rc, bytes, !into_local, pc);
  } else {
    Read(remote, rc * sizeof *remote, pc);
  }
}


void Message(const msghdr* m, ssize_t r, bool receive, uintptr_t pc) {
  Read(m, sizeof *m, pc);
  if (r < 0) return;
  Vector(m->msg_iov, m->msg_iovlen, static_cast<size_t>(r), receive, pc);
  (receive ? Write : Read)(m->msg_name, m->msg_namelen, pc);
  (receive ? Write : Read)(m->msg_control, m->msg_controllen, pc);
}
// recvmmsg and sendmmsg: the vector and timeout read; each message moved, and its length
// written, up to the count the call returned.
void Messages(mmsghdr* v, unsigned n, int r, const timespec* t, bool receive, uintptr_t pc) {
  Read(v, n * sizeof *v, pc);
  if (t) Read(t, sizeof *t, pc);
  for (int i = 0; i < r; ++i) {
    Message(&v[i].msg_hdr, v[i].msg_len, receive, pc);
    Write(&v[i].msg_len, sizeof v[i].msg_len, pc);
  }
}

// stdio output inside a signal handler may deadlock on the FILE's lock.
inline void Unsafe(uintptr_t pc) { CheckSignalUnsafe(trace::SignalUnsafeCall::kStdio, pc); }

// getline and getdelim: the line pointer and size they may replace, and the line read.
void LineRead(char** l, size_t* n, ssize_t r, uintptr_t pc) {
  Write(l, sizeof *l, pc);
  Write(n, sizeof *n, pc);
  if (r > 0) Write(*l, static_cast<size_t>(r) + 1, pc);
}

}  // namespace

namespace {

// What sendfile, copy_file_range and splice read and move on.
template <typename T>
void Offset(T* o, uintptr_t pc) {
  if (o) Write(o, sizeof *o, pc);
}

void OpenPaths(const char* path, const char* mode, uintptr_t pc) {
  ReadString(path, pc);
  ReadString(mode, pc);
}

}  // namespace

// The calling thread is in a read or write of the descriptor until the call returns: the
// watchdog's view of a wait on a pipe (pipe_waits.h). A stream's, while stdio reads or writes.
#define TL_FD_IN(fd, pc) ::threadlens::rt::FdCall fd_call_((fd), false, (pc))
#define TL_FD_OUT(fd, pc) ::threadlens::rt::FdCall fd_call_((fd), true, (pc))
#define TL_STREAM_IN(f, pc) TL_FD_IN((f) ? fileno_unlocked(f) : -1, pc)
#define TL_STREAM_OUT(f, pc) TL_FD_OUT((f) ? fileno_unlocked(f) : -1, pc)

// File descriptors: the user buffer of a transfer, as far as it went (`effect`), and the
// descriptor's own synchronization (`pre` and `post`, fd_sync.h): every call reads the
// descriptor, a send releases its channel before the data leaves, a receive that got data
// acquires it.
#define THREADLENS_LIBC_FD(X)                                                                 \
  X(ssize_t, read, (int fd, void* b, size_t n), (fd, b, n),                                  \
    fdsync::Use(fd, pc); TL_FD_IN(fd, pc),                                                    \
    if (r > 0) Write(b, r, pc), fdsync::ReadDone(fd, b, r, pc))                                   \
  X(ssize_t, pread, (int fd, void* b, size_t n, off_t o), (fd, b, n, o), fdsync::Use(fd, pc),     \
    if (r > 0) Write(b, r, pc), if (r > 0) fdsync::Received(fd, pc))                              \
  X(ssize_t, pread64, (int fd, void* b, size_t n, off64_t o), (fd, b, n, o), fdsync::Use(fd, pc), \
    if (r > 0) Write(b, r, pc), if (r > 0) fdsync::Received(fd, pc))                              \
  X(ssize_t, readv, (int fd, const iovec* v, int c), (fd, v, c),                             \
    fdsync::Use(fd, pc); TL_FD_IN(fd, pc),                                                    \
    Vector(v, c, r > 0 ? r : 0, true, pc), if (r > 0) fdsync::Received(fd, pc))                   \
  X(ssize_t, preadv, (int fd, const iovec* v, int c, off_t o), (fd, v, c, o), fdsync::Use(fd, pc), \
    Vector(v, c, r > 0 ? r : 0, true, pc), if (r > 0) fdsync::Received(fd, pc))                   \
  X(ssize_t, preadv64, (int fd, const iovec* v, int c, off64_t o), (fd, v, c, o),            \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc), if (r > 0) fdsync::Received(fd, pc)) \
  X(ssize_t, write, (int fd, const void* b, size_t n), (fd, b, n),                            \
    fdsync::Send(fd, pc); TL_FD_OUT(fd, pc),                                                  \
    if (r > 0) Read(b, r, pc), )                                                              \
  X(ssize_t, pwrite, (int fd, const void* b, size_t n, off_t o), (fd, b, n, o),               \
    fdsync::Send(fd, pc), if (r > 0) Read(b, r, pc), )                                            \
  X(ssize_t, pwrite64, (int fd, const void* b, size_t n, off64_t o), (fd, b, n, o),           \
    fdsync::Send(fd, pc), if (r > 0) Read(b, r, pc), )                                            \
  X(ssize_t, writev, (int fd, const iovec* v, int c), (fd, v, c),                             \
    fdsync::Send(fd, pc); TL_FD_OUT(fd, pc),                                                  \
    Vector(v, c, r > 0 ? r : 0, false, pc), )                                                 \
  X(ssize_t, pwritev, (int fd, const iovec* v, int c, off_t o), (fd, v, c, o),                \
    fdsync::Send(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                               \
  X(ssize_t, pwritev64, (int fd, const iovec* v, int c, off64_t o), (fd, v, c, o),           \
    fdsync::Send(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                             \
  /* The C library's eventfd_read and eventfd_write reach the kernel without read(2). */      \
  X(int, eventfd_read, (int fd, eventfd_t* v), (fd, v), fdsync::Use(fd, pc); TL_FD_IN(fd, pc), \
    if (r == 0) Write(v, sizeof *v, pc), if (r == 0) fdsync::Received(fd, pc))                 \
  X(int, eventfd_write, (int fd, eventfd_t v), (fd, v), fdsync::Send(fd, pc), , )             \
  X(ssize_t, recv, (int fd, void* b, size_t n, int f), (fd, b, n, f),                        \
    fdsync::Use(fd, pc); TL_FD_IN(fd, pc),                                                    \
    if (r > 0) Write(b, r, pc), if (r > 0) fdsync::Received(fd, pc))                              \
  X(ssize_t, recvfrom, (int fd, void* b, size_t n, int f, sockaddr* a, socklen_t* l),         \
    (fd, b, n, f, a, l), socklen_t cap = Cap(l); fdsync::Use(fd, pc); TL_FD_IN(fd, pc),          \
    if (r >= 0) {                                                                            \
      Write(b, r, pc);                                                                        \
      Address(a, l, cap, pc);                                                                 \
    }, if (r > 0) fdsync::Received(fd, pc))                                                       \
  X(ssize_t, recvmsg, (int fd, msghdr* m, int f), (fd, m, f),                                 \
    fdsync::Use(fd, pc); TL_FD_IN(fd, pc),                                                    \
    Message(m, r, true, pc), if (r > 0) fdsync::Received(fd, pc))                                 \
  X(ssize_t, send, (int fd, const void* b, size_t n, int f), (fd, b, n, f),                  \
    fdsync::Send(fd, pc); TL_FD_OUT(fd, pc),                                                  \
    if (r > 0) Read(b, r, pc), )                                                              \
  X(ssize_t, sendto,                                                                          \
    (int fd, const void* b, size_t n, int f, const sockaddr* a, socklen_t l),                 \
    (fd, b, n, f, a, l), fdsync::Send(fd, pc); TL_FD_OUT(fd, pc), if (r >= 0) {                  \
      Read(b, r, pc);                                                                         \
      Read(a, l, pc);                                                                         \
    }, )                                                                                      \
  X(ssize_t, sendmsg, (int fd, const msghdr* m, int f), (fd, m, f),                          \
    fdsync::Send(fd, pc); TL_FD_OUT(fd, pc),                                                  \
    Message(m, r, false, pc), if (r >= 0) RecordingEndsPassed(m))                             \
  X(int, recvmmsg, (int fd, mmsghdr* v, unsigned n, int f, timespec* t), (fd, v, n, f, t),    \
    fdsync::Use(fd, pc), Messages(v, n, r, t, true, pc), if (r > 0) fdsync::Received(fd, pc))    \
  X(int, sendmmsg, (int fd, mmsghdr* v, unsigned n, int f), (fd, v, n, f),                    \
    fdsync::Send(fd, pc), Messages(v, n, r, nullptr, false, pc),                               \
    for (int i = 0; i < r; ++i) RecordingEndsPassed(&v[i].msg_hdr))                           \
  X(ssize_t, preadv2, (int fd, const iovec* v, int c, off_t o, int f), (fd, v, c, o, f),      \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc), if (r > 0) fdsync::Received(fd, pc)) \
  X(ssize_t, pwritev2, (int fd, const iovec* v, int c, off_t o, int f), (fd, v, c, o, f),     \
    fdsync::Send(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                             \
  X(ssize_t, preadv64v2, (int fd, const iovec* v, int c, off64_t o, int f),                 \
    (fd, v, c, o, f), fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc),               \
    if (r > 0) fdsync::Received(fd, pc))                                                          \
  X(ssize_t, pwritev64v2, (int fd, const iovec* v, int c, off64_t o, int f),                \
    (fd, v, c, o, f), fdsync::Send(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )           \
  /* In-kernel copies: what `in` holds is received, then sent on through `out`. */            \
  X(ssize_t, sendfile, (int out, int in, off_t* o, size_t n), (out, in, o, n),                \
    fdsync::Use(in, pc); fdsync::Send(out, pc), Offset(o, pc),                                    \
    if (r > 0) fdsync::Received(in, pc))                                                          \
  X(ssize_t, sendfile64, (int out, int in, off64_t* o, size_t n), (out, in, o, n),            \
    fdsync::Use(in, pc); fdsync::Send(out, pc), Offset(o, pc),                                    \
    if (r > 0) fdsync::Received(in, pc))                                                          \
  X(ssize_t, copy_file_range, (int in, off64_t* oi, int out, off64_t* oo, size_t n, unsigned f), \
    (in, oi, out, oo, n, f), fdsync::Use(in, pc); fdsync::Send(out, pc),                          \
    { Offset(oi, pc); Offset(oo, pc); }, if (r > 0) fdsync::Received(in, pc))                     \
  X(ssize_t, splice, (int in, off64_t* oi, int out, off64_t* oo, size_t n, unsigned f),        \
    (in, oi, out, oo, n, f), fdsync::Use(in, pc); fdsync::Send(out, pc),                          \
    { Offset(oi, pc); Offset(oo, pc); }, if (r > 0) fdsync::Received(in, pc))                     \
  X(ssize_t, tee, (int in, int out, size_t n, unsigned f), (in, out, n, f),                   \
    fdsync::Use(in, pc); fdsync::Send(out, pc), , if (r > 0) fdsync::Received(in, pc))            \
  /* Streams the C library opens over descriptors it opened itself. */                        \
  X(FILE*, popen, (const char* c, const char* m), (c, m), , OpenPaths(c, m, pc),              \
    if (r) fdsync::Forget(fileno_unlocked(r)))                                                 \
  X(ssize_t, process_vm_readv,                                                                \
    (pid_t p, const iovec* l, unsigned long lc, const iovec* rv, unsigned long rc,             \
     unsigned long f),                                                                         \
    (p, l, lc, rv, rc, f), , VmCopy(p, l, lc, rv, rc, r, true, pc), )                          \
  X(ssize_t, process_vm_writev,                                                               \
    (pid_t p, const iovec* l, unsigned long lc, const iovec* rv, unsigned long rc,             \
     unsigned long f),                                                                         \
    (p, l, lc, rv, rc, f), , VmCopy(p, l, lc, rv, rc, r, false, pc), )                         \
  X(int, accept, (int fd, sockaddr* a, socklen_t* l), (fd, a, l),                             \
    socklen_t cap = Cap(l); fdsync::Use(fd, pc), if (r >= 0) Address(a, l, cap, pc),              \
    if (r >= 0) {                                                                            \
      fdsync::Accepted(fd, pc);                                                              \
      fdsync::Created(r, 0, pc);                                                             \
      RecordingStreamConnected(r);                                                           \
    })                                                                                       \
  X(int, accept4, (int fd, sockaddr* a, socklen_t* l, int f), (fd, a, l, f),                  \
    socklen_t cap = Cap(l); fdsync::Use(fd, pc), if (r >= 0) Address(a, l, cap, pc),              \
    if (r >= 0) {                                                                            \
      fdsync::Accepted(fd, pc);                                                              \
      fdsync::Created(r, 0, pc);                                                             \
      RecordingStreamConnected(r);                                                           \
    })                                                                                       \
  X(int, pipe, (int* fds), (fds), , if (r == 0) Write(fds, 2 * sizeof *fds, pc),              \
    if (r == 0) { fdsync::CreatedPair(fds, 0, pc); RecordingPipeMade(fds); })                     \
  X(int, pipe2, (int* fds, int f), (fds, f), , if (r == 0) Write(fds, 2 * sizeof *fds, pc),   \
    if (r == 0) { fdsync::CreatedPair(fds, 0, pc); RecordingPipeMade(fds); })                     \
  X(int, socketpair, (int d, int t, int p, int* sv), (d, t, p, sv), ,                         \
    if (r == 0) Write(sv, 2 * sizeof *sv, pc), if (r == 0) {                                 \
      fdsync::CreatedPair(sv, fdsync::NewChannel(), pc);                                     \
      RecordingSocketPairMade(sv);                                                           \
    })

// stdio: the user's buffers. printf/fprintf and friends are not intercepted: they only
// read their arguments and write a FILE, which stdio locks.
#define THREADLENS_LIBC_STDIO(X)                                                           \
  X(size_t, fread, (void* p, size_t s, size_t n, FILE* f), (p, s, n, f),                  \
    size_t held = StreamHeld(f); TL_STREAM_IN(f, pc), {                                    \
      Write(p, r * s, pc);                                                                 \
      StreamRead(f, held, r * s, pc);                                                      \
    })                                                                                     \
  X(size_t, fread_unlocked, (void* p, size_t s, size_t n, FILE* f), (p, s, n, f),         \
    size_t held = StreamHeld(f), {                                                         \
      Write(p, r * s, pc);                                                                 \
      StreamRead(f, held, r * s, pc);                                                      \
    })                                                                                     \
  X(size_t, fwrite, (const void* p, size_t s, size_t n, FILE* f), (p, s, n, f),            \
    Unsafe(pc); StreamWriting(f, s * n, pc); TL_STREAM_OUT(f, pc), Read(p, r * s, pc))     \
  X(size_t, fwrite_unlocked, (const void* p, size_t s, size_t n, FILE* f), (p, s, n, f),   \
    StreamWriting(f, s * n, pc), Read(p, r * s, pc))                                       \
  X(char*, fgets, (char* s, int n, FILE* f), (s, n, f),                                    \
    size_t held = StreamHeld(f); TL_STREAM_IN(f, pc),                                      \
    if (r) {                                                                               \
      const size_t got = RealStrlen(s);                                                    \
      Write(s, got + 1, pc);                                                               \
      StreamRead(f, held, got, pc);                                                        \
    })                                                                                     \
  X(int, fputs, (const char* s, FILE* f), (s, f),                                          \
    Unsafe(pc); const size_t len = s ? RealStrlen(s) : 0; StreamWriting(f, len, pc);       \
    TL_STREAM_OUT(f, pc),                                                                  \
    if (r >= 0 && s) Read(s, len + 1, pc))                                                 \
  X(int, puts, (const char* s), (s),                                                       \
    Unsafe(pc); const size_t len = s ? RealStrlen(s) : 0; StreamWriting(stdout, len + 1, pc), \
    if (r >= 0 && s) Read(s, len + 1, pc))                                                 \
  X(int, fflush, (FILE * f), (f), StreamSending(f, pc); TL_STREAM_OUT(f, pc), )            \
  X(int, fclose, (FILE * f), (f), StreamSending(f, pc); StreamClosing(f, pc), )            \
  X(ssize_t, getdelim, (char** l, size_t* n, int d, FILE* f), (l, n, d, f),                 \
    size_t held = StreamHeld(f); ::threadlens::rt::PcScope at(pc);                          \
    TL_STREAM_IN(f, pc), LineRead(l, n, r, pc);                                            \
    if (r > 0) StreamRead(f, held, static_cast<size_t>(r), pc))                            \
  /* what getline becomes with optimization (glibc's inline getline in bits/stdio.h) */    \
  X(ssize_t, __getdelim, (char** l, size_t* n, int d, FILE* f), (l, n, d, f),               \
    size_t held = StreamHeld(f); ::threadlens::rt::PcScope at(pc);                          \
    TL_STREAM_IN(f, pc), LineRead(l, n, r, pc);                                            \
    if (r > 0) StreamRead(f, held, static_cast<size_t>(r), pc))                            \
  X(ssize_t, getline, (char** l, size_t* n, FILE* f), (l, n, f),                            \
    size_t held = StreamHeld(f); ::threadlens::rt::PcScope at(pc);                          \
    TL_STREAM_IN(f, pc), LineRead(l, n, r, pc);                                            \
    if (r > 0) StreamRead(f, held, static_cast<size_t>(r), pc))                            \
  X(int, vsnprintf, (char* b, size_t n, const char* f, va_list a), (b, n, f, a),           \
    FormatAccesses(f, a, pc), if (r >= 0) Write(b, Min(n, static_cast<size_t>(r) + 1), pc)) \
  X(int, vsprintf, (char* b, const char* f, va_list a), (b, f, a), FormatAccesses(f, a, pc), \
    if (r >= 0) Write(b, static_cast<size_t>(r) + 1, pc))                                   \
  X(int, vasprintf, (char** b, const char* f, va_list a), (b, f, a),                         \
    ::threadlens::rt::PcScope at(pc); FormatAccesses(f, a, pc), if (r >= 0) {                \
      Write(b, sizeof *b, pc);                                                               \
      Write(*b, static_cast<size_t>(r) + 1, pc);                                             \
    })

#define THREADLENS_DEFINE_FD(ret, name, params, args, pre, effect, post) \
  THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, pre, effect, post, Unresolved<ret>())
THREADLENS_LIBC_FD(THREADLENS_DEFINE_FD)
#undef THREADLENS_DEFINE_FD

// tmpfile takes no argument, which the list's macros cannot spell.
FILE* (*real_tmpfile)() = nullptr;
FILE* (*real_tmpfile64)() = nullptr;
TSAN_EXPORT FILE* Intercept_tmpfile() __asm__("tmpfile");
FILE* Intercept_tmpfile() {
  auto* real = Real(real_tmpfile, "tmpfile");
  FILE* f = real ? real() : nullptr;
  if (f) fdsync::Forget(fileno_unlocked(f));
  return f;
}
TSAN_EXPORT FILE* Intercept_tmpfile64() __asm__("tmpfile64");
FILE* Intercept_tmpfile64() {
  auto* real = Real(real_tmpfile64, "tmpfile64");
  FILE* f = real ? real() : nullptr;
  if (f) fdsync::Forget(fileno_unlocked(f));
  return f;
}
#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_STDIO(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// _FORTIFY_SOURCE: the checked forms the compiler calls when it knows the buffer's size but
// not the length (`bl`: the buffer's size, which the real function checks). The same bytes
// and descriptor synchronization as the plain forms.
THREADLENS_LIBC_INTERCEPTOR_POST(ssize_t, __read_chk, (int fd, void* b, size_t n, size_t bl),
                                 (fd, b, n, bl), fdsync::Use(fd, pc); TL_FD_IN(fd, pc),
                                 if (r > 0) Write(b, r, pc),
                                 if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR(ssize_t, __pread_chk, (int fd, void* b, size_t n, off_t o, size_t bl),
                            (fd, b, n, o, bl), fdsync::Use(fd, pc), if (r > 0) Write(b, r, pc),
                            Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR_POST(ssize_t, __recv_chk,
                                 (int fd, void* b, size_t n, size_t bl, int f), (fd, b, n, bl, f),
                                 fdsync::Use(fd, pc); TL_FD_IN(fd, pc),
                                 if (r > 0) Write(b, r, pc),
                                 if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR_POST(
    ssize_t, __recvfrom_chk,
    (int fd, void* b, size_t n, size_t bl, int f, sockaddr* a, socklen_t* l),
    (fd, b, n, bl, f, a, l), socklen_t cap = Cap(l); fdsync::Use(fd, pc); TL_FD_IN(fd, pc),
    if (r >= 0) {
      Write(b, r, pc);
      Address(a, l, cap, pc);
    },
    if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR(char*, __fgets_chk, (char* s, size_t bl, int n, FILE* f),
                            (s, bl, n, f), size_t held = StreamHeld(f);
                            TL_STREAM_IN(f, pc), if (r) {
                              const size_t got = RealStrlen(s);
                              Write(s, got + 1, pc);
                              StreamRead(f, held, got, pc);
                            },
                            Unresolved<char*>())
THREADLENS_LIBC_INTERCEPTOR(size_t, __fread_chk, (void* p, size_t bl, size_t s, size_t n, FILE* f),
                            (p, bl, s, n, f), size_t held = StreamHeld(f); TL_STREAM_IN(f, pc), {
                              Write(p, r * s, pc);
                              StreamRead(f, held, r * s, pc);
                            },
                            Unresolved<size_t>())
THREADLENS_LIBC_INTERCEPTOR(int, __vsnprintf_chk,
                            (char* b, size_t n, int fl, size_t bl, const char* f, va_list a),
                            (b, n, fl, bl, f, a), FormatAccesses(f, a, pc),
                            if (r >= 0) Write(b, Min(n, static_cast<size_t>(r) + 1), pc),
                            Unresolved<int>())
THREADLENS_LIBC_INTERCEPTOR(int, __vsprintf_chk,
                            (char* b, int fl, size_t bl, const char* f, va_list a),
                            (b, fl, bl, f, a), FormatAccesses(f, a, pc),
                            if (r >= 0) Write(b, static_cast<size_t>(r) + 1, pc),
                            Unresolved<int>())

TSAN_EXPORT int Intercept___snprintf_chk(char* b, size_t n, int fl, size_t bl, const char* f,
                                         ...) __asm__("__snprintf_chk");
int Intercept___snprintf_chk(char* b, size_t n, int fl, size_t bl, const char* f, ...) {
  va_list a;
  va_start(a, f);
  int r = Do___vsnprintf_chk(TSAN_CALLER_PC, b, n, fl, bl, f, a);
  va_end(a);
  return r;
}
TSAN_EXPORT int Intercept___sprintf_chk(char* b, int fl, size_t bl, const char* f, ...)
    __asm__("__sprintf_chk");
int Intercept___sprintf_chk(char* b, int fl, size_t bl, const char* f, ...) {
  va_list a;
  va_start(a, f);
  int r = Do___vsprintf_chk(TSAN_CALLER_PC, b, fl, bl, f, a);
  va_end(a);
  return r;
}

// The variadic members of the printf family forward to their va_list forms.
TSAN_EXPORT int Intercept_snprintf(char* b, size_t n, const char* f, ...) __asm__("snprintf");
int Intercept_snprintf(char* b, size_t n, const char* f, ...) {
  va_list a;
  va_start(a, f);
  int r = Do_vsnprintf(TSAN_CALLER_PC, b, n, f, a);
  va_end(a);
  return r;
}
TSAN_EXPORT int Intercept_asprintf(char** b, const char* f, ...) __asm__("asprintf");
int Intercept_asprintf(char** b, const char* f, ...) {
  va_list a;
  va_start(a, f);
  int r = Do_vasprintf(TSAN_CALLER_PC, b, f, a);
  va_end(a);
  return r;
}
TSAN_EXPORT int Intercept_sprintf(char* b, const char* f, ...) __asm__("sprintf");
int Intercept_sprintf(char* b, const char* f, ...) {
  va_list a;
  va_start(a, f);
  int r = Do_vsprintf(TSAN_CALLER_PC, b, f, a);
  va_end(a);
  return r;
}

}  // namespace threadlens::rt::tsan::libc
