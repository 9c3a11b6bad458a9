// File names as synchronization. A thread that waits for a file to appear or go (polling
// stat, access, open or opendir) and then goes on is ordered after the thread that made the
// change: a call that changes a name (unlink, rmdir, remove, rename, mkdir, link, symlink,
// mkfifo, an open that creates) releases the name's channel before it, and every call that
// looks a name up acquires it after. The channel is keyed by the name's last component, the
// same for every directory, relative or absolute spelling and process of the recording: two
// files of one name in different directories share it (an edge too many hides a race, never
// makes one). An open with O_CREAT releases only when the name did not exist just before.
// (ThreadSanitizer, clang 14: unlink and rmdir release one object for all files and one for
// all directories, which fopen and opendir acquire; rename, mkdir, stat and access order
// nothing.)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fd_sync.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "tsan_libc.h"

namespace threadlens::rt::fdsync {

uint64_t NameChannel(const char* path) {
  if (!path) return 0;
  size_t end = 0;
  while (path[end]) ++end;
  while (end > 0 && path[end - 1] == '/') --end;  // "dir/" names dir
  size_t begin = end;
  while (begin > 0 && path[begin - 1] != '/') --begin;
  const size_t len = end - begin;
  if (len == 0 || (len == 1 && path[begin] == '.') ||
      (len == 2 && path[begin] == '.' && path[begin + 1] == '.')) {
    return 0;  // the root, or a directory named relative to another
  }
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, then a tag of its own among the channels
  for (size_t i = begin; i < end; ++i) h = (h ^ static_cast<unsigned char>(path[i])) * 0x100000001b3ull;
  h ^= 0x6e616d6520ull;
  h *= 0xBF58476D1CE4E5B9ull;
  return kFdChannelBase | ((h ^ (h >> 31)) & kFdChannelMask);
}

// Before the call, the path may be a bad pointer the call will refuse (EFAULT): it is copied
// by the kernel, which fails instead of faulting.
void NameChanging(const char* path, uintptr_t pc) {
  if (!path) return;
  char copy[PATH_MAX];
  const iovec local{copy, sizeof copy - 1}, remote{const_cast<char*>(path), sizeof copy - 1};
  // (Every argument a long: a variadic int leaves the register's upper half undefined.)
  const long n = syscall(SYS_process_vm_readv, static_cast<long>(getpid()), &local, 1ul,
                         &remote, 1ul, 0ul);
  if (n <= 0 || !memchr(copy, 0, static_cast<size_t>(n))) return;  // the call fails too
  if (const uint64_t c = NameChannel(copy)) SendOn(c, pc);
}

// A path the call read whole: it succeeded, or failed for another reason than a path it could
// not read (EFAULT: a bad pointer; ENAMETOOLONG: no terminator within PATH_MAX bytes, and
// maybe none before unmapped memory).
bool PathRead(bool failed) { return !failed || (errno != EFAULT && errno != ENAMETOOLONG); }

void NameSeen(const char* path, bool failed, uintptr_t pc) {
  if (!PathRead(failed)) return;
  const int saved = errno;
  if (const uint64_t c = NameChannel(path)) ReceivedOn(c, pc);
  errno = saved;
}

void NameOpening(int dir, const char* path, int flags, uintptr_t pc) {
  if (!(flags & O_CREAT) || !path) return;
  const int saved = errno;
  struct stat st;
  if (flags & O_EXCL || (syscall(SYS_newfstatat, dir, path, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
                         PathRead(true))) {
    NameChanging(path, pc);
  }
  errno = saved;
}

}  // namespace threadlens::rt::fdsync

namespace threadlens::rt::tsan::libc {
namespace {

// fopen's modes "w" and "a" create the file.
int StreamFlags(const char* mode) {
  return mode && (mode[0] == 'w' || mode[0] == 'a') ? O_CREAT : 0;
}

// Changes the names `a` and `b` (either may be null) before the call, sees them after.
void Changing(const char* a, const char* b, uintptr_t pc) {
  fdsync::NameChanging(a, pc);
  fdsync::NameChanging(b, pc);
}
void Seen(const char* a, const char* b, bool failed, uintptr_t pc) {
  fdsync::NameSeen(a, failed, pc);
  fdsync::NameSeen(b, failed, pc);
}

}  // namespace

// The calls that change names: release before, acquire after (each also looks the name up).
#define THREADLENS_PATH_CHANGES(X)                                                          \
  X(int, unlink, (const char* p), (p), ReadString(p, pc), p, nullptr)                       \
  X(int, unlinkat, (int d, const char* p, int f), (d, p, f), ReadString(p, pc), p, nullptr) \
  X(int, rmdir, (const char* p), (p), ReadString(p, pc), p, nullptr)                        \
  X(int, remove, (const char* p), (p), ReadString(p, pc), p, nullptr)                       \
  X(int, mkdir, (const char* p, mode_t m), (p, m), ReadString(p, pc), p, nullptr)           \
  X(int, mkdirat, (int d, const char* p, mode_t m), (d, p, m), ReadString(p, pc), p, nullptr) \
  X(int, mkfifo, (const char* p, mode_t m), (p, m), ReadString(p, pc), p, nullptr)          \
  X(int, mkfifoat, (int d, const char* p, mode_t m), (d, p, m), ReadString(p, pc), p,       \
    nullptr)                                                                                \
  X(int, rename, (const char* a, const char* b), (a, b),                                    \
    ReadString(a, pc); ReadString(b, pc), a, b)                                             \
  X(int, renameat, (int da, const char* a, int db, const char* b), (da, a, db, b),          \
    ReadString(a, pc); ReadString(b, pc), a, b)                                             \
  X(int, renameat2, (int da, const char* a, int db, const char* b, unsigned f),             \
    (da, a, db, b, f), ReadString(a, pc); ReadString(b, pc), a, b)                          \
  X(int, link, (const char* a, const char* b), (a, b), ReadString(a, pc); ReadString(b, pc), \
    a, b)                                                                                   \
  X(int, linkat, (int da, const char* a, int db, const char* b, int f), (da, a, db, b, f),  \
    ReadString(a, pc); ReadString(b, pc), a, b)                                             \
  /* A symbolic link's target is text, not a name looked up. */                            \
  X(int, symlink, (const char* t, const char* p), (t, p), ReadString(t, pc); ReadString(p, pc), \
    p, nullptr)                                                                             \
  X(int, symlinkat, (const char* t, int d, const char* p), (t, d, p),                       \
    ReadString(t, pc); ReadString(p, pc), p, nullptr)

// (A call that failed on a path it could not read whole does not have it read here either.)
#define THREADLENS_DEFINE_CHANGE(ret, name, params, args, reads, a, b)                       \
  THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, Changing(a, b, pc),              \
                                   if (fdsync::PathRead(r < 0)) { reads; },                  \
                                   Seen(a, b, r < 0, pc), Unresolved<ret>())
THREADLENS_PATH_CHANGES(THREADLENS_DEFINE_CHANGE)
#undef THREADLENS_DEFINE_CHANGE

// The calls that look names up: an acquire after, and the out-parameters they fill.
#define THREADLENS_PATH_LOOKUPS(X)                                                            \
  X(int, stat, (const char* p, struct stat* s), (p, s), if (r == 0) Write(s, sizeof *s, pc), p) \
  X(int, lstat, (const char* p, struct stat* s), (p, s), if (r == 0) Write(s, sizeof *s, pc), p) \
  X(int, fstatat, (int d, const char* p, struct stat* s, int f), (d, p, s, f),                \
    if (r == 0) Write(s, sizeof *s, pc), p)                                                   \
  X(int, stat64, (const char* p, struct stat64* s), (p, s), if (r == 0) Write(s, sizeof *s, pc), \
    p)                                                                                        \
  X(int, lstat64, (const char* p, struct stat64* s), (p, s),                                  \
    if (r == 0) Write(s, sizeof *s, pc), p)                                                   \
  X(int, fstatat64, (int d, const char* p, struct stat64* s, int f), (d, p, s, f),            \
    if (r == 0) Write(s, sizeof *s, pc), p)                                                   \
  X(int, statx, (int dir, const char* p, int f, unsigned m, struct statx* s), (dir, p, f, m, s), \
    if (r == 0) Write(s, sizeof *s, pc), p)                                                   \
  X(int, access, (const char* p, int m), (p, m), , p)                                         \
  X(int, faccessat, (int d, const char* p, int m, int f), (d, p, m, f), , p)                  \
  X(int, euidaccess, (const char* p, int m), (p, m), , p)                                     \
  X(int, eaccess, (const char* p, int m), (p, m), , p)                                        \
  X(ssize_t, readlink, (const char* p, char* b, size_t n), (p, b, n),                         \
    if (r >= 0) Write(b, static_cast<size_t>(r), pc), p)                                      \
  X(ssize_t, readlinkat, (int d, const char* p, char* b, size_t n), (d, p, b, n),             \
    if (r >= 0) Write(b, static_cast<size_t>(r), pc), p)

#define THREADLENS_DEFINE_LOOKUP(ret, name, params, args, effect, p)                    \
  THREADLENS_LIBC_INTERCEPTOR_POST(ret, name, params, args, ,                            \
                                   if (fdsync::PathRead(r < 0)) ReadString(p, pc); effect,   \
                                   fdsync::NameSeen(p, r < 0, pc), Unresolved<ret>())
THREADLENS_PATH_LOOKUPS(THREADLENS_DEFINE_LOOKUP)
#undef THREADLENS_DEFINE_LOOKUP

// Streams: a mode that creates may change the name; any open looks it up.
#define THREADLENS_PATH_STREAMS(X)                                                        \
  X(fopen, (const char* p, const char* m), (p, m), )                                       \
  X(fopen64, (const char* p, const char* m), (p, m), )                                     \
  X(freopen, (const char* p, const char* m, FILE* f), (p, m, f), StreamSending(f, pc))     \
  X(freopen64, (const char* p, const char* m, FILE* f), (p, m, f), StreamSending(f, pc))

#define THREADLENS_DEFINE_STREAM(name, params, args, pre)                                  \
  THREADLENS_LIBC_INTERCEPTOR_POST(                                                        \
      FILE*, name, params, args,                                                           \
      pre; fdsync::NameOpening(AT_FDCWD, p, StreamFlags(m), pc),                           \
      if (fdsync::PathRead(!r)) { ReadString(p, pc); ReadString(m, pc); },                 \
      fdsync::NameSeen(p, !r, pc); if (r) fdsync::Forget(fileno_unlocked(r)), nullptr)
THREADLENS_PATH_STREAMS(THREADLENS_DEFINE_STREAM)
#undef THREADLENS_DEFINE_STREAM

// A directory stream: the entry readdir returns lives in the DIR (tsan_libc_static.cc).
DIR* (*real_opendir)(const char*) = nullptr;
TSAN_EXPORT DIR* opendir(const char* path) {
  auto* real = Real(real_opendir, "opendir");
  if (!real) return nullptr;
  const uintptr_t pc = TSAN_CALLER_PC;
  DIR* d;
  {
    ::threadlens::rt::PcScope at(pc);
    d = real(path);
  }
  fdsync::NameSeen(path, !d, pc);
  return d;
}

}  // namespace threadlens::rt::tsan::libc
