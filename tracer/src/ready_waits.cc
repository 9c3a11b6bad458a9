// Readiness waits on pipes and socket pairs (pipe_waits.h): a poll, select or epoll_wait
// without a time limit whose descriptors are all ends of the recording's pipes or socket
// pairs waits, like a blocking read, for what the holders of their other ends do; a wake-up
// by any of them ends it, so each of its ends is one of its thread's waits. Runs on the
// watchdog's thread: raw system calls, no allocation. The descriptors come from the call's
// own arguments (the kernel's word), read with process_vm_readv, which fails instead of
// faulting where the program passed a bad pointer.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pipe_waits.h"
#include "runtime.h"

namespace threadlens::rt {
namespace {

constexpr unsigned kMaxPollFds = 64;

bool ReadOwn(unsigned long addr, void* out, size_t n) {
  const iovec local{out, n}, remote{reinterpret_cast<void*>(addr), n};
  // (Every argument a long: a variadic int leaves the register's upper half undefined.)
  return syscall(SYS_process_vm_readv, static_cast<long>(getpid()), &local, 1ul, &remote, 1ul,
                 0ul) == static_cast<long>(n);
}

// Adds the key of `fd` turning readable (writable); false when `fd` is no end of the
// recording's (something outside it may wake the wait) or `keys` is full.
bool Add(const trace::SharedRecording& r, int fd, bool readable, uint64_t* keys, uint32_t max,
         uint32_t* n) {
  const uint64_t key = ReadyKey(r, fd, readable);
  if (!key) return false;
  for (uint32_t i = 0; i < *n; ++i) {
    if (keys[i] == key) return true;
  }
  if (*n == max) return false;
  keys[(*n)++] = key;
  return true;
}

constexpr short kReadable = POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND | POLLRDHUP;
constexpr uint32_t kEpollReadable = EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND | EPOLLRDHUP;

uint32_t PollKeys(const trace::SharedRecording& r, unsigned long fds, unsigned long count,
                  uint64_t* keys, uint32_t max) {
  if (count == 0 || count > kMaxPollFds) return 0;
  pollfd p[kMaxPollFds];
  if (!ReadOwn(fds, p, count * sizeof *p)) return 0;
  uint32_t n = 0;
  for (unsigned long i = 0; i < count; ++i) {
    if (p[i].fd < 0) continue;  // poll skips it
    // A hang-up is reported whatever was asked: it comes from the other end too.
    const bool readable = (p[i].events & kReadable) || !(p[i].events & POLLOUT);
    if (readable && !Add(r, p[i].fd, true, keys, max, &n)) return 0;
    if ((p[i].events & POLLOUT) && !Add(r, p[i].fd, false, keys, max, &n)) return 0;
  }
  return n;
}

uint32_t SelectKeys(const trace::SharedRecording& r, const unsigned long (&arg)[6],
                    uint64_t* keys, uint32_t max) {
  const long nfds = static_cast<long>(arg[0]);
  if (nfds <= 0 || nfds > FD_SETSIZE) return 0;
  const size_t bytes = (static_cast<size_t>(nfds) + 63) / 64 * 8;
  fd_set set[3];
  for (int k = 0; k < 3; ++k) {
    memset(&set[k], 0, sizeof set[k]);
    if (arg[1 + k] && !ReadOwn(arg[1 + k], &set[k], bytes)) return 0;
  }
  uint32_t n = 0;
  for (int fd = 0; fd < nfds; ++fd) {
    if (FD_ISSET(fd, &set[2])) return 0;  // an exceptional condition: not one a pipe has
    if (FD_ISSET(fd, &set[0]) && !Add(r, fd, true, keys, max, &n)) return 0;
    if (FD_ISSET(fd, &set[1]) && !Add(r, fd, false, keys, max, &n)) return 0;
  }
  return n;
}

// The descriptors of epoll set `ep` from the kernel's list (/proc/self/fdinfo: a line
// "tfd: FD events: MASK ..." each).
uint32_t EpollKeys(const trace::SharedRecording& r, int ep, uint64_t* keys, uint32_t max) {
  char text[4096];
  if (ReadFdInfo(ep, text, sizeof text) < 0) return 0;
  uint32_t n = 0;
  for (char* at = strstr(text, "tfd:"); at; at = strstr(at, "tfd:")) {
    char* end = nullptr;
    const long fd = strtol(at + 4, &end, 10);
    char* ev = strstr(end, "events:");
    if (end == at + 4 || !ev) return 0;
    const auto events = static_cast<uint32_t>(strtoul(ev + 7, &end, 16));
    const bool readable = (events & kEpollReadable) || !(events & EPOLLOUT);
    if (readable && !Add(r, static_cast<int>(fd), true, keys, max, &n)) return 0;
    if ((events & EPOLLOUT) && !Add(r, static_cast<int>(fd), false, keys, max, &n)) return 0;
    at = end;
  }
  return n;
}

}  // namespace

namespace {

uint32_t WaitKeys(const trace::SharedRecording& r, int32_t os_tid, uint64_t* keys,
                  uint32_t max) {
  long nr = 0;
  unsigned long arg[6];
  if (!SyscallOf(os_tid, &nr, arg)) return 0;
  // Only a wait without a time limit: one with a limit ends by itself.
  switch (nr) {
    case SYS_poll:
      return static_cast<int>(arg[2]) < 0 ? PollKeys(r, arg[0], arg[1], keys, max) : 0;
    case SYS_ppoll:
      return arg[2] == 0 ? PollKeys(r, arg[0], arg[1], keys, max) : 0;
    case SYS_select:
    case SYS_pselect6:
      return arg[4] == 0 ? SelectKeys(r, arg, keys, max) : 0;
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
      return static_cast<int>(arg[3]) < 0 ? EpollKeys(r, static_cast<int>(arg[0]), keys, max)
                                          : 0;
#ifdef SYS_epoll_pwait2
    case SYS_epoll_pwait2:
      return arg[3] == 0 ? EpollKeys(r, static_cast<int>(arg[0]), keys, max) : 0;
#endif
    default:
      return 0;
  }
}

}  // namespace

uint32_t ReadyWaitKeys(const trace::SharedRecording& r, int32_t os_tid, uint64_t* keys,
                       uint32_t max) {
  const uint32_t n = WaitKeys(r, os_tid, keys, max);
  // An eventfd among them the kernel may write itself: no verdict (one look per wait).
  bool eventfd = false;
  for (uint32_t i = 0; i < n; ++i) eventfd = eventfd || trace::EventfdEnd(keys[i]);
  return eventfd && KernelMayWriteEventfds() ? 0 : n;
}

}  // namespace threadlens::rt
