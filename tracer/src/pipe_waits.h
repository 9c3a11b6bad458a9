// Deadlocks through pipes (pipe_waits.cc): a thread blocked reading a pipe whose write end only
// blocked processes hold, or writing one whose read end only they hold, never wakes. The
// classic ones: a parent that waits for its child before it reads the child's output, which
// fills the pipe; a reader waiting for end of file while its own process (or a child that
// inherited it) still holds the write end.
//
// A read or write marks its thread (FdCall); the watchdog finds out at a poll whether the
// descriptor is a pipe the recording made, publishes the pipe ends its process holds, and
// looks for a set of processes whose threads are all blocked and wait only on one another.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

#include "runtime_internal.h"
#include "threadlens/recording.h"
#include "threadlens/trace_watchdog.h"
#include "watchdog.h"

namespace threadlens::rt {

// The runtime's own mark of a thread inside a read or write of a descriptor (never written
// to a trace): obj is FdWaitObj's. The watchdog turns it into BlockedOn::kPipe or ignores it.
inline constexpr uint8_t kBlockedOnFdIo = 200;
inline uint64_t FdWaitObj(int fd, bool write) {
  return static_cast<uint32_t>(fd) | (write ? 1ull << 32 : 0);
}

// A readiness wait without a time limit (poll, ppoll, select, pselect, epoll_wait,
// epoll_pwait): the mark's obj. The watchdog reads which descriptors it waits on from the
// system call's arguments.
inline constexpr uint64_t kReadyWaitObj = 1ull << 33;

// Marks the calling program thread as in a read (or write) of `fd` for its lifetime: declared
// before the real call, it ends after it (errno untouched). With `obj`: a mark of that object
// (kReadyWaitObj), made only when `active`.
class FdCall {
 public:
  FdCall(int fd, bool write, uint64_t pc) : FdCall(FdWaitObj(fd, write), pc, true) {}
  FdCall(uint64_t obj, uint64_t pc, bool active) {
    ThreadState* ts = active ? CurrentFast() : nullptr;
    if (!ts || ts->blocked_on.load(std::memory_order_relaxed) != 0) return;
    ts_ = ts;
    ts->blocked_obj.store(obj, std::memory_order_relaxed);
    ts->blocked_pc.store(pc, std::memory_order_relaxed);
    // Not a time (no clock read on every read and write): a number that changes with each
    // call, which is what the watchdog compares across its polls.
    ts->blocked_since.store(ts->blocked_since.load(std::memory_order_relaxed) + 1,
                            std::memory_order_relaxed);
    ts->blocked_on.store(kBlockedOnFdIo, std::memory_order_release);
  }
  ~FdCall() {  // (errno is the call's: nothing here sets it)
    if (!ts_) return;
    ClearBlocked(ts_);
    StopIfWatchdogEnding();
  }
  FdCall(const FdCall&) = delete;
  FdCall& operator=(const FdCall&) = delete;

 private:
  ThreadState* ts_ = nullptr;
};

// After pipe or pipe2 made `fds`: the pipe is one of the recording's.
void RecordingPipeMade(const int* fds);
// After eventfd made `fd`: the eventfd is one of the recording's, a pipe whose write end is
// every copy of it.
void RecordingEventfdMade(int fd);
// The program made eventfd `fd` at `pc` (eventfd, or the raw system call: intercept_futex.cc):
// a channel of its own (fd_sync.h), and one of the recording's.
void EventfdMade(int fd, uintptr_t pc);
// After sendmsg sent `m`: the pipe ends, eventfds and sockets of pairs it passed (SCM_RIGHTS)
// are no longer the recording's alone (the receiver may be a process it does not trace), and
// waits on them get no verdict.
void RecordingEndsPassed(const msghdr* m);
// Eventfds (eventfd_waits.cc). Whether `fd`'s link in /proc starts with `prefix`.
bool LinkStarts(int fd, const char* prefix);
// Reads /proc/self/fdinfo/`fd` into `text` (`size` bytes, ended by a NUL): its length, or -1
// when it cannot be read or does not fit.
long ReadFdInfo(int fd, char* text, size_t size);
// Calls `f(fd)` for each descriptor this process has open until it returns true. False when
// they cannot be listed, or there are more than 4096 (a server's thousands of sockets: a look
// at each at every poll would cost more than it tells).
template <typename F>
bool ForEachOpenFd(F&& f) {
  const int dir = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, "/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir < 0) return false;
  alignas(8) char entries[4096];
  uint32_t looked = 0;
  bool stop = false, listed = true;
  while (!stop) {
    const long got = syscall(SYS_getdents64, dir, entries, sizeof entries);
    if (got <= 0) break;
    for (long at = 0; at < got && !stop;) {
      const auto* d = reinterpret_cast<const struct dirent64*>(entries + at);
      at += d->d_reclen;
      char* end = nullptr;
      const long fd = strtol(d->d_name, &end, 10);
      if (end == d->d_name || *end || fd == dir || fd < 0) continue;
      listed = ++looked <= 4096;
      stop = !listed || f(static_cast<int>(fd));
    }
  }
  syscall(SYS_close, dir);
  return listed;
}
// An eventfd's key, as a pipe's inode: its number in the kernel ("eventfd-id" in its fdinfo)
// with trace::kEventfdInode set; 0 when `fd` is none, or the kernel does not number them.
uint64_t EventfdInode(int fd);
// Whether the kernel may write this process's eventfds by itself, so that no wait on one
// gets a verdict: it holds an io_uring (an eventfd registered with one is written as
// completions post) or an AIO context (a request with IOCB_FLAG_RESFD writes one when it
// completes), or there is no telling.
bool KernelMayWriteEventfds();
// After socketpair made `fds`: each socket is one of the recording's, with the other as peer.
void RecordingSocketPairMade(const int* fds);
// After a connect or accept joined stream socket `fd` to another socket of this machine: the
// two are a pair, as a socketpair's (socket_peers.cc).
void RecordingStreamConnected(int fd);
// Enters sockets `a` and `b` (inodes) in the recording's table, each the other's peer.
void AddSocketPeers(trace::SharedRecording& r, uint64_t a, uint64_t b);
// For a thread marked by FdCall with `obj` (kernel thread id `os_tid`): the PipeEndKeys it
// waits on, in `keys` (at most `max`), when it is in the read (write) system call of a blocking
// pipe of the recording, or of a socket of a socket pair it made (without a timeout), or in a
// readiness wait without a time limit whose descriptors are all such ends (a wake-up by any
// of them ends it); else 0 (a file, another socket, a pipe from outside, a call not made yet,
// more than `max` ends: it counts as running, as before it was marked).
uint32_t PipeWaitKeys(uint64_t obj, int32_t os_tid, uint64_t* keys, uint32_t max);
// The key a wait for `fd` to turn readable (writable) waits on, when `fd` is an end of a pipe
// of the recording or a socket of a socket pair it made; 0 otherwise (ready_waits.cc).
uint64_t ReadyKey(const trace::SharedRecording& r, int fd, bool readable);
// The system call thread `os_tid` is in now, with its six arguments; false when it is in none
// (or the kernel does not say).
bool SyscallOf(int32_t os_tid, long* nr, unsigned long (&arg)[6]);
// The keys of a readiness wait thread `os_tid` is in (PipeWaitKeys; ready_waits.cc).
uint32_t ReadyWaitKeys(const trace::SharedRecording& r, int32_t os_tid, uint64_t* keys,
                       uint32_t max);
// The ends of the recording's pipes this process holds, as PipeEndKeys; when there are more
// than `max`, or more than 4096 descriptors to look at, one key that stands for every end
// (kAnyPipeEnd) instead.
uint32_t HeldPipeEnds(uint64_t* out, uint32_t max);
inline constexpr uint64_t kAnyPipeEnd = (0x0aull << 56) | ((1ull << 56) - 1);
// The key a process publishes when every thread of it is blocked on something only the
// recording's processes can end: a pipe of the recording, a child, a lock, or an object of its
// private memory. 0x0b in the top byte.
inline uint64_t KnotReadyKey(uint32_t pid) { return (0x0bull << 56) | pid; }
// A wait for the child of exit key `exit` (sync_keys.h) that only the rule of pipes counts:
// published while another thread of the process waits on a pipe.
inline uint64_t KnotChildKey(uint64_t exit) {
  return exit ? (0x0bull << 56) | (1ull << 40) | trace::ExitKeyPid(exit) : 0;
}
inline bool IsKnotKey(uint64_t key) { return (key >> 56) == 0x0a || (key >> 56) == 0x0b; }
// Whether some process of the recording had a thread blocked on a pipe at the last poll's
// OnPipeKnot: then every process publishes the pipe ends it holds.
bool AnyPipeWait();
// True when this process is in a set of processes that each published KnotReadyKey and
// whose waits (pipes, children, shared locks) only processes of the set can end, and some
// wait of the set is on a pipe. Fills `pids` with the set (at most `max`).
bool OnPipeKnot(uint32_t* pids, uint32_t max, uint32_t* count);
// After the watchdog ended this process on such a set: waits (a second at most) until the
// set's other processes have ended too: this one's exit closes its pipe ends, which would
// wake the others before their watchdogs wrote where they waited.
void AwaitKnotEnd(const uint32_t* pids, uint32_t count);

}  // namespace threadlens::rt
