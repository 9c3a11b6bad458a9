// Readiness waits as synchronization (fd_sync.h): epoll, poll and select. A wait that
// reports a descriptor readable was woken by data sent through it: the eventfd write, pipe
// write or socket send that made it ready happens before the wait returns, as a read of the
// data would acquire it. So each of these waits acquires the channel of every descriptor it
// reports readable (EPOLLIN/POLLIN, or urgent data: EPOLLPRI/POLLPRI, select's exceptfds);
// writable or hung-up reports say nothing about a sender. A wait that may have blocked is
// followed by an ordering fence before the thread's next access (ResumeAfterWait): a wait
// that timed out records nothing else.
//
// An epoll set is also a descriptor with a channel of its own: registering a descriptor
// (epoll_ctl) happens before a wait that returns events. A returned event carries the
// registration's data, not the descriptor: epoll_ctl keeps, per descriptor, the set and
// data it was registered with, and a table from (set, data) to the descriptor. Most
// programs register the descriptor itself as data, found without the table. The table is
// lossy (a slot holds the last registration that hashed to it) and every hit is checked
// against the descriptor's own record: a miss only loses an edge. (Two descriptors of one
// set registered with the same data are one to the program too.)
#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include <atomic>
#include <cstdint>

#include "fd_sync.h"
#include "pipe_waits.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace {

constexpr int kMaxFds = 1 << 16;
constexpr size_t kSlots = 4096;

// Per descriptor: the set it is registered in (+1; 0: none) and the registration's data.
std::atomic<uint32_t> registered_in[kMaxFds];
std::atomic<uint64_t> registered_data[kMaxFds];
// (set, data) -> descriptor + 1, for data that is not the descriptor.
std::atomic<uint64_t> slot_data[kSlots];
std::atomic<uint32_t> slot_fd[kSlots];

size_t SlotOf(int ep, uint64_t data) {
  uint64_t h = (data ^ (static_cast<uint64_t>(ep) << 40)) * 0x9E3779B97F4A7C15ull;
  return (h >> 32) & (kSlots - 1);
}

bool RegisteredAs(int fd, int ep, uint64_t data) {
  return fd >= 0 && fd < kMaxFds &&
         registered_in[fd].load(std::memory_order_acquire) == static_cast<uint32_t>(ep) + 1 &&
         registered_data[fd].load(std::memory_order_relaxed) == data;
}

void Register(int ep, int op, int fd, const epoll_event* ev) {
  if (fd < 0 || fd >= kMaxFds || ep < 0) return;
  if (op == EPOLL_CTL_DEL || !ev) {
    registered_in[fd].store(0, std::memory_order_release);
    return;
  }
  const uint64_t data = ev->data.u64;
  registered_data[fd].store(data, std::memory_order_relaxed);
  registered_in[fd].store(static_cast<uint32_t>(ep) + 1, std::memory_order_release);
  if (static_cast<uint32_t>(data) != static_cast<uint32_t>(fd)) {
    const size_t s = SlotOf(ep, data);
    slot_data[s].store(data, std::memory_order_relaxed);
    slot_fd[s].store(static_cast<uint32_t>(fd) + 1, std::memory_order_release);
  }
}

// The descriptor a returned event stands for, or -1.
int Reported(int ep, uint64_t data) {
  const int as_fd = static_cast<int>(static_cast<uint32_t>(data));
  if (RegisteredAs(as_fd, ep, data)) return as_fd;
  const size_t s = SlotOf(ep, data);
  const int fd = static_cast<int>(slot_fd[s].load(std::memory_order_acquire)) - 1;
  return RegisteredAs(fd, ep, data) ? fd : -1;
}

namespace libc = threadlens::rt::tsan::libc;

// An array a wait reads and fills for the caller (poll's pollfds, select's sets).
void ReadAndFilled(const void* p, size_t n, uintptr_t pc) {
  libc::CallerRead(p, n, pc);
  libc::CallerWrite(p, n, pc);
}

void Returned(int ep, const epoll_event* events, int n, uintptr_t pc) {
  if (n <= 0) return;
  libc::CallerWrite(events, static_cast<size_t>(n) * sizeof *events, pc);
  threadlens::rt::fdsync::Received(ep, pc);
  for (int i = 0; i < n; ++i) {
    if (!(events[i].events & (EPOLLIN | EPOLLPRI))) continue;
    const int fd = Reported(ep, events[i].data.u64);
    if (fd >= 0) threadlens::rt::fdsync::Received(fd, pc);
  }
}

void PollReturned(const pollfd* fds, nfds_t n, int r, uintptr_t pc) {
  if (r >= 0) ReadAndFilled(fds, n * sizeof *fds, pc);
  for (nfds_t i = 0; r > 0 && i < n; ++i) {
    if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLPRI))) {
      threadlens::rt::fdsync::Received(fds[i].fd, pc);
    }
  }
}

void SelectReturned(int nfds, const fd_set* read, const fd_set* write, const fd_set* except,
                    int r, uintptr_t pc) {
  if (r >= 0 && nfds > 0) {
    const size_t bytes = (static_cast<size_t>(nfds) + 7) / 8;
    ReadAndFilled(read, bytes, pc);
    ReadAndFilled(write, bytes, pc);
    ReadAndFilled(except, bytes, pc);
  }
  if (r <= 0) return;
  for (int fd = 0; fd < nfds && fd < FD_SETSIZE; ++fd) {
    if ((read && FD_ISSET(fd, read)) || (except && FD_ISSET(fd, except))) {
      threadlens::rt::fdsync::Received(fd, pc);
    }
  }
}

int (*real_poll)(pollfd*, nfds_t, int);
int (*real_ppoll)(pollfd*, nfds_t, const timespec*, const sigset_t*);
int (*real_select)(int, fd_set*, fd_set*, fd_set*, timeval*);
int (*real_pselect)(int, fd_set*, fd_set*, fd_set*, const timespec*, const sigset_t*);
int (*real_epoll_create)(int);
int (*real_epoll_create1)(int);
int (*real_epoll_ctl)(int, int, int, epoll_event*);
int (*real_epoll_wait)(int, epoll_event*, int, int);
int (*real_epoll_pwait)(int, epoll_event*, int, int, const sigset_t*);
int (*real_epoll_pwait2)(int, epoll_event*, int, const timespec*, const sigset_t*);

// A zero timeout: the call polls and returns at once (no wait to order after).
bool Immediate(const timespec* t) { return t && t->tv_sec == 0 && t->tv_nsec == 0; }
bool Immediate(const timeval* t) { return t && t->tv_sec == 0 && t->tv_usec == 0; }
// A wait without a time limit marks its thread: on the recording's pipes and socket pairs
// alone, it may never end (ready_waits.cc).
struct ReadyWait : threadlens::rt::FdCall {
  ReadyWait(bool untimed, uintptr_t pc)
      : FdCall(threadlens::rt::kReadyWaitObj, pc, untimed) {}
};
// After a wait that may have blocked.
void Resume() { threadlens::rt::ResumeAfterWait(threadlens::rt::Started()); }

}  // namespace

namespace fdsync = threadlens::rt::fdsync;


TL_EXPORT int epoll_create(int size) {
  TL_REAL(epoll_create);
  int r = real(size);
  if (r >= 0) fdsync::Created(r, fdsync::NewChannel(), TL_CALLER_PC);
  return r;
}

TL_EXPORT int epoll_create1(int flags) {
  TL_REAL(epoll_create1);
  int r = real(flags);
  if (r >= 0) fdsync::Created(r, fdsync::NewChannel(), TL_CALLER_PC);
  return r;
}

TL_EXPORT int epoll_ctl(int ep, int op, int fd, epoll_event* ev) {
  TL_REAL(epoll_ctl);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(fd, pc);
  fdsync::Send(ep, pc);
  if (ev && op != EPOLL_CTL_DEL) libc::CallerRead(ev, sizeof *ev, pc);
  int r = real(ep, op, fd, ev);
  if (r == 0) Register(ep, op, fd, ev);
  return r;
}

TL_EXPORT int epoll_wait(int ep, epoll_event* events, int max, int timeout) {
  TL_REAL(epoll_wait);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(ep, pc);
  int r;
  {
    const ReadyWait mark(timeout < 0, pc);
    r = real(ep, events, max, timeout);
  }
  Returned(ep, events, r, pc);
  if (timeout != 0) Resume();
  return r;
}

TL_EXPORT int epoll_pwait(int ep, epoll_event* events, int max, int timeout, const sigset_t* mask) {
  TL_REAL(epoll_pwait);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(ep, pc);
  int r;
  {
    const ReadyWait mark(timeout < 0, pc);
    r = real(ep, events, max, timeout, mask);
  }
  Returned(ep, events, r, pc);
  if (timeout != 0) Resume();
  return r;
}

TL_EXPORT int epoll_pwait2(int ep, epoll_event* events, int max, const timespec* timeout,
                            const sigset_t* mask) {
  TL_REAL(epoll_pwait2);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(ep, pc);
  int r;
  {
    const ReadyWait mark(!timeout, pc);
    r = real(ep, events, max, timeout, mask);
  }
  Returned(ep, events, r, pc);
  if (!Immediate(timeout)) Resume();
  return r;
}

TL_EXPORT int poll(pollfd* fds, nfds_t n, int timeout) {
  TL_REAL(poll);
  const uintptr_t pc = TL_CALLER_PC;
  int r;
  {
    const ReadyWait mark(timeout < 0, pc);
    r = real(fds, n, timeout);
  }
  PollReturned(fds, n, r, pc);
  if (timeout != 0) Resume();
  return r;
}

TL_EXPORT int ppoll(pollfd* fds, nfds_t n, const timespec* timeout, const sigset_t* mask) {
  TL_REAL(ppoll);
  const uintptr_t pc = TL_CALLER_PC;
  int r;
  {
    const ReadyWait mark(!timeout, pc);
    r = real(fds, n, timeout, mask);
  }
  PollReturned(fds, n, r, pc);
  if (!Immediate(timeout)) Resume();
  return r;
}

TL_EXPORT int select(int nfds, fd_set* read, fd_set* write, fd_set* except, timeval* timeout) {
  TL_REAL(select);
  const uintptr_t pc = TL_CALLER_PC;
  int r;
  {
    const ReadyWait mark(!timeout, pc);
    r = real(nfds, read, write, except, timeout);
  }
  SelectReturned(nfds, read, write, except, r, pc);
  if (!Immediate(timeout)) Resume();
  return r;
}

TL_EXPORT int pselect(int nfds, fd_set* read, fd_set* write, fd_set* except,
                      const timespec* timeout, const sigset_t* mask) {
  TL_REAL(pselect);
  const uintptr_t pc = TL_CALLER_PC;
  int r;
  {
    const ReadyWait mark(!timeout, pc);
    r = real(nfds, read, write, except, timeout, mask);
  }
  SelectReturned(nfds, read, write, except, r, pc);
  if (!Immediate(timeout)) Resume();
  return r;
}
