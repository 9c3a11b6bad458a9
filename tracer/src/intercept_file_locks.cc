// Advisory file locks as synchronization: flock, fcntl's F_SETLK, F_SETLKW, F_OFD_SETLK and
// F_OFD_SETLKW, and lockf (and fcntl's F_DUPFD, a descriptor like dup's). Threads that open a file each for themselves, or processes that
// share memory, take turns through such a lock. Its unlock releases a channel keyed by the
// file's device and inode (the same for every descriptor of the file in every process of the
// recording), and a lock that succeeded acquires it, as a reader-writer lock: an unlock
// after an exclusive lock releases what every later lock acquires, one after a shared lock
// what only a later exclusive lock acquires (two readers are not ordered). Byte ranges are
// not told apart: a lock of any range of the file orders after an unlock of any other (an
// edge too many hides a race, never makes one). A close of a descriptor that holds a lock
// unlocks it, as the kernel does, and so does the process's exit (the locks its descriptors
// still hold, as far as the table knows: not a process killed by a signal). A call that
// waits for the lock (flock without LOCK_NB, F_SETLKW, F_OFD_SETLKW, lockf's F_LOCK) counts as
// blocked for the watchdog, on the file's lock named by its path, and the watchdog records
// the locks held, each by the thread that took it (a process's fcntl lock makes none of its
// threads wait, only other processes): a lock nobody gives up ends the program as a deadlock
// (across processes too), a self-deadlock or a hang.
// A descriptor's exclusive lock of the whole file (flock, F_OFD_SETLK) is also a lock of the
// lock-order graph (kFileLockAcquired and kFileLockRelease), and so is one a program inherited
// across exec, read from /proc/self/fdinfo as it starts.
// (ThreadSanitizer, clang 14, models none of this and reports a race on data two threads
// update under a flock each.)
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "confirm.h"
#include "fd_sync.h"
#include "runtime.h"
#include "runtime_internal.h"
#include "tsan_libc.h"
#include "watchdog.h"

namespace {

int (*real_flock)(int, int) = nullptr;
int (*real_fcntl)(int, int, ...) = nullptr;
int (*real_fcntl64)(int, int, ...) = nullptr;
int (*real_lockf)(int, int, off_t) = nullptr;
int (*real_lockf64)(int, int, off_t) = nullptr;

namespace fdsync = threadlens::rt::fdsync;

// What each descriptor holds, for its unlock: kNone, kShared or kExclusive. A descriptor past
// the table holds nothing the table knows: its unlock releases as exclusive (Unlocking).
enum Mode : uint8_t { kNone = 0, kShared = 1, kExclusive = 2 };
constexpr int kMaxFds = 4096;
std::atomic<uint8_t> g_mode[kMaxFds];
// For the watchdog's holds: the thread that took each descriptor's lock, whether the lock is
// the process's (fcntl's F_SETLK, lockf: no other thread of it waits for it), and its channel.
std::atomic<uint32_t> g_owner[kMaxFds];
std::atomic<bool> g_process[kMaxFds];
// The lock is of part of the file (fcntl's byte ranges, lockf from past the start): ranges are
// not told apart, so it keeps out no wait for sure (no wait-for edge).
std::atomic<bool> g_range[kMaxFds];
std::atomic<uint64_t> g_channel[kMaxFds];
std::atomic<uint64_t> g_site[kMaxFds];  // where it was taken
// Its taking was written as a kFileLockAcquired (the lock-order graph's): its giving up is too.
std::atomic<bool> g_ordered[kMaxFds];

// The lock-order graph's events: a descriptor's lock of the whole file, taken or given up.
// `tried`: taken by a call that could not wait (LOCK_NB, F_OFD_SETLK), as a trylock: no edge
// leads to it.
void Ordered(int fd, bool acquired, uint64_t c, bool shared, uintptr_t pc, bool tried = false) {
  if (fd < 0 || fd >= kMaxFds) return;
  if (!acquired && !g_ordered[fd].exchange(false, std::memory_order_relaxed)) return;
  threadlens::rt::ThreadState* ts = threadlens::rt::Started();
  if (!ts || !c) return;
  if (acquired) g_ordered[fd].store(true, std::memory_order_relaxed);
  threadlens::rt::EmitTo(ts,
                         acquired ? threadlens::trace::EventKind::kFileLockAcquired
                                  : threadlens::trace::EventKind::kFileLockRelease,
                         static_cast<uint8_t>((shared ? threadlens::trace::kShared : 0) |
                                              (tried ? threadlens::trace::kTry : 0)),
                         0, 0, c, pc);
}

Mode HeldBy(int fd) {
  return fd >= 0 && fd < kMaxFds ? static_cast<Mode>(g_mode[fd].load(std::memory_order_relaxed))
                                 : kNone;
}
void SetHeld(int fd, Mode m) {
  if (fd >= 0 && fd < kMaxFds) g_mode[fd].store(m, std::memory_order_relaxed);
}

// Before an unlock (or a lock that changes the mode held): the release of what `fd` held.
// An unlock the table knows no lock for (taken through another descriptor of the file, as
// fcntl's locks may be) releases as exclusive; a close only what the table knows.
void Unlocking(int fd, uintptr_t pc, bool unlock = true) {
  const Mode held = HeldBy(fd);
  if (held == kNone && !unlock) return;
  if (const uint64_t c = fdsync::FileLockChannel(fd)) {
    fdsync::SendOn(held == kShared ? fdsync::SharedUnlocks(c) : c, pc);
    Ordered(fd, false, c, held == kShared, pc);
  }
  SetHeld(fd, kNone);
}

// Before a lock of mode `m`: a change of mode gives up the one held first.
void Locking(int fd, Mode m, uintptr_t pc) {
  fdsync::Use(fd, pc);
  const Mode held = HeldBy(fd);
  if (held != kNone && held != m) Unlocking(fd, pc, false);
}

// Names the lock's channel "file lock PATH" (the descriptor's path), once per channel as far as
// a small table remembers: the hang report's name for it.
void Name(threadlens::rt::ThreadState* ts, int fd, uint64_t c, uintptr_t pc) {
  if (!threadlens::rt::FirstNaming(c)) return;
  static const char kPrefix[] = "file lock ";
  char text[sizeof kPrefix - 1 + 256];
  memcpy(text, kPrefix, sizeof kPrefix - 1);
  char proc[32] = "/proc/self/fd/";
  proc[threadlens::rt::AppendDigits(proc, 14, static_cast<unsigned>(fd))] = 0;
  long len = syscall(SYS_readlink, proc, text + sizeof kPrefix - 1, 256);
  if (len <= 0) return;
  // A file removed since it was opened reads "PATH (deleted)": named by its path all the same.
  static const char kDeleted[] = " (deleted)";
  const long tail = sizeof kDeleted - 1;
  if (len > tail && memcmp(text + sizeof kPrefix - 1 + len - tail, kDeleted, tail) == 0) len -= tail;
  threadlens::rt::NameKey(ts, c, text, sizeof kPrefix - 1 + len, pc);
}

// The real call of a lock that may wait, with the thread marked blocked on the file's lock
// meanwhile (`waits` false: one that fails at once instead). Returns the call's result; `c`
// gets the lock's channel when it was looked up.
template <typename Call>
int MayWait(int fd, Mode m, bool waits, uintptr_t pc, uint64_t& c, Call call) {
  threadlens::rt::ThreadState* ts = waits ? threadlens::rt::Started() : nullptr;
  if (ts) c = fdsync::FileLockChannel(fd);
  if (!ts || !c) return call();
  Name(ts, fd, c, pc);
  // `confirm` may hold the thread here, where a lock-order cycle requests the file's lock.
  if (m == kExclusive) threadlens::rt::MaybeHoldForConfirm(ts, pc, c);
  return threadlens::rt::BlockedCall(ts, threadlens::trace::BlockedOn::kFileLock, c, pc,
                                     m == kExclusive, call);
}

// After a lock of mode `m` succeeded: an exclusive lock comes after every unlock, a shared
// one after the exclusive holders' unlocks. `c`: the lock's channel, when known. `owned`: the
// lock belongs to the descriptor (flock, F_OFD_SETLK), not to the process. `range`: of part
// of the file only. `waited`: taken by a call that could wait for it.
void Locked(int fd, Mode m, uintptr_t pc, uint64_t c, bool owned, bool range, bool waited) {
  const int saved = errno;
  if (!c) c = fdsync::FileLockChannel(fd);
  if (c) {
    fdsync::ReceivedOn(c, pc);
    if (m == kExclusive) fdsync::ReceivedOn(fdsync::SharedUnlocks(c), pc);
  }
  if (fd >= 0 && fd < kMaxFds) {
    threadlens::rt::ThreadState* ts = threadlens::rt::Started();
    g_owner[fd].store(ts ? ts->tid : 0, std::memory_order_relaxed);
    g_process[fd].store(!owned, std::memory_order_relaxed);
    g_range[fd].store(range, std::memory_order_relaxed);
    g_channel[fd].store(c, std::memory_order_relaxed);
    g_site[fd].store(pc, std::memory_order_relaxed);
    // A process's lock (fcntl's F_SETLK, lockf) keeps out none of its own threads, and ranges
    // are not told apart: neither orders locks for sure.
    if (owned && !range) Ordered(fd, true, c, m == kShared, pc, !waited);
  }
  SetHeld(fd, m);
  errno = saved;
}

// fcntl's lock commands; the others but F_DUPFD pass through untouched.
bool IsLockCommand(int cmd) {
  return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

template <typename Real>
int Fcntl(Real real, int fd, int cmd, unsigned long arg, uintptr_t pc) {
  // A duplication is one more descriptor, as dup's (intercept_open.cc).
  if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
    fdsync::Use(fd, pc);
    const int r = real(fd, cmd, arg);
    if (r >= 0) fdsync::Duplicated(fd, r, pc);
    return r;
  }
  const auto* lock = reinterpret_cast<const struct flock*>(arg);
  if (!IsLockCommand(cmd) || !lock) return real(fd, cmd, arg);
  const short type = lock->l_type;
  if (type == F_UNLCK) {
    fdsync::Use(fd, pc);
    Unlocking(fd, pc);
    return real(fd, cmd, arg);
  }
  const Mode m = type == F_RDLCK ? kShared : kExclusive;
  Locking(fd, m, pc);
  uint64_t c = 0;
  const int r = MayWait(fd, m, cmd == F_SETLKW || cmd == F_OFD_SETLKW, pc, c,
                        [&] { return real(fd, cmd, arg); });
  if (r == 0) {
    const bool whole = lock->l_whence == SEEK_SET && lock->l_start == 0 && lock->l_len == 0;
    Locked(fd, m, pc, c, cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW, !whole,
           cmd == F_SETLKW || cmd == F_OFD_SETLKW);
  }
  return r;
}

template <typename Real>
int Lockf(Real real, int fd, int cmd, off_t len, uintptr_t pc) {
  if (cmd == F_ULOCK) {
    fdsync::Use(fd, pc);
    Unlocking(fd, pc);
    return real(fd, cmd, len);
  }
  if (cmd != F_LOCK && cmd != F_TLOCK) return real(fd, cmd, len);
  Locking(fd, kExclusive, pc);
  uint64_t c = 0;
  const int r = MayWait(fd, kExclusive, cmd == F_LOCK, pc, c, [&] { return real(fd, cmd, len); });
  // From the descriptor's position on, `len` bytes (0: to the end and beyond).
  if (r == 0) {
    Locked(fd, kExclusive, pc, c, false, len != 0 || lseek(fd, 0, SEEK_CUR) != 0,
           cmd == F_LOCK);
  }
  return r;
}

}  // namespace

namespace threadlens::rt::fdsync {

// Only a descriptor the table says holds a lock: a close costs no fstat otherwise.
void FileLocksClosing(int fd, uintptr_t pc) { Unlocking(fd, pc, false); }

uint32_t FileLocksHeld(FileLockHold* out, uint32_t max) {
  uint32_t n = 0;
  for (int fd = 0; fd < kMaxFds && n < max; ++fd) {
    const Mode m = HeldBy(fd);
    const uint64_t c = g_channel[fd].load(std::memory_order_relaxed);
    const uint32_t tid = g_owner[fd].load(std::memory_order_relaxed);
    if (m == kNone || !c || !tid) continue;
    out[n++] = FileLockHold{tid, c, g_site[fd].load(std::memory_order_relaxed), m == kShared,
                            g_process[fd].load(std::memory_order_relaxed),
                            g_range[fd].load(std::memory_order_relaxed)};
  }
  return n;
}

bool HoldsFileLock(uint32_t tid, uint64_t channel) {
  for (int fd = 0; fd < kMaxFds; ++fd) {
    if (HeldBy(fd) != kExclusive || !g_ordered[fd].load(std::memory_order_relaxed)) continue;
    if (g_owner[fd].load(std::memory_order_relaxed) != tid) continue;
    if (!channel || g_channel[fd].load(std::memory_order_relaxed) == channel) return true;
  }
  return false;
}

namespace {

// Whether fdinfo's text holds a lock of this descriptor that is exclusive, of the whole file,
// and the descriptor's own: "lock:\t1: FLOCK  ADVISORY  WRITE 4321 08:01:1234 0 EOF" (or
// OFDLCK). A waiter's line reads "1: -> FLOCK ...": not a hold.
bool HoldsWholeFileWriteLock(const char* text) {
  for (const char* line = strstr(text, "lock:"); line; line = strstr(line + 5, "lock:")) {
    const char* end = strchr(line, '\n');
    if (!end) end = line + strlen(line);
    char buf[160];
    const size_t n = std::min<size_t>(static_cast<size_t>(end - line), sizeof buf - 1);
    memcpy(buf, line, n);
    buf[n] = 0;
    char* words[10];
    int count = 0;
    char* save = nullptr;
    for (char* w = strtok_r(buf, " \t", &save); w && count < 10;
         w = strtok_r(nullptr, " \t", &save)) {
      words[count++] = w;
    }
    // lock: ID: TYPE ADVISORY MODE PID DEV:INO START END
    if (count < 9) continue;
    const bool owned = strcmp(words[2], "FLOCK") == 0 || strcmp(words[2], "OFDLCK") == 0;
    if (owned && strcmp(words[4], "WRITE") == 0 && strcmp(words[7], "0") == 0 &&
        strcmp(words[8], "EOF") == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

void FileLocksInherited() {
  // Raw system calls: the program's own open, read and malloc are traced.
  const int dir = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, "/proc/self/fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir < 0) return;
  alignas(8) char entries[4096];
  int fds[64];
  int found = 0;
  for (;;) {
    const long n = syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (n <= 0) break;
    for (long at = 0; at < n;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(entries + at);
      at += d->d_reclen;
      char* end = nullptr;
      const long fd = strtol(d->d_name, &end, 10);
      if (end == d->d_name || *end || fd == dir || fd < 0 || fd >= kMaxFds) continue;
      if (found < 64) fds[found++] = static_cast<int>(fd);
    }
  }
  syscall(SYS_close, dir);
  for (int i = 0; i < found; ++i) {
    char path[48] = "/proc/self/fdinfo/";
    path[threadlens::rt::AppendDigits(path, 18, static_cast<unsigned>(fds[i]))] = 0;
    const int info = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
    if (info < 0) continue;
    char text[2048];
    const long len = syscall(SYS_read, info, text, sizeof text - 1);
    syscall(SYS_close, info);
    if (len <= 0) continue;
    text[len] = 0;
    if (!HoldsWholeFileWriteLock(text)) continue;
    const uint64_t c = FileLockChannel(fds[i]);
    if (!c) continue;
    // No call of this program took it: its site says where it came from.
    static const char kInherited[] = "inherited across exec";
    static const uint64_t site =
        threadlens::trace::kSiteIsString |
        threadlens::rt::InternString(kInherited, sizeof kInherited - 1);
    if (threadlens::rt::ThreadState* ts = threadlens::rt::Started()) Name(ts, fds[i], c, site);
    g_channel[fds[i]].store(c, std::memory_order_relaxed);
    SetHeld(fds[i], kExclusive);
    Ordered(fds[i], true, c, false, site);
  }
}

void FileLocksForked() {
  for (int fd = 0; fd < kMaxFds; ++fd) {
    if (HeldBy(fd) != kNone) g_process[fd].store(true, std::memory_order_relaxed);
  }
}

void FileLocksAtExit() {
  for (int fd = 0; fd < kMaxFds; ++fd) {
    if (HeldBy(fd) != kNone) Unlocking(fd, 0, false);
  }
}

}  // namespace threadlens::rt::fdsync

TL_EXPORT int flock(int fd, int op) {
  TL_REAL(flock);
  const uintptr_t pc = TL_CALLER_PC;
  if (op & LOCK_UN) {
    fdsync::Use(fd, pc);
    Unlocking(fd, pc);
    return real(fd, op);
  }
  const Mode m = op & LOCK_SH ? kShared : kExclusive;
  Locking(fd, m, pc);
  uint64_t c = 0;
  const int r = MayWait(fd, m, !(op & LOCK_NB), pc, c, [&] { return real(fd, op); });
  if (r == 0) Locked(fd, m, pc, c, true, false, !(op & LOCK_NB));
  return r;
}

// The third argument, when the command takes one, is an int or a pointer: one register.
#define TL_FCNTL(name)                                   \
  TL_EXPORT int name(int fd, int cmd, ...) {             \
    TL_REAL(name);                                       \
    va_list ap;                                          \
    va_start(ap, cmd);                                   \
    const unsigned long arg = va_arg(ap, unsigned long); \
    va_end(ap);                                          \
    return Fcntl(real, fd, cmd, arg, TL_CALLER_PC);      \
  }
TL_FCNTL(fcntl)
TL_FCNTL(fcntl64)
#undef TL_FCNTL

TL_EXPORT int lockf(int fd, int cmd, off_t len) {
  TL_REAL(lockf);
  return Lockf(real, fd, cmd, len, TL_CALLER_PC);
}

TL_EXPORT int lockf64(int fd, int cmd, off_t len) {
  TL_REAL(lockf64);
  return Lockf(real, fd, cmd, len, TL_CALLER_PC);
}
