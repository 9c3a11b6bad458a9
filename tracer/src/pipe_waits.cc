// Deadlocks through pipes (pipe_waits.h). Runs in the interceptors (RecordingPipeMade) and on
// the watchdog's thread: raw system calls (the program's own are traced), no allocation, no
// lock but the seqlock of the recording's table.
#include "pipe_waits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "process_tree.h"
#include "runtime.h"
#include "threadlens/recording.h"
#include "threadlens/trace_watchdog.h"

namespace threadlens::rt {
namespace {

using trace::kMaxProcessSlots;
using trace::kMaxRecordingPipes;
using trace::kMaxRecordingSockets;
using trace::ProcessLocks;

// The inode of a pipe (not a named FIFO: anyone may open one) or, with `*socket` set, of a
// socket open on `fd`, or an eventfd's key (EventfdInode); 0 when it is none of these. One
// fstat for most: a poll looks at every descriptor.
uint64_t EndInode(int fd, bool* socket) {
  *socket = false;
  struct stat st {};
  if (syscall(SYS_fstat, static_cast<long>(fd), &st) != 0) return 0;
  if (S_ISSOCK(st.st_mode)) {
    *socket = true;
    return static_cast<uint64_t>(st.st_ino);
  }
  // An anonymous inode (eventfd, epoll, timerfd, signalfd) has no file type.
  if ((st.st_mode & S_IFMT) == 0) return EventfdInode(fd);
  if (!S_ISFIFO(st.st_mode) || !LinkStarts(fd, "pipe:[")) return 0;
  return static_cast<uint64_t>(st.st_ino);
}

bool IsEventfd(uint64_t inode) { return inode & trace::kEventfdInode; }

uint64_t PipeInode(int fd) {
  bool socket;
  const uint64_t inode = EndInode(fd, &socket);
  return socket ? 0 : inode;
}

uint64_t SocketInode(int fd) {
  bool socket;
  const uint64_t inode = EndInode(fd, &socket);
  return socket ? inode : 0;
}

// Whether thread `os_tid` is in the system call that reads (writes) `fd` now: the kernel's
// word, where the mark could be stale (a vfork child that marked its parent's thread, then
// ran exec) or the call done.
bool InCallOn(int32_t os_tid, int fd, bool write) {
  long nr = 0;
  unsigned long arg[6];
  if (!SyscallOf(os_tid, &nr, arg)) return false;
  // A socket call's flags (recvfrom's and sendto's fourth argument, recvmsg's and sendmsg's
  // third): one that does not wait returns at once.
  const unsigned long flags = nr == SYS_recvfrom || nr == SYS_sendto ? arg[3]
                              : nr == SYS_recvmsg || nr == SYS_sendmsg ? arg[2]
                                                                       : 0;
  if (flags & MSG_DONTWAIT) return false;
  const bool reads = nr == SYS_read || nr == SYS_readv || nr == SYS_recvfrom || nr == SYS_recvmsg;
  const bool writes =
      nr == SYS_write || nr == SYS_writev || nr == SYS_sendto || nr == SYS_sendmsg;
  return arg[0] == static_cast<unsigned long>(fd) && (write ? writes : reads);
}

size_t Slot(uint64_t inode) { return (inode * 0x9e3779b97f4a7c15ull) >> 53; }
static_assert(kMaxRecordingPipes == 1u << 11, "Slot hashes to 11 bits");

bool Registered(const trace::SharedRecording& r, uint64_t inode) {
  for (size_t i = 0, k = Slot(inode); i < kMaxRecordingPipes;
       ++i, k = (k + 1) % kMaxRecordingPipes) {
    const uint64_t v = r.pipes[k].load(std::memory_order_acquire);
    if (v == inode) return true;
    if (v == 0) return false;
  }
  return false;
}

size_t SocketSlot(uint64_t inode) { return (inode * 0x9e3779b97f4a7c15ull) >> 55; }
static_assert(kMaxRecordingSockets == 1u << 9, "SocketSlot hashes to 9 bits");

// The peer of a socket of a socket pair the recording made, 0 when it is none of those.
uint64_t PeerOf(const trace::SharedRecording& r, uint64_t inode) {
  for (size_t i = 0, k = SocketSlot(inode); i < kMaxRecordingSockets;
       ++i, k = (k + 1) % kMaxRecordingSockets) {
    const uint64_t v = r.sockets[k].inode.load(std::memory_order_acquire);
    if (v == inode) return r.sockets[k].peer.load(std::memory_order_acquire);
    if (v == 0) return 0;
  }
  return 0;
}

void AddPeer(trace::SharedRecording& r, uint64_t inode, uint64_t peer) {
  for (size_t i = 0, k = SocketSlot(inode); i < kMaxRecordingSockets;
       ++i, k = (k + 1) % kMaxRecordingSockets) {
    uint64_t v = 0;
    if (r.sockets[k].inode.compare_exchange_strong(v, inode) || v == inode) {
      r.sockets[k].peer.store(peer, std::memory_order_release);
      return;
    }
  }
  // The table is full: this pair's waits are left to the other rules (no verdict on them).
}

// Whether the pipe or socket of `inode` is one of the recording's: a pipe it made, or a socket
// with a peer (a pair, or a local connection).
bool OfRecording(const trace::SharedRecording& r, uint64_t inode, bool socket) {
  return socket ? PeerOf(r, inode) != 0 : Registered(r, inode);
}

// Whether a blocking call on `fd` gives up by itself (a socket's receive or send timeout).
bool TimesOut(int fd, bool write) {
  timeval tv{};
  socklen_t len = sizeof tv;
  if (syscall(SYS_getsockopt, static_cast<long>(fd), long{SOL_SOCKET},
              long{write ? SO_SNDTIMEO : SO_RCVTIMEO}, &tv, &len) != 0) {
    return true;  // cannot tell: no verdict
  }
  return tv.tv_sec != 0 || tv.tv_usec != 0;
}

bool HoldsKey(const ProcessLocks& p, uint64_t key) {
  for (uint32_t i = 0; i < p.holds; ++i) {
    if (trace::IsPipeEndKey(key) && p.hold[i] == kAnyPipeEnd) return true;
    if (KeptOut(key, p.hold[i])) return true;
  }
  return false;
}

ProcessLocks g_copy[kMaxProcessSlots];
bool g_used[kMaxProcessSlots];

void ReadSlots(trace::SharedRecording& r) {
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    g_used[i] = CopyLockSlot(r.processes[i], g_copy[i]) && Alive(g_copy[i].pid.load());
  }
}

}  // namespace

bool SyscallOf(int32_t os_tid, long* nr, unsigned long (&arg)[6]) {
  char path[64] = "/proc/self/task/";
  size_t n = AppendDigits(path, 16, static_cast<unsigned>(os_tid));
  memcpy(path + n, "/syscall", 9);
  const int f = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (f < 0) return false;
  char text[256];
  const long got = syscall(SYS_read, f, text, sizeof text - 1);
  syscall(SYS_close, f);
  if (got <= 0) return false;
  text[got] = 0;
  // "NR arg1 ... arg6 sp pc": the call's number in decimal, then its arguments in hex
  // ("running" when the thread is in none).
  char* end = nullptr;
  *nr = strtol(text, &end, 10);
  if (end == text || *end != ' ') return false;
  for (unsigned long& a : arg) {
    a = 0;
    if (*end == ' ') a = strtoul(end + 1, &end, 16);
  }
  return true;
}

uint64_t ReadyKey(const trace::SharedRecording& r, int fd, bool readable) {
  bool socket;
  const uint64_t inode = EndInode(fd, &socket);
  if (!inode || !OfRecording(r, inode, socket)) return 0;
  // A socket of a pair turns readable when its peer's holders write, writable when they read.
  if (socket) return trace::PipeEndKey(inode, readable, true);
  // An eventfd turns readable when a holder writes it (or the kernel: ReadyWaitKeys asks
  // KernelMayWriteEventfds once per wait); it is writable but for a full counter.
  if (IsEventfd(inode)) return readable ? trace::PipeEndKey(inode, true) : 0;
  // A pipe's end turns ready (or hung up) only by what the holders of its other end do.
  const long flags = syscall(SYS_fcntl, static_cast<long>(fd), long{F_GETFL});
  if (flags < 0 || (flags & O_ACCMODE) == O_RDWR) return 0;
  return trace::PipeEndKey(inode, (flags & O_ACCMODE) == O_RDONLY);
}

namespace {

void Register(trace::SharedRecording& r, uint64_t inode) {
  for (size_t i = 0, k = Slot(inode); i < kMaxRecordingPipes;
       ++i, k = (k + 1) % kMaxRecordingPipes) {
    uint64_t v = 0;
    if (r.pipes[k].compare_exchange_strong(v, inode) || v == inode) return;
  }
  // The table is full: this pipe's waits are left to the other rules (no verdict on them).
}

void ForgetPeer(trace::SharedRecording& r, uint64_t inode) {
  for (size_t i = 0, k = SocketSlot(inode); i < kMaxRecordingSockets;
       ++i, k = (k + 1) % kMaxRecordingSockets) {
    const uint64_t v = r.sockets[k].inode.load(std::memory_order_acquire);
    if (v == 0) return;
    if (v == inode) r.sockets[k].peer.store(0, std::memory_order_release);
  }
}

// A pipe (eventfd) or socket another process may now hold: its entry no longer matches (a
// pipe's keeps its slot, so that the probes of others pass it); a socket and its peer are no
// pair any more.
void Escape(trace::SharedRecording& r, uint64_t inode, bool socket) {
  constexpr uint64_t kEscaped = 1ull << 63;
  if (socket) {
    const uint64_t peer = PeerOf(r, inode);
    ForgetPeer(r, inode);
    if (peer) ForgetPeer(r, peer);
    return;
  }
  for (size_t i = 0, k = Slot(inode); i < kMaxRecordingPipes;
       ++i, k = (k + 1) % kMaxRecordingPipes) {
    uint64_t v = inode;
    if (r.pipes[k].compare_exchange_strong(v, inode | kEscaped) || v == 0) return;
  }
}

}  // namespace

void RecordingPipeMade(const int* fds) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  const uint64_t inode = r ? PipeInode(fds[0]) : 0;
  if (inode) Register(*r, inode);
}

void RecordingEventfdMade(int fd) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  const uint64_t inode = r ? EventfdInode(fd) : 0;
  if (inode) Register(*r, inode);
}

void RecordingEndsPassed(const msghdr* m) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || !m) return;
  for (cmsghdr* c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(const_cast<msghdr*>(m), c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
      bool socket;
      const uint64_t inode = EndInode(fd, &socket);
      if (inode) Escape(*r, inode, socket);
    }
  }
}

void RecordingSocketPairMade(const int* fds) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return;
  const uint64_t a = SocketInode(fds[0]), b = SocketInode(fds[1]);
  if (a && b) AddSocketPeers(*r, a, b);
}

void AddSocketPeers(trace::SharedRecording& r, uint64_t a, uint64_t b) {
  AddPeer(r, a, b);
  AddPeer(r, b, a);
}

uint32_t PipeWaitKeys(uint64_t obj, int32_t os_tid, uint64_t* keys, uint32_t max) {
  const trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || os_tid <= 0 || max == 0) return 0;
  if (obj == kReadyWaitObj) return ReadyWaitKeys(*r, os_tid, keys, max);
  const int fd = static_cast<int>(obj & 0xffffffffu);
  const bool write = obj >> 32 & 1;
  if (!InCallOn(os_tid, fd, write)) return 0;
  bool socket;
  const uint64_t inode = EndInode(fd, &socket);
  if (!inode || !OfRecording(*r, inode, socket)) return 0;
  // A descriptor that does not block returns at once: its thread only passes through (and
  // other processes' watchdogs, which see no call numbers, would count it as waiting).
  const long flags = syscall(SYS_fcntl, static_cast<long>(fd), long{F_GETFL});
  if (flags < 0 || (flags & O_NONBLOCK)) return 0;
  if (socket && TimesOut(fd, write)) return 0;
  // An eventfd's write waits only for a full counter (2^64 - 2): no verdict on it.
  if (IsEventfd(inode) && (write || KernelMayWriteEventfds())) return 0;
  // A reader waits for a holder of the write end; a writer for one of the read end. (A
  // socket's ends: see PipeEndKey.)
  keys[0] = trace::PipeEndKey(inode, !write, socket);
  return 1;
}

uint32_t HeldPipeEnds(uint64_t* out, uint32_t max) {
  const trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || max == 0) return 0;
  uint32_t n = 0;
  bool overflow = false;
  const bool listed = ForEachOpenFd([&](int fd) {
    bool socket;
    const uint64_t inode = EndInode(fd, &socket);
    if (!inode) return false;
    // A socket of a pair: its holder writes into its peer and reads what the peer sends.
    const uint64_t of = socket ? PeerOf(*r, inode) : Registered(*r, inode) ? inode : 0;
    if (!of) return false;
    const long flags = socket ? O_RDWR : syscall(SYS_fcntl, long{fd}, long{F_GETFL});
    if (flags < 0) return false;
    const int mode = static_cast<int>(flags & O_ACCMODE);
    for (int write_end = 0; write_end < 2 && !overflow; ++write_end) {
      if (mode != O_RDWR && (mode == O_WRONLY) != (write_end == 1)) continue;
      const uint64_t key = trace::PipeEndKey(of, write_end, socket);
      bool have = false;
      for (uint32_t i = 0; i < n && !have; ++i) have = out[i] == key;
      if (have) continue;
      if (n == max) overflow = true;
      else out[n++] = key;
    }
    return overflow;
  });
  if (!listed || overflow) {
    out[0] = kAnyPipeEnd;  // cannot tell: it may hold any
    return 1;
  }
  return n;
}

bool AnyPipeWait() {
  // The table as OnPipeKnot read it at the last poll: a poll's lag costs the verdict, which
  // needs two polls anyway, nothing; a read of its own would cost every poll.
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    for (uint32_t w = 0; g_used[i] && w < g_copy[i].waits; ++w) {
      if (trace::IsPipeEndKey(g_copy[i].wait[w])) return true;
    }
  }
  return false;
}

bool OnPipeKnot(uint32_t* pids, uint32_t max, uint32_t* count) {
  *count = 0;
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return false;
  ReadSlots(*r);
  // Every process of the recording that has not closed its trace must be seen: one without a
  // slot (more than kMaxProcessSlots), or a new image by exec that is not traced (an emptied
  // environment), may hold a pipe's end and use it.
  int64_t visible = 0;
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    visible += g_used[i] && !r->processes[i].ended.load(std::memory_order_acquire);
  }
  if (r->live.load(std::memory_order_acquire) > visible) return false;
  const uint32_t self = static_cast<uint32_t>(getpid());
  // The set: the processes whose threads are all blocked on what only the recording's
  // processes can end; then, until nothing changes, out goes each with a wait that a process
  // outside the set could end, or that no process can (an inconsistent copy, a holder gone).
  static bool in[kMaxProcessSlots];
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    in[i] = g_used[i] && HoldsKey(g_copy[i], KnotReadyKey(g_copy[i].pid.load()));
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
      if (!in[i]) continue;
      for (uint32_t w = 0; w < g_copy[i].waits && in[i]; ++w) {
        const uint64_t key = g_copy[i].wait[w];
        bool any = false, outside = false;
        // A wait for a child: the child, which ends only by a thread of its own.
        const bool child = IsExitKey(key) || (key >> 56) == 0x0b;
        const uint32_t pid = IsExitKey(key) ? trace::ExitKeyPid(key) : key & 0xffffffffu;
        for (uint32_t j = 0; j < kMaxProcessSlots; ++j) {
          if (!g_used[j]) continue;
          if (child ? g_copy[j].pid.load() != pid : !HoldsKey(g_copy[j], key)) continue;
          any = true;
          outside = outside || !in[j];
        }
        if (!any || outside) {
          in[i] = false;
          changed = true;
        }
      }
    }
  }
  bool mine = false, pipe = false;
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    if (!in[i]) continue;
    mine = mine || g_copy[i].pid.load() == self;
    for (uint32_t w = 0; w < g_copy[i].waits; ++w) {
      pipe = pipe || trace::IsPipeEndKey(g_copy[i].wait[w]);
    }
    if (*count < max) pids[(*count)++] = g_copy[i].pid.load();
  }
  return mine && pipe;
}

void AwaitKnotEnd(const uint32_t* pids, uint32_t count) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return;
  const uint32_t self = static_cast<uint32_t>(getpid());
  for (int round = 0; round < 100; ++round) {  // 10 ms apart
    bool waiting = false;
    for (uint32_t k = 0; k < count && !waiting; ++k) {
      if (pids[k] == self || !Alive(pids[k])) continue;
      bool ended = true;  // a process whose slot is gone has closed its trace
      for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
        if (r->processes[i].pid.load(std::memory_order_acquire) == pids[k]) {
          ended = r->processes[i].ended.load(std::memory_order_acquire) != 0;
        }
      }
      waiting = !ended;
    }
    if (!waiting) return;
    timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace threadlens::rt
