// The interceptors that create, duplicate and close descriptors (open, creat, close, dup,
// socket, eventfd, signalfd, timerfd, inotify, memfd): they tell the descriptors'
// recorder (fd_sync.h, intercept_fd.cc), which makes each descriptor an object and a channel.
// An open also looks its name up, and may create it (intercept_paths.cc).
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "fd_sync.h"
#include "pipe_waits.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace fdsync = threadlens::rt::fdsync;
using threadlens::rt::tsan::libc::Real;

namespace {

int (*real_open)(const char*, int, ...);
int (*real_open64)(const char*, int, ...);
int (*real_openat)(int, const char*, int, ...);
int (*real_openat64)(int, const char*, int, ...);
int (*real_creat)(const char*, mode_t);
int (*real_close)(int);
int (*real_dup)(int);
int (*real_dup2)(int, int);
int (*real_dup3)(int, int, int);
int (*real_socket)(int, int, int);
int (*real_eventfd)(unsigned, int);
int (*real_signalfd)(int, const sigset_t*, int);
int (*real_timerfd_create)(int, int);
int (*real_inotify_init)();
int (*real_inotify_init1)(int);
int (*real_memfd_create)(const char*, unsigned);

// The mode argument is read only with O_CREAT or O_TMPFILE, as open(2) says.
inline mode_t ModeArg(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

// An open of `path` (relative to `dir`) by `call`: the name changes before when the open
// may create it, is seen after, and a descriptor it returns is a new one.
template <typename Call>
int Opening(int dir, const char* path, int flags, uintptr_t pc, Call call) {
  fdsync::NameOpening(dir, path, flags, pc);
  const int r = call();
  fdsync::NameSeen(path, r < 0, pc);
  if (r >= 0) fdsync::Created(r, 0, pc);
  return r;
}

}  // namespace

#define TL_OPEN(name)                                        \
  TL_EXPORT int name(const char* path, int flags, ...) {     \
    TL_REAL(name);                                           \
    va_list ap;                                              \
    va_start(ap, flags);                                     \
    mode_t mode = ModeArg(flags, ap);                        \
    va_end(ap);                                              \
    return Opening(AT_FDCWD, path, flags, TL_CALLER_PC,      \
                   [&] { return real(path, flags, mode); }); \
  }
#define TL_OPENAT(name)                                           \
  TL_EXPORT int name(int dir, const char* path, int flags, ...) { \
    TL_REAL(name);                                                \
    va_list ap;                                                   \
    va_start(ap, flags);                                          \
    mode_t mode = ModeArg(flags, ap);                             \
    va_end(ap);                                                   \
    return Opening(dir, path, flags, TL_CALLER_PC,                \
                   [&] { return real(dir, path, flags, mode); }); \
  }
TL_OPEN(open)
TL_OPEN(open64)
TL_OPENAT(openat)
TL_OPENAT(openat64)
#undef TL_OPEN
#undef TL_OPENAT

TL_EXPORT int creat(const char* path, mode_t mode) {
  TL_REAL(creat);
  return Opening(AT_FDCWD, path, O_CREAT, TL_CALLER_PC, [&] { return real(path, mode); });
}

TL_EXPORT int close(int fd) {
  TL_REAL(close);
  fdsync::BeforeCloseCall(fd, TL_CALLER_PC);
  return real(fd);
}

TL_EXPORT int dup(int fd) {
  TL_REAL(dup);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(fd, pc);
  int r = real(fd);
  if (r >= 0) fdsync::Duplicated(fd, r, pc);
  return r;
}

TL_EXPORT int dup2(int from, int to) {
  TL_REAL(dup2);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::BeforeDuplicate(from, to, pc);
  int r = real(from, to);
  if (r >= 0 && from != to) fdsync::Duplicated(from, r, pc);
  return r;
}

TL_EXPORT int dup3(int from, int to, int flags) {
  TL_REAL(dup3);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::BeforeDuplicate(from, to, pc);
  int r = real(from, to, flags);
  if (r >= 0) fdsync::Duplicated(from, r, pc);
  return r;
}

TL_EXPORT int socket(int domain, int type, int protocol) {
  TL_REAL(socket);
  int r = real(domain, type, protocol);
  if (r >= 0) fdsync::Created(r, 0, TL_CALLER_PC);
  return r;
}

TL_EXPORT int signalfd(int fd, const sigset_t* mask, int flags) {
  TL_REAL(signalfd);
  int r = real(fd, mask, flags);
  if (r >= 0) fdsync::SignalFd(r, fd == -1, TL_CALLER_PC);
  return r;
}

TL_EXPORT int eventfd(unsigned initval, int flags) {
  TL_REAL(eventfd);
  int r = real(initval, flags);
  if (r >= 0) threadlens::rt::EventfdMade(r, TL_CALLER_PC);
  return r;
}

void threadlens::rt::EventfdMade(int fd, uintptr_t pc) {
  fdsync::Created(fd, fdsync::NewChannel(), pc);
  RecordingEventfdMade(fd);
}

// Descriptors that other calls create, each an object from its creation on (the temporary
// files' mkstemp and friends: tsan_libc_text.cc).
#define TL_CREATOR(name, params, args)             \
  TL_EXPORT int name params {                      \
    TL_REAL(name);                                 \
    int r = real args;                             \
    if (r >= 0) fdsync::Created(r, 0, TL_CALLER_PC); \
    return r;                                      \
  }
TL_CREATOR(timerfd_create, (int clock, int flags), (clock, flags))
TL_CREATOR(inotify_init, (), ())
TL_CREATOR(inotify_init1, (int flags), (flags))
TL_CREATOR(memfd_create, (const char* name, unsigned flags), (name, flags))
#undef TL_CREATOR
