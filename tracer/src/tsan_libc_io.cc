// Interceptors for libc calls that move bytes between the kernel or a FILE and user memory
// (read, recv, fread, snprintf...) and for calls that fill out-parameters (getsockname,
// stat, pipe...). Each records the user bytes it read or wrote as range accesses at the
// caller's pc; the sprintf family also the strings its format reads (tsan_libc_format.cc).
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

// A socket address out-parameter: the length in/out, the address clipped to the buffer
// the caller offered (`cap`, the length before the call).
void Address(const sockaddr* a, const socklen_t* len, socklen_t cap, uintptr_t pc) {
  if (!a || !len) return;
  Write(len, sizeof *len, pc);
  Write(a, Min(cap, *len), pc);
}

inline socklen_t Cap(const socklen_t* len) { return len ? *len : 0; }

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

// readlink and readlinkat: the path, and the `r` bytes of the link (no terminator).
void LinkRead(const char* p, char* b, ssize_t r, uintptr_t pc) {
  if (r < 0) return;
  ReadString(p, pc);
  Write(b, static_cast<size_t>(r), pc);
}

// asctime_r and ctime_r: the time they format, and the text they write.
template <typename T>
void TimeText(const T* t, char* b, uintptr_t pc) {
  Read(t, sizeof *t, pc);
  Write(b, RealStrlen(b) + 1, pc);
}

// getpwuid_r and getpwnam_r: the result pointer, and on success the entry and its strings
// (in the caller's buffer).
void Passwd(passwd* p, passwd** out, int r, uintptr_t pc) {
  Write(out, sizeof *out, pc);
  if (r != 0 || !out || !*out) return;
  Write(p, sizeof *p, pc);
  PasswdStrings(p, pc);
}

}  // namespace

void PasswdStrings(const passwd* p, uintptr_t pc) {
  for (const char* s : {p->pw_name, p->pw_passwd, p->pw_gecos, p->pw_dir, p->pw_shell}) {
    if (s) Write(s, RealStrlen(s) + 1, pc);
  }
}

// A stream over a pipe or socket: data leaves at a flush, which libc makes with a write of
// its own, so every write call and flush on the stream counts as a send (a release before
// data may leave), and a read call that got data as a receive.
void StreamSending(FILE* f, uintptr_t pc) {
  if (f) fdsync::Send(fileno_unlocked(f), pc);
}
void StreamReceived(FILE* f, uintptr_t pc) { fdsync::Received(fileno_unlocked(f), pc); }

// File descriptors: the user buffer of a transfer, as far as it went (`effect`), and the
// descriptor's own synchronization (`pre` and `post`, fd_sync.h): every call reads the
// descriptor, a send releases its channel before the data leaves, a receive that got data
// acquires it.
#define THREADLENS_LIBC_FD(X)                                                                 \
  X(ssize_t, read, (int fd, void* b, size_t n), (fd, b, n), fdsync::Use(fd, pc),                  \
    if (r > 0) Write(b, r, pc), fdsync::ReadDone(fd, b, r, pc))                                   \
  X(ssize_t, pread, (int fd, void* b, size_t n, off_t o), (fd, b, n, o), fdsync::Use(fd, pc),     \
    if (r > 0) Write(b, r, pc), )                                                             \
  X(ssize_t, pread64, (int fd, void* b, size_t n, off64_t o), (fd, b, n, o), fdsync::Use(fd, pc), \
    if (r > 0) Write(b, r, pc), )                                                             \
  X(ssize_t, readv, (int fd, const iovec* v, int c), (fd, v, c), fdsync::Use(fd, pc),             \
    Vector(v, c, r > 0 ? r : 0, true, pc), if (r > 0) fdsync::Received(fd, pc))                   \
  X(ssize_t, preadv, (int fd, const iovec* v, int c, off_t o), (fd, v, c, o), fdsync::Use(fd, pc), \
    Vector(v, c, r > 0 ? r : 0, true, pc), )                                                  \
  X(ssize_t, preadv64, (int fd, const iovec* v, int c, off64_t o), (fd, v, c, o),            \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc), )                               \
  X(ssize_t, write, (int fd, const void* b, size_t n), (fd, b, n), fdsync::Send(fd, pc),          \
    if (r > 0) Read(b, r, pc), )                                                              \
  X(ssize_t, pwrite, (int fd, const void* b, size_t n, off_t o), (fd, b, n, o),               \
    fdsync::Use(fd, pc), if (r > 0) Read(b, r, pc), )                                             \
  X(ssize_t, pwrite64, (int fd, const void* b, size_t n, off64_t o), (fd, b, n, o),           \
    fdsync::Use(fd, pc), if (r > 0) Read(b, r, pc), )                                             \
  X(ssize_t, writev, (int fd, const iovec* v, int c), (fd, v, c), fdsync::Send(fd, pc),           \
    Vector(v, c, r > 0 ? r : 0, false, pc), )                                                 \
  X(ssize_t, pwritev, (int fd, const iovec* v, int c, off_t o), (fd, v, c, o),                \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                                \
  X(ssize_t, pwritev64, (int fd, const iovec* v, int c, off64_t o), (fd, v, c, o),           \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                              \
  /* The C library's eventfd_read and eventfd_write reach the kernel without read(2). */      \
  X(int, eventfd_read, (int fd, eventfd_t* v), (fd, v), fdsync::Use(fd, pc),                  \
    if (r == 0) Write(v, sizeof *v, pc), if (r == 0) fdsync::Received(fd, pc))                 \
  X(int, eventfd_write, (int fd, eventfd_t v), (fd, v), fdsync::Send(fd, pc), , )             \
  X(ssize_t, recv, (int fd, void* b, size_t n, int f), (fd, b, n, f), fdsync::Use(fd, pc),        \
    if (r > 0) Write(b, r, pc), if (r > 0) fdsync::Received(fd, pc))                              \
  X(ssize_t, recvfrom, (int fd, void* b, size_t n, int f, sockaddr* a, socklen_t* l),         \
    (fd, b, n, f, a, l), socklen_t cap = Cap(l); fdsync::Use(fd, pc), if (r >= 0) {               \
      Write(b, r, pc);                                                                        \
      Address(a, l, cap, pc);                                                                 \
    }, if (r > 0) fdsync::Received(fd, pc))                                                       \
  X(ssize_t, recvmsg, (int fd, msghdr* m, int f), (fd, m, f), fdsync::Use(fd, pc),                \
    Message(m, r, true, pc), if (r > 0) fdsync::Received(fd, pc))                                 \
  X(ssize_t, send, (int fd, const void* b, size_t n, int f), (fd, b, n, f), fdsync::Send(fd, pc), \
    if (r > 0) Read(b, r, pc), )                                                              \
  X(ssize_t, sendto,                                                                          \
    (int fd, const void* b, size_t n, int f, const sockaddr* a, socklen_t l),                 \
    (fd, b, n, f, a, l), fdsync::Send(fd, pc), if (r >= 0) {                                      \
      Read(b, r, pc);                                                                         \
      Read(a, l, pc);                                                                         \
    }, )                                                                                      \
  X(ssize_t, sendmsg, (int fd, const msghdr* m, int f), (fd, m, f), fdsync::Send(fd, pc),         \
    Message(m, r, false, pc), )                                                               \
  X(int, recvmmsg, (int fd, mmsghdr* v, unsigned n, int f, timespec* t), (fd, v, n, f, t),    \
    fdsync::Use(fd, pc), Messages(v, n, r, t, true, pc), if (r > 0) fdsync::Received(fd, pc))    \
  X(int, sendmmsg, (int fd, mmsghdr* v, unsigned n, int f), (fd, v, n, f),                    \
    fdsync::Send(fd, pc), Messages(v, n, r, nullptr, false, pc), )                             \
  X(ssize_t, preadv2, (int fd, const iovec* v, int c, off_t o, int f), (fd, v, c, o, f),      \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc), )                               \
  X(ssize_t, pwritev2, (int fd, const iovec* v, int c, off_t o, int f), (fd, v, c, o, f),     \
    fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )                              \
  X(ssize_t, preadv64v2, (int fd, const iovec* v, int c, off64_t o, int f),                 \
    (fd, v, c, o, f), fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, true, pc), )             \
  X(ssize_t, pwritev64v2, (int fd, const iovec* v, int c, off64_t o, int f),                \
    (fd, v, c, o, f), fdsync::Use(fd, pc), Vector(v, c, r > 0 ? r : 0, false, pc), )            \
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
    if (r >= 0) { fdsync::Accepted(fd, pc); fdsync::Created(r, 0, pc); })                         \
  X(int, accept4, (int fd, sockaddr* a, socklen_t* l, int f), (fd, a, l, f),                  \
    socklen_t cap = Cap(l); fdsync::Use(fd, pc), if (r >= 0) Address(a, l, cap, pc),              \
    if (r >= 0) { fdsync::Accepted(fd, pc); fdsync::Created(r, 0, pc); })                         \
  X(int, pipe, (int* fds), (fds), , if (r == 0) Write(fds, 2 * sizeof *fds, pc),              \
    if (r == 0) fdsync::CreatedPair(fds, 0, pc))                                                  \
  X(int, pipe2, (int* fds, int f), (fds, f), , if (r == 0) Write(fds, 2 * sizeof *fds, pc),   \
    if (r == 0) fdsync::CreatedPair(fds, 0, pc))                                                  \
  X(int, socketpair, (int d, int t, int p, int* sv), (d, t, p, sv), ,                         \
    if (r == 0) Write(sv, 2 * sizeof *sv, pc), if (r == 0) fdsync::CreatedPair(sv, fdsync::NewChannel(), pc))

// stdio: the user's buffers. printf/fprintf and friends are not intercepted: they only
// read their arguments and write a FILE, which stdio locks.
#define THREADLENS_LIBC_STDIO(X)                                                           \
  X(size_t, fread, (void* p, size_t s, size_t n, FILE* f), (p, s, n, f), , {               \
    Write(p, r * s, pc);                                                                   \
    if (r) StreamReceived(f, pc);                                                          \
  })                                                                                       \
  X(size_t, fread_unlocked, (void* p, size_t s, size_t n, FILE* f), (p, s, n, f), , {      \
    Write(p, r * s, pc);                                                                   \
    if (r) StreamReceived(f, pc);                                                          \
  })                                                                                       \
  X(size_t, fwrite, (const void* p, size_t s, size_t n, FILE* f), (p, s, n, f),            \
    Unsafe(pc); StreamSending(f, pc), Read(p, r * s, pc))                                  \
  X(size_t, fwrite_unlocked, (const void* p, size_t s, size_t n, FILE* f), (p, s, n, f),   \
    StreamSending(f, pc), Read(p, r * s, pc))                                              \
  X(char*, fgets, (char* s, int n, FILE* f), (s, n, f), , if (r) {                        \
    Write(s, RealStrlen(s) + 1, pc);                                                       \
    StreamReceived(f, pc);                                                                 \
  })                                                                                       \
  X(int, fputs, (const char* s, FILE* f), (s, f), Unsafe(pc); StreamSending(f, pc),        \
    if (r >= 0) ReadString(s, pc))                                                         \
  X(int, puts, (const char* s), (s), Unsafe(pc), if (r >= 0) ReadString(s, pc))                  \
  X(int, fflush, (FILE * f), (f), StreamSending(f, pc), )                                  \
  X(int, fclose, (FILE * f), (f), StreamSending(f, pc), )                                  \
  X(ssize_t, getdelim, (char** l, size_t* n, int d, FILE* f), (l, n, d, f),                 \
    ::threadlens::rt::PcScope at(pc), LineRead(l, n, r, pc);                              \
    if (r > 0) StreamReceived(f, pc))                                                      \
  /* what getline becomes with optimization (glibc's inline getline in bits/stdio.h) */    \
  X(ssize_t, __getdelim, (char** l, size_t* n, int d, FILE* f), (l, n, d, f),               \
    ::threadlens::rt::PcScope at(pc), LineRead(l, n, r, pc);                              \
    if (r > 0) StreamReceived(f, pc))                                                      \
  X(ssize_t, getline, (char** l, size_t* n, FILE* f), (l, n, f),                            \
    ::threadlens::rt::PcScope at(pc), LineRead(l, n, r, pc);                              \
    if (r > 0) StreamReceived(f, pc))                                                      \
  X(int, vsnprintf, (char* b, size_t n, const char* f, va_list a), (b, n, f, a),           \
    FormatAccesses(f, a, pc), if (r >= 0) Write(b, Min(n, static_cast<size_t>(r) + 1), pc)) \
  X(int, vsprintf, (char* b, const char* f, va_list a), (b, f, a), FormatAccesses(f, a, pc), \
    if (r >= 0) Write(b, static_cast<size_t>(r) + 1, pc))                                   \
  X(int, vasprintf, (char** b, const char* f, va_list a), (b, f, a),                         \
    ::threadlens::rt::PcScope at(pc); FormatAccesses(f, a, pc), if (r >= 0) {                \
      Write(b, sizeof *b, pc);                                                               \
      Write(*b, static_cast<size_t>(r) + 1, pc);                                             \
    })

// Out-parameters filled by the call (and the paths it reads).
#define THREADLENS_LIBC_OUT(X)                                                                \
  X(int, getsockname, (int fd, sockaddr* a, socklen_t* l), (fd, a, l), socklen_t cap = Cap(l), \
    if (r == 0) Address(a, l, cap, pc))                                                       \
  X(int, getpeername, (int fd, sockaddr* a, socklen_t* l), (fd, a, l), socklen_t cap = Cap(l), \
    if (r == 0) Address(a, l, cap, pc))                                                       \
  X(int, getsockopt, (int fd, int lv, int o, void* v, socklen_t* l), (fd, lv, o, v, l),       \
    socklen_t cap = Cap(l), if (r == 0) {                                                     \
      Write(l, sizeof *l, pc);                                                                \
      Write(v, Min(cap, *l), pc);                                                             \
    })                                                                                        \
  X(int, stat, (const char* p, struct stat* s), (p, s), , if (r == 0) {                       \
    ReadString(p, pc);                                                                              \
    Write(s, sizeof *s, pc);                                                                  \
  })                                                                                          \
  X(int, lstat, (const char* p, struct stat* s), (p, s), , if (r == 0) {                      \
    ReadString(p, pc);                                                                              \
    Write(s, sizeof *s, pc);                                                                  \
  })                                                                                          \
  X(int, fstat, (int fd, struct stat* s), (fd, s), , if (r == 0) Write(s, sizeof *s, pc))     \
  X(int, fstatat, (int d, const char* p, struct stat* s, int f), (d, p, s, f), , if (r == 0) { \
    ReadString(p, pc);                                                                              \
    Write(s, sizeof *s, pc);                                                                  \
  })                                                                                          \
  X(int, stat64, (const char* p, struct stat64* s), (p, s), , if (r == 0) {                   \
    ReadString(p, pc);                                                                              \
    Write(s, sizeof *s, pc);                                                                  \
  })                                                                                          \
  X(int, lstat64, (const char* p, struct stat64* s), (p, s), , if (r == 0) {                  \
    ReadString(p, pc);                                                                              \
    Write(s, sizeof *s, pc);                                                                  \
  })                                                                                          \
  X(int, fstat64, (int fd, struct stat64* s), (fd, s), , if (r == 0) Write(s, sizeof *s, pc)) \
  X(char*, getcwd, (char* b, size_t n), (b, n), ::threadlens::rt::PcScope at(pc),          \
    if (r) Write(r, RealStrlen(r) + 1, pc))                                                   \
  X(ssize_t, readlink, (const char* p, char* b, size_t n), (p, b, n), , LinkRead(p, b, r, pc)) \
  X(ssize_t, readlinkat, (int d, const char* p, char* b, size_t n), (d, p, b, n), ,           \
    LinkRead(p, b, r, pc))                                                                    \
  X(time_t, time, (time_t* t), (t), , if (t && r != static_cast<time_t>(-1)) {               \
    Write(t, sizeof *t, pc);                                                                  \
  })                                                                                          \
  X(const char*, inet_ntop, (int af, const void* s, char* d, socklen_t n), (af, s, d, n), ,   \
    if (r) {                                                                                  \
      Read(s, af == AF_INET6 ? 16 : 4, pc);                                                   \
      Write(d, RealStrlen(d) + 1, pc);                                                        \
    })                                                                                        \
  X(int, inet_pton, (int af, const char* s, void* d), (af, s, d), , {                         \
    ReadString(s, pc);                                                                        \
    if (r == 1) Write(d, af == AF_INET6 ? 16 : 4, pc);                                        \
  })                                                                                          \
  X(int, uname, (utsname* u), (u), , if (r == 0) Write(u, sizeof *u, pc))                     \
  X(int, getrusage, (int who, rusage* u), (who, u), , if (r == 0) Write(u, sizeof *u, pc))    \
  X(int, getrlimit, (__rlimit_resource_t res, rlimit* l), (res, l), ,                         \
    if (r == 0) Write(l, sizeof *l, pc))                                                      \
  X(int, getpwuid_r, (uid_t u, passwd* p, char* b, size_t n, passwd** out), (u, p, b, n, out), \
    , Passwd(p, out, r, pc))                                                                  \
  X(int, getpwnam_r, (const char* name, passwd* p, char* b, size_t n, passwd** out),          \
    (name, p, b, n, out), ReadString(name, pc), Passwd(p, out, r, pc))                        \
  X(int, clock_getres, (clockid_t c, timespec* t), (c, t), ,                                  \
    if (r == 0 && t) Write(t, sizeof *t, pc))                                                 \
  X(int, sched_getaffinity, (pid_t p, size_t n, cpu_set_t* s), (p, n, s), ,                   \
    if (r == 0) Write(s, n, pc))                                                              \
  X(int, getgroups, (int n, gid_t* l), (n, l), ,                                              \
    if (r > 0 && n > 0) Write(l, r * sizeof *l, pc))                                          \
  X(int, pthread_getname_np, (pthread_t t, char* b, size_t n), (t, b, n), ,                   \
    if (r == 0) Write(b, RealStrlen(b) + 1, pc))                                              \
  X(char*, realpath, (const char* p, char* b), (p, b), ::threadlens::rt::PcScope at(pc),      \
    if (r) {                                                                                  \
      ReadString(p, pc);                                                                      \
      Write(r, RealStrlen(r) + 1, pc);                                                        \
    })                                                                                        \
  X(time_t, mktime, (tm* t), (t), , {                                                         \
    Read(t, sizeof *t, pc);                                                                   \
    Write(t, sizeof *t, pc);                                                                  \
  })                                                                                          \
  X(char*, asctime_r, (const tm* t, char* b), (t, b), , if (r) TimeText(t, b, pc))         \
  X(char*, ctime_r, (const time_t* t, char* b), (t, b), , if (r) TimeText(t, b, pc))        \
  X(size_t, strftime, (char* b, size_t n, const char* f, const tm* t), (b, n, f, t), , {      \
    ReadString(f, pc);                                                                        \
    Read(t, sizeof *t, pc);                                                                   \
    if (r > 0) Write(b, r + 1, pc);                                                           \
  })                                                                                          \
  X(char*, strptime, (const char* s, const char* f, tm* t), (s, f, t), , {                    \
    ReadString(f, pc);                                                                        \
    ReadParsed(s, r, pc);                                                                     \
    if (r) Write(t, sizeof *t, pc);                                                           \
  })                                                                                          \
  X(int, clock_gettime, (clockid_t c, timespec* t), (c, t), ,                                 \
    if (r == 0) Write(t, sizeof *t, pc))                                                      \
  X(int, gettimeofday, (timeval* t, void* z), (t, z), , if (r == 0) Write(t, sizeof *t, pc))  \
  X(tm*, localtime_r, (const time_t* t, tm* out), (t, out), , if (r) {                        \
    Read(t, sizeof *t, pc);                                                                   \
    Write(out, sizeof *out, pc);                                                              \
  })                                                                                          \
  X(tm*, gmtime_r, (const time_t* t, tm* out), (t, out), , if (r) {                           \
    Read(t, sizeof *t, pc);                                                                   \
    Write(out, sizeof *out, pc);                                                              \
  })

#define THREADLENS_DEFINE_FD(ret, name, params, args, pre, effect, post) \
  THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, pre, effect, post, Unresolved<ret>())
THREADLENS_LIBC_FD(THREADLENS_DEFINE_FD)
#undef THREADLENS_DEFINE_FD
#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_STDIO(THREADLENS_DEFINE)
THREADLENS_LIBC_OUT(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// _FORTIFY_SOURCE: the checked forms the compiler calls when it knows the buffer's size but
// not the length (`bl`: the buffer's size, which the real function checks). The same bytes
// and descriptor synchronization as the plain forms.
THREADLENS_LIBC_INTERCEPTOR_POST(ssize_t, __read_chk, (int fd, void* b, size_t n, size_t bl),
                                 (fd, b, n, bl), fdsync::Use(fd, pc), if (r > 0) Write(b, r, pc),
                                 if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR(ssize_t, __pread_chk, (int fd, void* b, size_t n, off_t o, size_t bl),
                            (fd, b, n, o, bl), fdsync::Use(fd, pc), if (r > 0) Write(b, r, pc),
                            Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR_POST(ssize_t, __recv_chk,
                                 (int fd, void* b, size_t n, size_t bl, int f), (fd, b, n, bl, f),
                                 fdsync::Use(fd, pc), if (r > 0) Write(b, r, pc),
                                 if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR_POST(
    ssize_t, __recvfrom_chk,
    (int fd, void* b, size_t n, size_t bl, int f, sockaddr* a, socklen_t* l),
    (fd, b, n, bl, f, a, l), socklen_t cap = Cap(l); fdsync::Use(fd, pc), if (r >= 0) {
      Write(b, r, pc);
      Address(a, l, cap, pc);
    },
    if (r > 0) fdsync::Received(fd, pc), Unresolved<ssize_t>())
THREADLENS_LIBC_INTERCEPTOR(char*, __fgets_chk, (char* s, size_t bl, int n, FILE* f),
                            (s, bl, n, f), , if (r) {
                              Write(s, RealStrlen(s) + 1, pc);
                              StreamReceived(f, pc);
                            },
                            Unresolved<char*>())
THREADLENS_LIBC_INTERCEPTOR(size_t, __fread_chk, (void* p, size_t bl, size_t s, size_t n, FILE* f),
                            (p, bl, s, n, f), , {
                              Write(p, r * s, pc);
                              if (r) StreamReceived(f, pc);
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
