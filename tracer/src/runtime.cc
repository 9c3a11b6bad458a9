// The tracer runtime core: configuration, per-thread buffers and their flushing, the string
// table, the module map, the file header, and the process events (exit, fork, fatal signals).
//
// Rules here (this code runs inside the user's program): no exceptions, no iostream, no
// malloc (memory comes from mmap), no pthread locks (the runtime intercepts them; it uses
// SpinLock on its slow paths). The hot path is EmitTo() in runtime_internal.h.
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "threadlens/crc32c.h"

namespace threadlens::rt {

using trace::BlockHeader;
using trace::BlockKind;
using trace::Event;
using trace::EventKind;

std::atomic<bool> g_enabled{false};
std::atomic<uint64_t> g_seq{0};
std::atomic<uint64_t> g_dropped{0};
bool g_use_tsc = false;
constinit thread_local ThreadState* t_state __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

ThreadState* const kDeadState = reinterpret_cast<ThreadState*>(1);

int g_fd = -1;         // O_APPEND: every block is one write, so blocks never interleave
int g_header_fd = -1;  // the same file without O_APPEND, to rewrite the header in place
char g_path[512];
trace::FileHeader g_header;
uint64_t g_start_tsc, g_start_mono;  // calibration baseline
uint64_t g_ticks_per_second = 1'000'000'000;

std::atomic<bool> g_closed{false};
std::atomic<bool> g_close_started{false};
std::atomic<uint64_t> g_events_written{0};
std::atomic<uint32_t> g_threads_seen{0};
std::atomic<uint32_t> g_next_tid{2};  // 1 is the main thread, 0 the runtime

SpinLock g_registry_lock;
ThreadState* g_registry = nullptr;
pthread_key_t g_exit_key;

// ---------------------------------------------------------------------------------------
// Small helpers that avoid libc functions which might take intercepted locks.

void* MapMemory(size_t n) {
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ReportFatal("out of memory for trace buffers");
  return p;
}

uint64_t MonoNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

uint64_t RealNs() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

// Writes all of the iovecs; one writev for the whole block keeps blocks whole under O_APPEND.
void WriteAll(int fd, iovec* iov, int n) {
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // disk full or fd closed by the program: the trace ends here
    }
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
}

void WriteBlock(BlockKind kind, uint32_t tid, uint32_t count, const void* payload, size_t size) {
  if (g_fd < 0) return;
  BlockHeader h{};
  h.magic = trace::kBlockMagic;
  h.kind = static_cast<uint32_t>(kind);
  h.tid = tid;
  h.count = count;
  h.payload_size = static_cast<uint32_t>(size);
  h.checksum = trace::Crc32c(payload, size);
  iovec iov[2] = {{&h, sizeof h}, {const_cast<void*>(payload), size}};
  WriteAll(g_fd, iov, size ? 2 : 1);
}

bool HasCpuFlag(const char* flag) {
  int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  char* flags = strstr(buf, "\nflags");
  if (!flags) return false;
  char* end = strchr(flags + 1, '\n');
  if (end) *end = 0;
  size_t len = strlen(flag);
  for (char* p = strstr(flags, flag); p; p = strstr(p + 1, flag)) {
    if (p[-1] == ' ' && (p[len] == ' ' || p[len] == 0)) return true;
  }
  return false;
}

void SetupClock() {
  g_use_tsc = HasCpuFlag("constant_tsc") && HasCpuFlag("nonstop_tsc");
  g_start_mono = MonoNs();
  if (!g_use_tsc) {
    g_ticks_per_second = 1'000'000'000;
    return;
  }
  // A first estimate over 2 ms; the header gets a better one at close.
  g_start_tsc = __rdtsc();
  uint64_t until = g_start_mono + 2'000'000;
  uint64_t m;
  do m = MonoNs();
  while (m < until);
  uint64_t t = __rdtsc();
  g_ticks_per_second = (t - g_start_tsc) * 1'000'000'000ull / (m - g_start_mono);
}

void Recalibrate() {
  if (!g_use_tsc) return;
  uint64_t m = MonoNs();
  uint64_t t = __rdtsc();
  if (m - g_start_mono > 50'000'000) {
    g_ticks_per_second = static_cast<uint64_t>(static_cast<double>(t - g_start_tsc) * 1e9 /
                                               static_cast<double>(m - g_start_mono));
  }
}

// ---------------------------------------------------------------------------------------
// String table: deduplicating, append-only. Each new string is written as its own kStrings
// block at once, under the lock, so it reaches the file before any event that names it.

constexpr uint32_t kStringSlots = 1 << 16;
constexpr size_t kArenaChunk = 1 << 20;
constexpr size_t kMaxStringLen = 4000;

struct StringSlot {
  uint64_t hash;
  const char* data;
  uint32_t len;
  uint32_t id;
};

SpinLock g_strings_lock;
StringSlot* g_string_slots = nullptr;
uint32_t g_string_count = 0;
uint32_t g_next_string_id = 1;
char* g_arena = nullptr;
size_t g_arena_left = 0;

uint64_t HashBytes(const char* s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
  return h | 1;  // 0 marks an empty slot
}

const char* ArenaCopy(const char* s, size_t n) {
  if (n > g_arena_left) {
    size_t chunk = n > kArenaChunk ? n : kArenaChunk;
    g_arena = static_cast<char*>(MapMemory(chunk));
    g_arena_left = chunk;
  }
  char* p = g_arena;
  memcpy(p, s, n);
  g_arena += n;
  g_arena_left -= n;
  return p;
}

void WriteStringBlock(uint32_t id, const char* s, uint32_t len) {
  char buf[sizeof(trace::StringEntry) + kMaxStringLen];
  trace::StringEntry e{id, len};
  memcpy(buf, &e, sizeof e);
  memcpy(buf + sizeof e, s, len);
  WriteBlock(BlockKind::kStrings, 0, 1, buf, sizeof e + len);
}

// ---------------------------------------------------------------------------------------
// Thread states.

ThreadState* NewState(uint32_t tid) {
  auto* ts = static_cast<ThreadState*>(MapMemory(sizeof(ThreadState)));
  // mmap memory is zeroed: every atomic and counter starts at 0.
  ts->tid = tid;
  return ts;
}

void Register(ThreadState* ts) {
  g_registry_lock.Lock();
  ts->prev = nullptr;
  ts->next = g_registry;
  if (g_registry) g_registry->prev = ts;
  g_registry = ts;
  g_registry_lock.Unlock();
  g_threads_seen.fetch_add(1, std::memory_order_relaxed);
}

void Unregister(ThreadState* ts) {
  g_registry_lock.Lock();
  if (ts->prev)
    ts->prev->next = ts->next;
  else
    g_registry = ts->next;
  if (ts->next) ts->next->prev = ts->prev;
  g_registry_lock.Unlock();
}

// Writes [flushed, pos) of `ts` as one block. Caller holds ts->flush_lock.
void FlushLocked(ThreadState* ts, bool owner) {
  uint32_t pos = ts->pos.load(std::memory_order_acquire);
  uint32_t from = ts->flushed;
  if (pos > from && !g_closed.load(std::memory_order_acquire)) {
    // Records are counted by their first byte, which the owner never changes once written.
    uint32_t count = 0;
    for (uint32_t at = from; at < pos; ++count) {
      at += (ts->buf[at] & trace::kPackedTag) ? trace::kPackedSize : sizeof(Event);
    }
    WriteBlock(BlockKind::kPackedEvents, ts->tid, count, ts->buf + from, pos - from);
    g_events_written.fetch_add(count, std::memory_order_relaxed);
  }
  if (owner) {
    ts->flushed = 0;
    ts->pos.store(0, std::memory_order_relaxed);
  } else {
    ts->flushed = pos;
  }
}

// Flushes another thread's buffer (or our own) without disturbing its owner: only the
// owner resets its buffer; others advance `flushed`.
void FlushThread(ThreadState* ts, bool from_signal) {
  bool owner = ts == t_state;
  if (from_signal) {
    if (!ts->flush_lock.TryLockFor(1000)) return;
  } else {
    ts->flush_lock.Lock();
  }
  FlushLocked(ts, owner && !from_signal);
  ts->flush_lock.Unlock();
}

void FlushEverything(bool from_signal) {
  if (from_signal) {
    if (!g_registry_lock.TryLockFor(1000)) return;
  } else {
    g_registry_lock.Lock();
  }
  for (ThreadState* ts = g_registry; ts; ts = ts->next) FlushThread(ts, from_signal);
  g_registry_lock.Unlock();
}

void ExitKeyDestructor(void* p) {
  auto* ts = static_cast<ThreadState*>(p);
  if (!ts || ts != t_state) return;
  ReleaseThreadStack();
  EmitTo(ts, EventKind::kThreadExit, 0, 0, 0, 0, 0);
  t_state = kDeadState;  // later destructors of this thread pass through untraced
  Unregister(ts);
  FlushThread(ts, false);
  munmap(ts, sizeof(ThreadState));
}

// ---------------------------------------------------------------------------------------
// Thread id map: pthread_t -> tid, open addressing, entries overwritten when glibc reuses a
// pthread_t for a new thread.

constexpr uint32_t kTidSlots = 1 << 16;
struct TidSlot {
  std::atomic<uint64_t> key;
  std::atomic<uint32_t> tid;
};
TidSlot* g_tid_map = nullptr;

uint32_t SlotIndex(uint64_t key, uint32_t mask) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdull;
  key ^= key >> 33;
  return static_cast<uint32_t>(key) & mask;
}

// Known-lock set (addresses), tombstone 1 after destroy.
constexpr uint32_t kLockSlots = 1 << 20;
std::atomic<uint64_t>* g_lock_set = nullptr;

// ---------------------------------------------------------------------------------------
// Modules (dl_iterate_phdr): base and extent of every loaded object, paths interned.

constexpr int kMaxModules = 512;
struct ModuleScan {
  trace::ModuleEntry entries[kMaxModules];
  int n;
};

int ModuleCallback(dl_phdr_info* info, size_t, void* data) {
  auto* scan = static_cast<ModuleScan*>(data);
  if (scan->n >= kMaxModules) return 1;
  uint64_t lo = ~0ull, hi = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_vaddr < lo) lo = ph.p_vaddr;
    if (ph.p_vaddr + ph.p_memsz > hi) hi = ph.p_vaddr + ph.p_memsz;
  }
  if (hi == 0) return 0;
  const char* name = info->dlpi_name;
  char exe[512];
  if (!name || !*name) {
    if (scan->n != 0) return 0;  // the vdso has no name either; only the first is the program
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = 0;
    name = exe;
  }
  trace::ModuleEntry& e = scan->entries[scan->n++];
  e.base = info->dlpi_addr;
  e.size = hi;  // extent from base: segments start at their p_vaddr above base
  e.path_id = InternString(name, strlen(name));
  e.reserved = 0;
  return 0;
}

void WriteModules() {
  static ModuleScan scan;  // large; the callers are serialized (init, close, fork child)
  scan.n = 0;
  dl_iterate_phdr(ModuleCallback, &scan);
  WriteBlock(BlockKind::kModules, 0, scan.n, scan.entries, scan.n * sizeof(trace::ModuleEntry));
}

// ---------------------------------------------------------------------------------------
// Trace file.

void WriteHeader(bool initial) {
  Recalibrate();
  g_header.ticks_per_second = g_ticks_per_second;
  if (initial) {
    trace::FileHeader h = g_header;
    iovec iov{&h, sizeof h};
    WriteAll(g_fd, &iov, 1);
  } else if (g_header_fd >= 0) {
    ssize_t r = pwrite(g_header_fd, &g_header, sizeof g_header, 0);
    (void)r;
  }
}

// Moves an fd out of the range programs tend to use and close.
int HighFd(int fd) {
  if (fd < 0) return fd;
  int hi = fcntl(fd, F_DUPFD_CLOEXEC, 700);
  if (hi < 0) return fd;
  close(fd);
  return hi;
}

bool OpenTraceFile(bool descendant) {
  const char* base = getenv("THREADLENS_TRACE");
  if (!base || !*base) return false;
  int fd = -1;
  if (!descendant) {
    snprintf(g_path, sizeof g_path, "%s", base);
    fd = open(g_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  } else {
    // One trace per process: a forked or exec'd descendant writes BASE.PID (BASE.PID.N if
    // this pid already wrote one before an exec).
    for (int n = 0; n < 100 && fd < 0; ++n) {
      if (n == 0)
        snprintf(g_path, sizeof g_path, "%s.%d", base, getpid());
      else
        snprintf(g_path, sizeof g_path, "%s.%d.%d", base, getpid(), n);
      fd = open(g_path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0 && errno != EEXIST) break;
    }
  }
  if (fd < 0) {
    char msg[640];
    int n = snprintf(msg, sizeof msg, "threadlens: cannot write trace %s: %s (tracing off)\n",
                     g_path, strerror(errno));
    ssize_t r = write(2, msg, n > 0 ? n : 0);
    (void)r;
    return false;
  }
  g_fd = HighFd(fd);
  g_header_fd = HighFd(open(g_path, O_WRONLY | O_CLOEXEC));

  memset(&g_header, 0, sizeof g_header);
  memcpy(g_header.magic, trace::kMagic, sizeof g_header.magic);
  g_header.version = trace::kVersion;
  g_header.header_size = sizeof(trace::FileHeader);
  g_header.pid = static_cast<uint32_t>(getpid());
  g_header.ppid = static_cast<uint32_t>(getppid());
  g_header.clock_source = static_cast<uint32_t>(g_use_tsc ? trace::ClockSource::kTsc
                                                          : trace::ClockSource::kMonotonicNs);
  g_header.start_ticks = Now();
  g_header.start_unix_ns = RealNs();
  ssize_t n = readlink("/proc/self/exe", g_header.program, sizeof g_header.program - 1);
  if (n < 0) g_header.program[0] = 0;
  WriteHeader(true);
  return true;
}

// Rewrites every interned string into a fresh trace (fork child).
void RewriteStrings() {
  for (uint32_t i = 0; i < kStringSlots; ++i) {
    const StringSlot& s = g_string_slots[i];
    if (s.hash) WriteStringBlock(s.id, s.data, s.len);
  }
}

// ---------------------------------------------------------------------------------------
// Fork: the child gets its own trace; the parent's unflushed events stay with the parent.

void ForkPrepare() {
  if (!g_enabled.load()) return;
  g_strings_lock.Lock();
  g_registry_lock.Lock();
}

void ForkParent() {
  if (!g_enabled.load()) return;
  g_registry_lock.Unlock();
  g_strings_lock.Unlock();
}

void ForkChild() {
  if (!g_enabled.load()) return;
  g_registry_lock.Reset();
  g_strings_lock.Reset();
  ThreadState* self = t_state;
  // The other threads do not exist in the child; their states are the parent's memory.
  for (ThreadState* ts = g_registry; ts;) {
    ThreadState* next = ts->next;
    if (ts != self) munmap(ts, sizeof(ThreadState));
    ts = next;
  }
  g_registry = nullptr;
  g_closed.store(false);
  g_close_started.store(false);
  g_events_written.store(0);
  g_threads_seen.store(0);
  if (g_fd >= 0) close(g_fd);
  if (g_header_fd >= 0) close(g_header_fd);
  g_fd = g_header_fd = -1;
  // Locks are announced again (kLockCreate at first use) in the child's trace.
  munmap(static_cast<void*>(g_lock_set), kLockSlots * sizeof(uint64_t));
  g_lock_set = static_cast<std::atomic<uint64_t>*>(MapMemory(kLockSlots * sizeof(uint64_t)));
  if (!OpenTraceFile(true)) {
    g_enabled.store(false);
    return;
  }
  RewriteStrings();
  WriteModules();
  if (reinterpret_cast<uintptr_t>(self) > 1) {
    self->pos.store(0);
    self->flushed = 0;
    self->flush_lock.Reset();
    Register(self);
    EmitTo(self, EventKind::kThreadStart, 0, 0, 0, 0, 0);
  }
  StartWatchdog();
}

// ---------------------------------------------------------------------------------------
// Fatal signals: flush what we have (the header stays incomplete), then die as before.

// Signals whose default action ends the process.
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS,  SIGILL,  SIGFPE,  SIGABRT, SIGTERM,
                                 SIGINT,  SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1,
                                 SIGUSR2, SIGXCPU, SIGXFSZ, SIGSYS,  SIGTRAP};

void FatalSignalHandler(int sig) {
  CloseTrace(false, false);
  signal(sig, SIG_DFL);
  raise(sig);
}

void InstallSignalHandlers() {
  for (int sig : kFatalSignals) {
    struct sigaction old;
    if (sigaction(sig, nullptr, &old) != 0) continue;
    if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO)) continue;  // the program's
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = FatalSignalHandler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigaction(sig, &sa, nullptr);
  }
}

void AtExit() { CloseTrace(true, false); }

}  // namespace

// ---------------------------------------------------------------------------------------

void SpinLock::Wait() { sched_yield(); }

uint64_t NowSlow() { return MonoNs(); }
uint64_t TicksPerSecond() { return g_ticks_per_second; }
const char* TracePath() { return g_path; }
bool TraceClosing() { return g_close_started.load(std::memory_order_acquire); }

uint32_t NextTid() { return g_next_tid.fetch_add(1, std::memory_order_relaxed); }

void TidMapSet(pthread_t t, uint32_t tid) {
  if (!g_tid_map) return;
  uint64_t key = static_cast<uint64_t>(t);
  for (uint32_t i = SlotIndex(key, kTidSlots - 1), probes = 0; probes < 64;
       ++probes, i = (i + 1) & (kTidSlots - 1)) {
    uint64_t k = g_tid_map[i].key.load(std::memory_order_acquire);
    if (k == 0) {
      if (!g_tid_map[i].key.compare_exchange_strong(k, key) && k != key) continue;
      k = key;
    }
    if (k == key) {
      g_tid_map[i].tid.store(tid, std::memory_order_release);
      return;
    }
  }
}

uint32_t TidMapGet(pthread_t t) {
  if (!g_tid_map) return 0;
  uint64_t key = static_cast<uint64_t>(t);
  for (uint32_t i = SlotIndex(key, kTidSlots - 1), probes = 0; probes < 64;
       ++probes, i = (i + 1) & (kTidSlots - 1)) {
    uint64_t k = g_tid_map[i].key.load(std::memory_order_acquire);
    if (k == 0) return 0;
    if (k == key) return g_tid_map[i].tid.load(std::memory_order_acquire);
  }
  return 0;
}

bool LockSetInsert(uint64_t addr) {
  if (!g_lock_set) return false;
  for (uint32_t i = SlotIndex(addr, kLockSlots - 1), probes = 0; probes < 128;
       ++probes, i = (i + 1) & (kLockSlots - 1)) {
    uint64_t k = g_lock_set[i].load(std::memory_order_acquire);
    if (k == addr) return false;
    if (k == 0) {
      if (g_lock_set[i].compare_exchange_strong(k, addr)) return true;
      if (k == addr) return false;
    }
  }
  return false;  // table crowded: the lock stays unannounced, its events are still traced
}

void LockSetErase(uint64_t addr) {
  if (!g_lock_set) return;
  for (uint32_t i = SlotIndex(addr, kLockSlots - 1), probes = 0; probes < 128;
       ++probes, i = (i + 1) & (kLockSlots - 1)) {
    uint64_t k = g_lock_set[i].load(std::memory_order_acquire);
    if (k == 0) return;
    if (k == addr) {
      g_lock_set[i].compare_exchange_strong(k, 1);  // tombstone keeps probe chains intact
      return;
    }
  }
}

SpinLock& RegistryLock() { return g_registry_lock; }
ThreadState* RegistryHead() { return g_registry; }

ThreadState* NewRuntimeState() {
  ThreadState* ts = NewState(kRuntimeTid);
  ts->is_runtime = true;
  Register(ts);
  g_threads_seen.fetch_sub(1, std::memory_order_relaxed);
  return ts;
}

ThreadState* StartThread(uint32_t tid, uint32_t parent_tid) {
  ThreadState* ts = NewState(tid);
  t_state = ts;
  Register(ts);
  pthread_setspecific(g_exit_key, ts);
  EmitTo(ts, EventKind::kThreadStart, 0, 0, 0, parent_tid, 0);
  TidMapSet(pthread_self(), tid);
  return ts;
}

ThreadState* CurrentSlow() {
  ThreadState* ts = t_state;
  if (ts == kDeadState || !g_enabled.load(std::memory_order_acquire)) return nullptr;
  if (ts) return ts->in_runtime ? nullptr : ts;
  // A thread the runtime did not start (created before tracing began, or by clone).
  return StartThread(NextTid(), 0);
}

void FlushOwn(ThreadState* ts) {
  // Re-entered from a signal handler (sem_post is async-signal-safe) while this thread holds
  // its own flush lock: waiting would never end, so the caller drops the event instead.
  if (ts->flushing) return;
  ts->flushing = true;
  ts->flush_lock.Lock();
  FlushLocked(ts, true);
  ts->flush_lock.Unlock();
  ts->flushing = false;
}

void CloseTrace(bool clean, bool watchdog) {
  if (!g_enabled.load()) return;
  // A vfork child shares our memory and file: closing would end the parent's trace.
  if (static_cast<uint32_t>(getpid()) != g_header.pid) return;
  if (g_close_started.exchange(true)) return;
  ThreadState* self = t_state;
  bool from_signal = !clean;
  if (clean && reinterpret_cast<uintptr_t>(self) > 1 && !self->is_runtime && !watchdog) {
    EmitTo(self, EventKind::kThreadExit, 0, 0, 0, 0, 0);
  }
  FlushEverything(from_signal);
  g_closed.store(true, std::memory_order_release);
  if (clean) {
    WriteModules();
    trace::EndRecord end{};
    end.events = g_events_written.load();
    end.threads = g_threads_seen.load();
    end.dropped = g_dropped.load();
    WriteBlock(BlockKind::kEnd, 0, 1, &end, sizeof end);
    g_header.flags |= trace::kHeaderComplete;
    if (watchdog) g_header.flags |= trace::kHeaderWatchdog;
  }
  WriteHeader(false);
  // Events after this point are not recorded; Current() keeps returning states so the
  // program runs on unchanged.
}

ThreadState* Current() { return CurrentFast(); }
bool Enabled() { return g_enabled.load(std::memory_order_relaxed); }

void Emit(EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32, uint64_t obj,
          uint64_t site) {
  ThreadState* ts = CurrentFast();
  if (ts) EmitTo(ts, kind, flags, aux16, aux32, obj, site);
}

// Declared weak by the ThreadSanitizer-ABI files: a non-sync event with a value in `seq`.
void EmitWithValue(EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32, uint64_t obj,
                   uint64_t site, uint64_t value) {
  ThreadState* ts = CurrentFast();
  if (ts) EmitTo(ts, kind, flags, aux16, aux32, obj, site, value);
}

uint64_t SyncEpoch() {
  ThreadState* ts = t_state;
  return reinterpret_cast<uintptr_t>(ts) > 1 ? ts->epoch : 0;
}

uint32_t InternString(const char* s, size_t len) {
  if (!g_enabled.load(std::memory_order_acquire) || !s) return 0;
  if (len > kMaxStringLen) len = kMaxStringLen;
  ThreadState* ts = t_state;
  bool guard = reinterpret_cast<uintptr_t>(ts) > 1;
  if (guard) ts->in_runtime = true;
  uint64_t h = HashBytes(s, len);
  g_strings_lock.Lock();
  uint32_t id = 0;
  uint32_t i = static_cast<uint32_t>(h) & (kStringSlots - 1);
  for (uint32_t probes = 0; probes < 256; ++probes, i = (i + 1) & (kStringSlots - 1)) {
    StringSlot& slot = g_string_slots[i];
    if (slot.hash == h && slot.len == len && memcmp(slot.data, s, len) == 0) {
      id = slot.id;
      break;
    }
    if (slot.hash == 0) {
      id = g_next_string_id++;
      slot.data = ArenaCopy(s, len);
      slot.len = static_cast<uint32_t>(len);
      slot.id = id;
      slot.hash = h;
      ++g_string_count;
      WriteStringBlock(id, s, static_cast<uint32_t>(len));
      break;
    }
  }
  if (id == 0) {  // table crowded: a fresh id without deduplication
    id = g_next_string_id++;
    WriteStringBlock(id, s, static_cast<uint32_t>(len));
  }
  g_strings_lock.Unlock();
  if (guard) ts->in_runtime = false;
  return id;
}

void FlushAll() {
  FlushEverything(false);
  WriteHeader(false);
}

void ReportFatal(const char* message) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "threadlens: fatal: %s\n", message);
  ssize_t r = write(2, buf, n > 0 ? n : 0);
  (void)r;
  abort();
}

// Runs before main (after libc is initialized). Interceptors called earlier pass through.
__attribute__((constructor(101))) static void InitRuntime() {
  ResolveReal();
  const char* path = getenv("THREADLENS_TRACE");
  if (!path || !*path) return;
  // The first traced process of a run writes THREADLENS_TRACE itself and marks the
  // environment, so descendants (fork, exec, spawn) write their own BASE.PID files.
  bool descendant = getenv("THREADLENS_TRACE_OWNER") != nullptr;
  SetupClock();
  if (!OpenTraceFile(descendant)) return;
  if (!descendant) {
    char pid[32];
    snprintf(pid, sizeof pid, "%d", getpid());
    setenv("THREADLENS_TRACE_OWNER", pid, 1);
  }
  g_string_slots = static_cast<StringSlot*>(MapMemory(kStringSlots * sizeof(StringSlot)));
  g_tid_map = static_cast<TidSlot*>(MapMemory(kTidSlots * sizeof(TidSlot)));
  g_lock_set = static_cast<std::atomic<uint64_t>*>(MapMemory(kLockSlots * sizeof(uint64_t)));
  pthread_key_create(&g_exit_key, ExitKeyDestructor);
  g_enabled.store(true, std::memory_order_release);
  WriteModules();

  ThreadState* main_state = NewState(1);
  t_state = main_state;
  Register(main_state);
  pthread_setspecific(g_exit_key, main_state);  // main may end with pthread_exit
  EmitTo(main_state, EventKind::kThreadStart, 0, 0, 0, 0, 0);
  TidMapSet(pthread_self(), 1);

  pthread_atfork(ForkPrepare, ForkParent, ForkChild);
  InstallSignalHandlers();
  atexit(AtExit);
  StartWatchdog();
}

// Library destructors run after atexit handlers; this catches an exit path that skipped them.
__attribute__((destructor)) static void FiniRuntime() { CloseTrace(true, false); }

}  // namespace threadlens::rt
