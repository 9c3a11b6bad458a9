// File descriptors as synchronization and as shared objects (fd_sync.h); the interceptors
// that create, duplicate and close them are in intercept_open.cc, the readiness waits' in
// intercept_ready.cc. read/write/send/recv and pipe/socketpair/accept call in from
// tsan_libc_io.cc, and mmap (intercept_process.cc) records its mappings here.
//
// A descriptor's channel is a key (sync_keys.h): the same one for both ends of a pipe (their
// inode), of a socket pair (given at creation) and of a TCP or UDP connection made inside
// the process (its address pair), one per eventfd and epoll set. A send releases it, a
// receive that got data acquires it. A connect releases the key of the endpoint it connects
// to (a port, a Unix socket's path), and an accept on a listener bound there acquires it.
// Descriptors the runtime saw created (pipe, socket pair, socket, accept, eventfd, epoll,
// dup) are objects too: creation allocates their 8 bytes, close frees them, every call reads
// them, so a close racing a write is a race while a number closed in one thread and reused by
// another is not.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#include "fd_sync.h"
#include "process_tree.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "tsan_libc.h"

namespace threadlens::rt::fdsync {
namespace {

using trace::EventKind;

// Per descriptor number below kMaxFds: what the runtime knows (0: nothing yet).
constexpr int kMaxFds = 1 << 16;
constexpr uint64_t kResolved = 1ull << 63;  // the channel below is known (maybe none)
constexpr uint64_t kTracked = 1ull << 62;   // created by an intercepted call, not closed
constexpr uint64_t kHasChannel = 1ull << 61;
constexpr uint64_t kFreed = 1ull << 60;  // closed after being tracked, not reused since
std::atomic<uint64_t> table[kMaxFds];
std::atomic<uint8_t> named[kMaxFds];  // a name_variable record was written for the number
std::atomic<uint8_t> signal_fds[kMaxFds];  // the number is a signalfd
// The number is a regular file's or a directory's. Its close and its next holder's creation
// are no edge: every thread of a program that reads files opens and closes them, so the
// kernel's reuse of their numbers would order unrelated threads and hide their races
// (libgit2's filter registry, read under a shared lock and written by one reader). Tables
// of per-descriptor state are an event loop's, indexed by descriptors it can poll: sockets,
// pipes, eventfds, devices, which keep the edge.
std::atomic<uint8_t> regular[kMaxFds];

inline std::atomic<uint64_t>* Entry(int fd) {
  return fd >= 0 && fd < kMaxFds ? &table[fd] : nullptr;
}

// The recording thread for a call made at `pc`; not the runtime's own calls, and nobody in
// a program that records no memory access: its trace is not checked for races, which is
// all that descriptor objects and edges serve.
inline ThreadState* Recorder(uintptr_t pc) {
  if (InstrumentationFlag() != 0 || FromRuntime(pc)) return nullptr;
  return Started();
}

// The kernel maps and unmaps whole pages.
inline uint64_t PageRound(size_t len) { return (static_cast<uint64_t>(len) + 4095) & ~4095ull; }

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 31);
}

uint64_t HashAddress(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    return Mix(in.sin_addr.s_addr, in.sin_port);
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
  uint64_t w[2];
  memcpy(w, &in6.sin6_addr, sizeof w);
  return Mix(Mix(w[0], w[1]), in6.sin6_port);
}

// The endpoint a connection is made to and accepted at: a TCP or UDP port (not the address:
// a listener bound to every address accepts what was sent to 127.0.0.1, and IPv4 peers reach
// IPv6 listeners), or a Unix socket's path. 0: none.
uint64_t EndpointKey(const sockaddr* a, socklen_t n) {
  if (!a || n < sizeof(sa_family_t)) return 0;
  uint64_t h = 0;
  if (a->sa_family == AF_INET && n >= sizeof(sockaddr_in)) {
    h = Mix(1, reinterpret_cast<const sockaddr_in*>(a)->sin_port);
  } else if (a->sa_family == AF_INET6 && n >= sizeof(sockaddr_in6)) {
    h = Mix(1, reinterpret_cast<const sockaddr_in6*>(a)->sin6_port);
  } else if (a->sa_family == AF_UNIX && n > sizeof(sa_family_t)) {
    // The path's bytes (an abstract name starts with a 0 byte), up to a terminating 0.
    const char* path = reinterpret_cast<const char*>(a) + sizeof(sa_family_t);
    size_t len = n - sizeof(sa_family_t);
    for (size_t i = 1; i < len; ++i) {
      if (path[0] != 0 && path[i] == 0) len = i;
    }
    h = 2;
    for (size_t i = 0; i < len; ++i) h = Mix(h, static_cast<unsigned char>(path[i]));
  } else {
    return 0;
  }
  return kFdChannelBase | (Mix(h, 0x636f6e6e656374ull) & kFdChannelMask);
}

uint64_t OfInode(const struct stat& st) {
  return kFdChannelBase | (Mix(st.st_dev, st.st_ino) & kFdChannelMask);
}

// The channel of a descriptor the runtime did not see created, or 0. Raw system calls: the
// libc functions are intercepted themselves.
uint64_t ResolveChannel(int fd) {
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0) return 0;
  // A regular file is a channel too: a read that returns bytes another thread wrote got them
  // after that write (POSIX), whatever the descriptors.
  if (S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode)) return OfInode(st);
  if (!S_ISSOCK(st.st_mode)) return 0;
  // Both ends of a connection see the same address pair, each from its side. Unix sockets
  // other than socket pairs get no channel: their ends have nothing in common to key on.
  sockaddr_storage local{}, peer{};
  socklen_t ll = sizeof local, pl = sizeof peer;
  if (syscall(SYS_getsockname, fd, &local, &ll) != 0 ||
      syscall(SYS_getpeername, fd, &peer, &pl) != 0) {
    return 0;
  }
  if ((local.ss_family != AF_INET && local.ss_family != AF_INET6) ||
      peer.ss_family != local.ss_family) {
    return 0;
  }
  uint64_t a = HashAddress(local), b = HashAddress(peer);
  return kFdChannelBase | (Mix(a < b ? a : b, a < b ? b : a) & kFdChannelMask);
}

uint64_t Channel(int fd) {
  std::atomic<uint64_t>* e = Entry(fd);
  if (!e) return fd >= 0 ? ResolveChannel(fd) : 0;
  uint64_t v = e->load(std::memory_order_acquire);
  if (!(v & kResolved)) {
    uint64_t c = ResolveChannel(fd);
    v = e->fetch_or(kResolved | (c ? kHasChannel | c : 0), std::memory_order_acq_rel) | kResolved |
        (c ? kHasChannel | c : 0);
  }
  return v & kHasChannel ? v & (kFdChannelBase | kFdChannelMask) : 0;
}

// A use is recorded while the runtime knows what the number is: from a creation it saw
// until a creation it did not see could have reused it (none after an intercepted close:
// open, socket and friends are intercepted; libc's internal opens are not, but their
// descriptors are used inside libc too).
inline bool Tracked(int fd) {
  std::atomic<uint64_t>* e = Entry(fd);
  return e && (e->load(std::memory_order_acquire) & (kTracked | kFreed));
}

// Merge-order point: a plain record has no sequence number. A free before the real close
// and an allocation after a creation, each beside a relaxed fence (no edge), keep the old
// owner's records before the new owner's when the kernel hands a number on.

void Name(ThreadState* ts, int fd, uintptr_t pc) {
  if (named[fd].exchange(1, std::memory_order_relaxed)) return;
  char text[32] = "file descriptor ";
  size_t n = strlen(text);
  char digits[12];
  int d = 0;
  for (unsigned v = static_cast<unsigned>(fd); d == 0 || v; v /= 10) digits[d++] = '0' + v % 10;
  while (d > 0) text[n++] = digits[--d];
  uint32_t id = InternString(text, n);
  if (id) EmitTo(ts, EventKind::kNameVariable, 0, 8, id, FdObject(fd), pc);
}

// `fd` is no longer the object it was: a write of its bytes (a free when it was tracked).
void Closing(ThreadState* ts, int fd, uintptr_t pc) {
  std::atomic<uint64_t>* e = Entry(fd);
  if (!e) return;
  if (e->exchange(0, std::memory_order_acq_rel) & kTracked) {
    e->store(kFreed, std::memory_order_release);
    SyncProgramStack(ts, EventKind::kFree, pc);
    EmitTo(ts, EventKind::kFree, 0, 0, 0, FdObject(fd), pc);
    OrderFence(ts, pc);
  }
}

}  // namespace

// From the recording's counter: a socket pair made before a fork joins two processes, and
// channels made later in each must not meet.
uint64_t NewChannel() {
  return kFdChannelBase | (kFdChannelMask & (RecordingToken() | (1ull << 55)));
}

uint64_t InodeChannel(int fd) {
  struct stat st;
  return syscall(SYS_fstat, fd, &st) == 0 ? OfInode(st) : 0;
}

void Use(int fd, uintptr_t pc) {
  if (!Tracked(fd)) return;
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  // A use repeated since the thread's last release (a non-blocking read tried again and
  // again) tells the analyzer nothing new, as a repeated access does: the same cache drops it.
  const uint64_t obj = FdObject(fd);
  tsan::ThreadCtx& t = tsan::tls_ctx;
  if (t.mode == tsan::Mode::kOn && ts == t_state && !tsan::NewInEpoch(t, obj, 8, false)) return;
  SyncProgramStack(ts, EventKind::kRead, pc);
  EmitTo(ts, EventKind::kRead, 0, 8, 0, obj, pc);
}

void Send(int fd, uintptr_t pc) {
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  Use(fd, pc);
  if (uint64_t c = Channel(fd)) EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, c, pc);
}

void Connecting(int fd, const sockaddr* a, socklen_t n, uintptr_t pc) {
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  if (uint64_t k = EndpointKey(a, n)) EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, k, pc);
}

void Accepted(int listener, uintptr_t pc) {
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  sockaddr_storage local{};
  socklen_t n = sizeof local;
  if (syscall(SYS_getsockname, listener, &local, &n) != 0) return;
  if (uint64_t k = EndpointKey(reinterpret_cast<const sockaddr*>(&local), n)) {
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, k, pc);
  }
}

void Received(int fd, uintptr_t pc) {
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  if (uint64_t c = Channel(fd)) EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, c, pc);
}

uint64_t SysvQueueChannel(int id) {
  return kFdChannelBase | (Mix(static_cast<uint64_t>(id), 0x7379737620717565ull) & kFdChannelMask);
}

uint64_t SysvSemChannel(int id, unsigned num, bool zero) {
  const uint64_t key = static_cast<uint32_t>(id) | uint64_t{num} << 32;
  return kFdChannelBase |
         (Mix(key, zero ? 0x7379737620307aull : 0x73797376207365ull) & kFdChannelMask);
}

uint64_t FileLockChannel(int fd) {
  struct stat st;
  if (syscall(SYS_fstat, fd, &st) != 0) return 0;
  const uint64_t inode = Mix(st.st_dev, st.st_ino);
  return kFdChannelBase | (Mix(inode, 0x666c6f636b2078ull) & kFdChannelMask & ~1ull);
}

void SendOn(uint64_t channel, uintptr_t pc) {
  if (ThreadState* ts = Recorder(pc)) EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, channel, pc);
}

void ReceivedOn(uint64_t channel, uintptr_t pc) {
  if (ThreadState* ts = Recorder(pc)) EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, channel, pc);
}

void Created(int fd, uint64_t channel, uintptr_t pc) {
  std::atomic<uint64_t>* e = Entry(fd);
  ThreadState* ts = Recorder(pc);
  if (!e || !ts) {
    if (e) e->store(0, std::memory_order_release);
    return;
  }
  e->store(kTracked | (channel ? kResolved | kHasChannel | channel : 0), std::memory_order_release);
  struct stat st;
  const bool file = channel == 0 && syscall(SYS_fstat, fd, &st) == 0 &&
                    (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
  regular[fd].store(file, std::memory_order_release);
  // Whatever the number's last owner did before closing it happens before (per-descriptor
  // state such as a server's connection table, indexed by the number, passes on).
  if (!file) EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, FdNumberKey(fd), pc);
  OrderFence(ts, pc);
  EmitTo(ts, EventKind::kAlloc, 0, 0, 0, FdObject(fd), pc, 8);
  Name(ts, fd, pc);
}

namespace {

// The name of the memory a mapping holds: the path of the file open on `fd` (as the kernel
// gives it), or anonymous memory.
void NameMapping(ThreadState* ts, void* addr, int fd, uintptr_t pc) {
  uint32_t id = 0;
  if (fd >= 0) {
    char link[32], path[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const long n = syscall(SYS_readlinkat, AT_FDCWD, link, path, sizeof path);
    if (n > 0) id = InternString(path, static_cast<size_t>(n));
    if (id == 0) return;  // a file whose path is not known (no /proc) is no anonymous memory
  }
  EmitTo(ts, EventKind::kMapName, id ? trace::kMapFile : 0, 0, id,
         reinterpret_cast<uintptr_t>(addr), pc);
}

}  // namespace

// Mappings share the descriptors' recorder and merge-order fences: the unmapping thread's
// free comes before the real munmap, the mapping thread's allocation after the real mmap.
// Under ignores they are unchecked, as a malloc is.
void Mapped(void* addr, size_t len, uintptr_t pc, bool checked, int name) {
  ThreadState* ts = Recorder(pc);
  if (!ts || len == 0) return;
  SyncProgramStack(ts, EventKind::kAlloc, pc);
  OrderFence(ts, pc);
  if (name != kUnnamed) NameMapping(ts, addr, name, pc);
  const uint8_t flags = checked ? tsan::tls_ctx.HeapFlags() : trace::kHeapUnchecked;
  EmitTo(ts, EventKind::kAlloc, flags, 0, 0, reinterpret_cast<uintptr_t>(addr), pc,
         PageRound(len));
}

void Unmapping(void* addr, size_t len, uintptr_t pc) {
  ThreadState* ts = Recorder(pc);
  if (!ts || len == 0) return;
  SyncProgramStack(ts, EventKind::kFree, pc);
  EmitTo(ts, EventKind::kFree, tsan::tls_ctx.HeapFlags(), 0, 0, reinterpret_cast<uintptr_t>(addr), pc,
         PageRound(len));
  OrderFence(ts, pc);
}

void ReadDone(int fd, const void* buf, long r, uintptr_t pc) {
  if (r <= 0) return;
  Received(fd, pc);
  if (fd < 0 || fd >= kMaxFds || !signal_fds[fd].load(std::memory_order_acquire)) return;
  ThreadState* ts = Recorder(pc);
  if (!ts) return;
  const auto* info = static_cast<const signalfd_siginfo*>(buf);
  for (long k = 0; k < r / static_cast<long>(sizeof *info); ++k) {
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, SignalKey(static_cast<int>(info[k].ssi_signo)),
           pc);
  }
}

void SignalFd(int fd, bool created, uintptr_t pc) {
  if (fd < 0 || fd >= kMaxFds) return;
  if (created) Created(fd, 0, pc);
  signal_fds[fd].store(1, std::memory_order_release);
}

void Forget(int fd) {
  std::atomic<uint64_t>* e = Entry(fd);
  if (!e) return;
  uint64_t v = e->load(std::memory_order_acquire);
  if (!(v & kTracked) && v != 0) e->compare_exchange_strong(v, 0, std::memory_order_acq_rel);
}

// Before close, or dup2/dup3 onto an open number: `fd` stops being what it was.
void BeforeClose(int fd, uintptr_t pc) {
  if (fd >= 0 && fd < kMaxFds) signal_fds[fd].store(0, std::memory_order_release);
  if (ThreadState* ts = Recorder(pc)) {
    // Before the real close: once it is done the number can be handed out again.
    const bool file = fd >= 0 && fd < kMaxFds && regular[fd].exchange(0, std::memory_order_acq_rel);
    if (fd >= 0 && !file) EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, FdNumberKey(fd), pc);
    Closing(ts, fd, pc);
  } else if (std::atomic<uint64_t>* e = Entry(fd)) {
    e->store(0, std::memory_order_release);
  }
}

// An open descriptor the runtime saw created.
bool Open(int fd) {
  std::atomic<uint64_t>* e = Entry(fd);
  return e && (e->load(std::memory_order_acquire) & kTracked);
}

// dup2/dup3 onto a number in use only reads it, as in TSan: programs dup /dev/null over
// stdin, or a closed pipe over a socket to end its readers' reads, while other threads use it.
void BeforeDuplicate(int from, int to, uintptr_t pc) {
  Use(from, pc);
  if (from == to) return;
  if (Open(to)) {
    if (to < kMaxFds) signal_fds[to].store(0, std::memory_order_release);
    Use(to, pc);
    return;
  }
  BeforeClose(to, pc);
}

// After a duplication: `to` shares the open file of `from`, its channel and, when `from` was
// created where the runtime saw it, its tracking.
void Duplicated(int from, int to, uintptr_t pc) {
  std::atomic<uint64_t>* src = Entry(from);
  uint64_t v = src ? src->load(std::memory_order_acquire) : 0;
  uint64_t channel = v & kHasChannel ? v & (kFdChannelBase | kFdChannelMask) : 0;
  if ((v & kTracked) && from != to && Open(to)) {  // replaced in place: no new object
    Entry(to)->store(kTracked | (channel ? kResolved | kHasChannel | channel : 0),
                     std::memory_order_release);
    regular[to].store(regular[from].load(std::memory_order_acquire), std::memory_order_release);
  } else if (v & kTracked) {
    Created(to, channel, pc);
  } else if (std::atomic<uint64_t>* e = Entry(to)) {
    e->store(v, std::memory_order_release);
  }
}

}  // namespace threadlens::rt::fdsync
