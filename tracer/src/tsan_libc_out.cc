// Interceptors for libc calls that fill out-parameters (getsockname, fstat, getpwuid_r,
// clock_gettime...; stat and readlink are in intercept_paths.cc): each records the bytes it
// wrote, and the paths and structures it read, as range accesses at the caller's pc.
#include <arpa/inet.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <sys/shm.h>
#include <pwd.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

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

// getmntent_r: the entry and its strings, in the caller's buffer.
void Mount(const mntent* e, uintptr_t pc) {
  Write(e, sizeof *e, pc);
  for (const char* text : {e->mnt_fsname, e->mnt_dir, e->mnt_type, e->mnt_opts}) {
    if (text) Write(text, RealStrlen(text) + 1, pc);
  }
}

}  // namespace

void PasswdStrings(const passwd* p, uintptr_t pc) {
  for (const char* s : {p->pw_name, p->pw_passwd, p->pw_gecos, p->pw_dir, p->pw_shell}) {
    if (s) Write(s, RealStrlen(s) + 1, pc);
  }
}

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
  X(int, fstat, (int fd, struct stat* s), (fd, s), , if (r == 0) Write(s, sizeof *s, pc))     \
  X(int, fstat64, (int fd, struct stat64* s), (fd, s), , if (r == 0) Write(s, sizeof *s, pc)) \
  X(char*, getcwd, (char* b, size_t n), (b, n), ::threadlens::rt::PcScope at(pc),          \
    if (r) Write(r, RealStrlen(r) + 1, pc))                                                   \
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
  X(int, getpwent_r, (passwd* p, char* b, size_t n, passwd** out), (p, b, n, out), ,          \
    Passwd(p, out, r, pc))                                                                    \
  X(int, fgetpwent_r, (FILE* f, passwd* p, char* b, size_t n, passwd** out), (f, p, b, n, out), \
    , Passwd(p, out, r, pc))                                                                  \
  X(mntent*, getmntent_r, (FILE* f, mntent* e, char* b, int n), (f, e, b, n), ,              \
    if (r) Mount(r, pc))                                                                      \
  X(int, shmctl, (int id, int cmd, shmid_ds* d), (id, cmd, d),                                \
    if (cmd == IPC_SET && Caller(pc)) Read(d, sizeof *d, pc),                                 \
    if (r >= 0 && (cmd == IPC_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY))                \
      Write(d, sizeof *d, pc))                                                                \
  X(int, sched_rr_get_interval, (pid_t p, timespec* t), (p, t), ,                             \
    if (r == 0) Write(t, sizeof *t, pc))                                                      \
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
  X(time_t, mktime, (tm* t), (t), LibraryHeapScope zone, {                                                         \
    Read(t, sizeof *t, pc);                                                                   \
    Write(t, sizeof *t, pc);                                                                  \
  })                                                                                          \
  X(char*, asctime_r, (const tm* t, char* b), (t, b), , if (r) TimeText(t, b, pc))         \
  X(char*, ctime_r, (const time_t* t, char* b), (t, b), LibraryHeapScope zone,                  \
    if (r) TimeText(t, b, pc))        \
  X(size_t, strftime, (char* b, size_t n, const char* f, const tm* t), (b, n, f, t),         \
    LibraryHeapScope zone, {      \
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
  X(tm*, localtime_r, (const time_t* t, tm* out), (t, out), LibraryHeapScope zone, if (r) {    \
    Read(t, sizeof *t, pc);                                                                   \
    Write(out, sizeof *out, pc);                                                              \
  })                                                                                          \
  X(tm*, gmtime_r, (const time_t* t, tm* out), (t, out), , if (r) {                           \
    Read(t, sizeof *t, pc);                                                                   \
    Write(out, sizeof *out, pc);                                                              \
  })

// crypt_r's result, inside its work area (declared opaque here: <crypt.h> may be missing).
#define THREADLENS_LIBC_OUT_MORE(X)                                                           \
  X(char*, crypt_r, (const char* key, const char* salt, void* data), (key, salt, data), ,     \
    ReadString(key, pc); ReadString(salt, pc); if (r) Write(r, RealStrlen(r) + 1, pc))

#define THREADLENS_DEFINE(ret, name, params, args, pre, effect) \
  THREADLENS_LIBC_INTERCEPTOR(ret, name, params, args, pre, effect, Unresolved<ret>())
THREADLENS_LIBC_OUT(THREADLENS_DEFINE)
THREADLENS_LIBC_OUT_MORE(THREADLENS_DEFINE)
#undef THREADLENS_DEFINE

// backtrace: the return addresses it stored. Called from here it would see this frame too,
// so it fills one entry more on the stack and the caller gets them from its own frame on,
// as without the tracer.
namespace {
int (*real_backtrace)(void**, int) = nullptr;
constexpr int kMaxBacktrace = 256;
}  // namespace
TSAN_EXPORT int Intercept_backtrace(void** b, int n) __asm__("backtrace");
__attribute__((noinline)) int Intercept_backtrace(void** b, int n) {
  auto* real = Real(real_backtrace, "backtrace");
  if (__builtin_expect(!real, 0)) return 0;
  const uintptr_t pc = TSAN_CALLER_PC;
  if (n <= 0 || n >= kMaxBacktrace) return real(b, n);  // rare: this frame stays first
  void* frames[kMaxBacktrace];
  int r;
  {
    ::threadlens::rt::PcScope at(pc);
    r = real(frames, n + 1);
  }
  r = r > 0 ? r - 1 : 0;
  for (int i = 0; i < r; ++i) b[i] = frames[i + 1];
  if (r > 0) CallerWrite(b, static_cast<size_t>(r) * sizeof *b, pc);
  return r;
}

}  // namespace threadlens::rt::tsan::libc
