// The trace file and the terminal as the runtime owns them: fds far above the program's,
// checked before each use and reopened by path when the program closed or replaced them;
// one serialized write per block; a size cap. The cap, a full disk or the file size limit
// (ulimit -f) end the trace, never the program: the file keeps every whole block written.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "runtime_internal.h"
#include "threadlens/crc32c.h"

namespace threadlens::rt {
namespace {

// Where the runtime's own fds go: above what programs open, below the usual 1024 limit.
constexpr int kHighFd = 700;

std::atomic<int> g_fd{-1};         // blocks are written here, at g_size
std::atomic<int> g_header_fd{-1};  // the same file, to rewrite the header in place
std::atomic<int> g_tty_fd{-1};     // the program's stderr as it was at start
char g_path[512];

// The runtime's own file I/O goes straight to the kernel: the libc functions may be
// intercepted to trace the program's I/O, and the trace's writes are not the program's.
int RawOpen(const char* path, int flags, mode_t mode = 0) {
  return static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, flags, mode));
}
void RawClose(int fd) { syscall(SYS_close, fd); }
int RawDupHigh(int fd) { return static_cast<int>(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, kHighFd)); }
ssize_t RawWritev(int fd, const iovec* iov, int n) { return syscall(SYS_writev, fd, iov, n); }
ssize_t RawPwrite(int fd, const void* buf, size_t n, off_t at) {
  return syscall(SYS_pwrite64, fd, buf, n, at);
}
ssize_t RawWrite(int fd, const void* buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
int RawFallocate(int fd, int mode, uint64_t at, uint64_t len) {
  return static_cast<int>(syscall(SYS_fallocate, fd, mode, static_cast<off_t>(at),
                                  static_cast<off_t>(len)));
}
int RawFtruncate(int fd, uint64_t size) {
  return static_cast<int>(syscall(SYS_ftruncate, fd, static_cast<off_t>(size)));
}

// What an fd must still refer to. A program may close every fd or dup2 over any number: an
// fd that no longer names this file is left to the program and the file opened again.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
};
FileId g_trace_id, g_tty_id;

FileId IdOf(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}
bool Same(FileId a, FileId b) { return a.ino != 0 && a.dev == b.dev && a.ino == b.ino; }
trace::FileHeader g_header;

// Serializes block writes so that the file's size is known: a failed write is cut back to
// the last whole block. Never taken on the hot path (a block is 80 KiB of events).
SpinLock g_write_lock;
std::atomic<pthread_t> g_write_owner{0};
uint64_t g_size = 0;         // bytes in the file (under g_write_lock)
std::atomic<uint64_t> g_size_seen{0};  // g_size for readers without the lock
uint64_t g_limit = ~0ull;    // --max-trace-size and RLIMIT_FSIZE, the smaller
uint64_t g_cap = 0;          // --max-trace-size as given, for the message (0 = none)
std::atomic<bool> g_stopped{false};
// The sequence number at which a limit (size cap, file size limit, full disk) cut the trace
// (0: not so stopped).
std::atomic<uint64_t> g_cut{0};
// The room kept below a limit is also kept on the disk: the file's blocks are allocated
// (fallocate, the size unchanged) up to g_room, ahead of the writes, so that a full disk is
// found there, while the room for every thread's last block is already the file's. Trimmed
// back to g_size when the header is written at the end. g_keep_room: the file system can.
uint64_t g_room = 0;
bool g_keep_room = true;
constexpr uint64_t kRoomAhead = 1u << 20;  // one fallocate per ~12 blocks

size_t Append(char* buf, size_t at, size_t cap, const char* s) {
  size_t n = strlen(s);
  if (at + n >= cap) n = at < cap ? cap - at - 1 : 0;
  memcpy(buf + at, s, n);
  return at + n;
}

// Rewrites the header in place. Caller holds the lock.
void RewriteHeader() {
  const int hfd = g_header_fd.load();
  if (hfd >= 0) {
    ssize_t r = RawPwrite(hfd, &g_header, sizeof g_header, 0);
    (void)r;
  }
}

// Ends the trace where it is: header marked truncated (never complete), one line on the
// terminal. `err` is the write's errno, 0 when the cap was reached. Caller holds the lock.
void Stop(int err, bool below_limit = false) {
  if (g_stopped.exchange(true)) return;
  if (below_limit) {
    // A limit, with room kept below it: every thread still writes what it recorded so far.
    g_header.cut_seq = g_seq->load(std::memory_order_relaxed);
    g_cut.store(g_header.cut_seq, std::memory_order_release);
    g_header.flags |= trace::kHeaderCut;
  }
  g_header.flags |= trace::kHeaderTruncated | InstrumentationFlag();
  g_header.flags &= ~trace::kHeaderComplete;
  RewriteHeader();
  char num[32], msg[800];
  size_t n = Append(msg, 0, sizeof msg, "threadlens: trace ");
  n = Append(msg, n, sizeof msg, g_path);
  if (err == 0) {
    snprintf(num, sizeof num, "%llu", static_cast<unsigned long long>(g_cap));
    n = Append(msg, n, sizeof msg, " reached --max-trace-size (");
    n = Append(msg, n, sizeof msg, num);
    n = Append(msg, n, sizeof msg, " bytes");
    if (!CompressionOn()) n = Append(msg, n, sizeof msg, "; --compress makes traces smaller");
    n = Append(msg, n, sizeof msg, ")");
  } else if (err == ESTALE) {
    n = Append(msg, n, sizeof msg, " was removed or replaced while the program ran");
  } else if (err == EFBIG) {
    n = Append(msg, n, sizeof msg, " reached the file size limit (ulimit -f)");
  } else if (below_limit) {  // the disk (or quota) is full, with the room kept on it
    n = Append(msg, n, sizeof msg, " filled its disk (");
    n = Append(msg, n, sizeof msg, strerror(err));
    n = Append(msg, n, sizeof msg, ")");
  } else {
    n = Append(msg, n, sizeof msg, ": write failed: ");
    n = Append(msg, n, sizeof msg, strerror(err));
  }
  n = Append(msg, n, sizeof msg,
             "; the program runs on untraced, the trace keeps the events up to here\n");
  TerminalMessage(msg, n);
}

bool TakeWriteLock() {
  pthread_t self = pthread_self();
  // A signal handler interrupted this thread's own write: waiting would never end.
  if (g_write_owner.load(std::memory_order_acquire) == self) return false;
  g_write_lock.Lock();
  g_write_owner.store(self, std::memory_order_release);
  return true;
}

void DropWriteLock() {
  g_write_owner.store(0, std::memory_order_release);
  g_write_lock.Unlock();
}

// Moves an fd out of the range programs tend to use and close.
int HighFd(int fd) {
  if (fd < 0) return fd;
  int hi = RawDupHigh(fd);
  if (hi < 0) return fd;
  RawClose(fd);
  return hi;
}

// The trace's fds, reopened if the program took their numbers. False when the file itself
// is gone or replaced (then the trace stops). Caller holds the write lock.
bool TraceFdsValid() {
  if (Same(IdOf(g_fd.load()), g_trace_id) && Same(IdOf(g_header_fd.load()), g_trace_id)) {
    return true;
  }
  // The old numbers are the program's now: not closed, only forgotten.
  int fd = HighFd(RawOpen(g_path, O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!Same(IdOf(fd), g_trace_id)) {
    if (fd >= 0) RawClose(fd);
    g_fd.store(-1);
    g_header_fd.store(-1);
    return false;
  }
  g_fd.store(fd);
  g_header_fd.store(HighFd(RawOpen(g_path, O_WRONLY | O_CLOEXEC)));
  return true;
}

// A thread's last block did not fit after all: the trace no longer holds every thread's
// events up to the cut, and its header stops saying so.
void BreakCut() {
  if (!(g_header.flags & trace::kHeaderCut)) return;
  g_header.flags &= ~trace::kHeaderCut;
  RewriteHeader();
}

// What the trace keeps below its limit for the blocks of the threads that have not written
// their last records yet: one buffer each, at most half the limit.
uint64_t Reserve() {
  const uint64_t each = kBufBytes + sizeof(trace::BlockHeader);
  return std::min<uint64_t>(g_threads_live.load(std::memory_order_relaxed) * each, g_limit / 2);
}

// Makes the file's blocks reach `need` bytes (and kRoomAhead more when the disk has them).
// False when the disk cannot: the trace is then cut here, into the room kept so far.
bool KeepRoom(int fd, uint64_t need) {
  if (!g_keep_room || need <= g_room) return true;
  const uint64_t want = std::min(g_limit, need + kRoomAhead);
  if (RawFallocate(fd, FALLOC_FL_KEEP_SIZE, g_room, want - g_room) == 0) {
    g_room = want;
    return true;
  }
  const int err = errno;
  if (err != ENOSPC && err != EDQUOT) {  // not supported here: a full disk is found by write
    g_keep_room = false;
    return true;
  }
  // Less than that left: the trace goes on while this block and every thread's last one
  // still fit, and is cut when they do not.
  if (RawFallocate(fd, FALLOC_FL_KEEP_SIZE, g_room, need - g_room) == 0) {
    g_room = need;
    return true;
  }
  Stop(err, true);
  return false;
}

// The blocks allocated past the file's end go back to the disk.
void TrimRoom() {
  const int hfd = g_header_fd.load();
  if (g_room <= g_size || hfd < 0) return;
  if (RawFtruncate(hfd, g_size) == 0) g_room = g_size;
}

// Writes all of the iovecs at the end of the file, or nothing: a failed write is cut back.
// SIGXFSZ is held off while writing: the file size limit must stop the trace, not kill the
// program (its own writes still get the signal as before). `drain`: a thread's last block
// after a limit stopped the trace, written into the room kept for it.
bool WriteLocked(iovec* iov, int n, size_t total, bool drain = false) {
  if (g_fd.load() < 0 || (g_stopped.load() && !(drain && g_cut.load()))) return false;
  if (!TraceFdsValid()) {
    Stop(ESTALE);
    return false;
  }
  int fd = g_fd.load();
  if (g_size + total > g_limit) {  // a last block that does not fit
    BreakCut();
    return false;
  }
  // A block before the cut leaves room for every thread's last one.
  const uint64_t need = g_size + total + (drain ? 0 : Reserve());
  if (!drain && need > g_limit) {
    Stop(g_cap && need > g_cap ? 0 : EFBIG, true);
    return false;
  }
  // Only when the file size is limited: a change of the signal mask lets this thread take a
  // signal sent to the process that another thread waits for (in pause or sigsuspend).
  sigset_t xfsz, old;
  sigemptyset(&xfsz);
  sigaddset(&xfsz, SIGXFSZ);
  rlimit fsize;
  const bool hold = syscall(SYS_prlimit64, 0, RLIMIT_FSIZE, nullptr, &fsize) != 0 ||
                    fsize.rlim_cur != RLIM_INFINITY;
  if (hold) pthread_sigmask(SIG_BLOCK, &xfsz, &old);
  if (!drain && !KeepRoom(fd, need)) {
    if (hold) pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return false;
  }
  int err = 0;
  size_t done = 0;
  while (n > 0) {
    ssize_t w = RawWritev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (w == 0) {
      err = ENOSPC;
      break;
    }
    done += w;
    while (n > 0 && static_cast<size_t>(w) >= iov->iov_len) {
      w -= iov->iov_len;
      ++iov;
      --n;
    }
    if (n > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + w;
      iov->iov_len -= w;
    }
  }
  if (err != 0) {
    if (done > 0) RawFtruncate(g_header_fd.load(), g_size);
    if (err == EFBIG && hold) {
      timespec zero{0, 0};
      sigtimedwait(&xfsz, nullptr, &zero);  // the pending SIGXFSZ our write caused
    }
    Stop(err);
    if (drain) BreakCut();
  } else {
    g_size += total;
    g_size_seen.store(g_size, std::memory_order_relaxed);
  }
  if (hold) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return err == 0;
}

uint64_t ParseSize(const char* s) {
  if (!s || !*s) return 0;
  return strtoull(s, nullptr, 10);
}

}  // namespace

const char* TracePath() { return g_path; }
trace::FileHeader& Header() { return g_header; }
bool TraceStopped() { return g_stopped.load(std::memory_order_acquire); }
uint64_t TraceCut() { return g_cut.load(std::memory_order_acquire); }
uint64_t TraceBytes() { return g_size_seen.load(std::memory_order_relaxed); }

// The terminal: our copy of the program's first stderr; when the program closed or replaced
// it, THREADLENS_TERMINAL (set by `threadlens run`: its own stderr, by /proc path), else fd 2.
void TerminalMessage(const char* msg, size_t n) {
  int fd = g_tty_fd.load();
  int opened = -1;
  if (!Same(IdOf(fd), g_tty_id)) {
    const char* path = getenv("THREADLENS_TERMINAL");
    opened = path && *path ? RawOpen(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY) : -1;
    fd = opened >= 0 ? opened : 2;
  }
  ssize_t r = RawWrite(fd, msg, n);
  (void)r;
  if (opened >= 0) RawClose(opened);
}

bool WriteBlock(trace::BlockKind kind, uint32_t tid, uint32_t count, const void* payload,
                size_t size, bool drain) {
  if (g_fd.load(std::memory_order_relaxed) < 0 ||
      (g_stopped.load(std::memory_order_relaxed) && !drain)) {
    return false;
  }
  trace::BlockHeader h{};
  h.magic = trace::kBlockMagic;
  h.kind = static_cast<uint32_t>(kind);
  h.tid = tid;
  h.count = count;
  h.payload_size = static_cast<uint32_t>(size);
  h.checksum = trace::Crc32c(payload, size);
  iovec iov[2] = {{&h, sizeof h}, {const_cast<void*>(payload), size}};
  if (!TakeWriteLock()) {
    g_dropped.fetch_add(count, std::memory_order_relaxed);
    return false;
  }
  const bool ok = WriteLocked(iov, size ? 2 : 1, sizeof h + size, drain);
  DropWriteLock();
  return ok;
}

void WriteHeader(bool initial, uint64_t ticks_per_second) {
  g_header.ticks_per_second = ticks_per_second;
  if (initial) {
    trace::FileHeader h = g_header;
    iovec iov{&h, sizeof h};
    if (TakeWriteLock()) {
      WriteLocked(&iov, 1, sizeof h);
      DropWriteLock();
    }
  } else if (g_header_fd.load() >= 0 && TakeWriteLock()) {
    if (TraceFdsValid()) {
      TrimRoom();
      RewriteHeader();
    }
    DropWriteLock();
  }
}

bool OpenTraceFile(bool descendant, uint64_t recording) {
  const char* base = getenv("THREADLENS_TRACE");
  if (!base || !*base) return false;
  if (g_tty_fd.load() < 0) {
    g_tty_fd.store(RawDupHigh(2));
    g_tty_id = IdOf(g_tty_fd.load());
  }
  int fd = -1;
  if (!descendant) {
    snprintf(g_path, sizeof g_path, "%s", base);
    fd = RawOpen(g_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  } else {
    // One trace per process: a forked or exec'd descendant writes BASE.PID (BASE.PID.N if
    // this pid already wrote one before an exec).
    for (int n = 0; n < 100 && fd < 0; ++n) {
      if (n == 0)
        snprintf(g_path, sizeof g_path, "%s.%d", base, getpid());
      else
        snprintf(g_path, sizeof g_path, "%s.%d.%d", base, getpid(), n);
      fd = RawOpen(g_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST) break;
    }
  }
  if (fd < 0) {
    char msg[640];
    int n = snprintf(msg, sizeof msg, "threadlens: cannot write trace %s: %s (tracing off)\n",
                     g_path, strerror(errno));
    TerminalMessage(msg, n > 0 ? n : 0);
    return false;
  }
  g_fd.store(HighFd(fd));
  g_header_fd.store(HighFd(RawOpen(g_path, O_WRONLY | O_CLOEXEC)));
  g_trace_id = IdOf(g_fd.load());
  g_size = 0;
  g_room = 0;
  g_keep_room = true;
  g_stopped.store(false);
  g_cut.store(0);
  g_cap = ParseSize(getenv("THREADLENS_MAX_TRACE_SIZE"));
  g_limit = g_cap ? g_cap : ~0ull;
  rlimit fsize;
  if (getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY &&
      fsize.rlim_cur < g_limit) {
    g_limit = fsize.rlim_cur;
  }

  memset(&g_header, 0, sizeof g_header);
  memcpy(g_header.magic, trace::kMagic, sizeof g_header.magic);
  g_header.version = trace::kVersion;
  g_header.header_size = sizeof(trace::FileHeader);
  g_header.pid = static_cast<uint32_t>(getpid());
  g_header.recording = recording;
  g_header.ppid = static_cast<uint32_t>(getppid());
  g_header.clock_source = static_cast<uint32_t>(g_use_tsc ? trace::ClockSource::kTsc
                                                          : trace::ClockSource::kMonotonicNs);
  g_header.start_ticks = Now();
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  g_header.start_unix_ns =
      static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
  ssize_t n = readlink("/proc/self/exe", g_header.program, sizeof g_header.program - 1);
  if (n < 0) g_header.program[0] = 0;
  // Before tracing is on: the checksum's first call initializes a function-local static,
  // whose guard is intercepted as synchronization of the program.
  (void)trace::Crc32c(&g_header, sizeof g_header);
  WriteHeader(true, TicksPerSecond());
  return true;
}

void CloseTraceFiles() {
  for (std::atomic<int>* slot : {&g_fd, &g_header_fd}) {
    int fd = slot->exchange(-1);
    if (fd >= 0) RawClose(fd);
  }
  g_write_lock.Reset();
  g_write_owner.store(0);
}

}  // namespace threadlens::rt
