// The recording shared by the processes of a traced tree (process_tree.h): its counter, its
// id, and the records that tie processes together. Runs inside the program: raw system calls
// for the runtime's own mapping, no allocation, a spin lock only on mmap/munmap/fork paths.
#include "process_tree.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "thread_stack.h"
#include "threadlens/recording.h"

namespace threadlens::rt {

namespace {

using trace::kRecordingMagic;
using trace::SharedRecording;
constexpr int kSharedFdMin = 720;  // beside the runtime's other fds, above the program's
constexpr size_t kSharedBytes = trace::kRecordingBytes;

SharedRecording g_own{};  // when there is no shared mapping (it could not be made)
SharedRecording* g_recording = &g_own;

// Shared mappings the program holds now, so a fork child can write its inherited ones.
struct Mapping {
  uint64_t start, len, offset;
  uint32_t identity;  // string id
  uint64_t hash;      // of the identity's text: the same in every process
};
constexpr int kMaxMappings = 256;
Mapping g_maps[kMaxMappings];
int g_nmaps = 0;
SpinLock g_maps_lock;
// This thread holds g_maps_lock across a fork: the program's fork handlers may take locks,
// whose keys it then looks up without taking it again.
constinit thread_local bool t_holds_maps __attribute__((tls_model("initial-exec"))) = false;
void ChangedMaps() { g_shared_maps_version.fetch_add(1, std::memory_order_release); }
void MarkRegions(uint64_t start, uint64_t len) {
  const uint64_t first = start >> 21, last = (start + (len ? len - 1 : 0)) >> 21;
  for (uint64_t r = first; r <= last && r - first < (1u << kSharedRegionBits); ++r) {
    const uint64_t b = (r * 0x9e3779b97f4a7c15ull) >> (64 - kSharedRegionBits);
    g_shared_regions[b >> 6].fetch_or(1ull << (b & 63), std::memory_order_relaxed);
  }
}

// The forking thread's token, read again by the child (a copy of that thread) after the fork.
// Per thread: threads forking at once each name their own fork.
constinit thread_local uint64_t t_fork_token __attribute__((tls_model("initial-exec"))) = 0;
// A process some traced process may wait for (a fork child, or a descendant's new image);
// the first process's parent is the runner, which is not traced.
bool g_descendant = false;
bool g_exec = false;    // the trace closes for an exec: the process goes on in its new image
std::atomic<bool> g_forked{false};  // this process forked (a child's copy starts false)

void* RawMap(int fd) {
  // Every argument as a long: syscall() passes them on as the kernel's 64-bit words.
  long r = syscall(SYS_mmap, 0L, static_cast<long>(kSharedBytes), long{PROT_READ | PROT_WRITE},
                   long{MAP_SHARED}, static_cast<long>(fd), 0L);
  return r == -1 ? nullptr : reinterpret_cast<void*>(r);
}

uint64_t RandomId() {
  uint64_t id = 0;
  if (syscall(SYS_getrandom, &id, sizeof id, 0L) != sizeof id) {
    timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    id = (static_cast<uint64_t>(t.tv_nsec) << 20) ^ static_cast<uint64_t>(t.tv_sec) ^
         (static_cast<uint64_t>(getpid()) << 40);
  }
  return id ? id : 1;
}

// Creates the mapping, an fd that exec keeps, and says where it is in the environment.
SharedRecording* CreateShared(uint64_t id) {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "threadlens-recording", 0L));
  if (fd < 0) return nullptr;
  int hi = static_cast<int>(
      syscall(SYS_fcntl, static_cast<long>(fd), long{F_DUPFD}, long{kSharedFdMin}));
  syscall(SYS_close, fd);
  if (hi < 0) return nullptr;
  void* p = nullptr;
  if (syscall(SYS_ftruncate, static_cast<long>(hi), static_cast<long>(kSharedBytes)) != 0 ||
      !(p = RawMap(hi))) {
    syscall(SYS_close, hi);
    return nullptr;
  }
  auto* r = static_cast<SharedRecording*>(p);
  r->recording = id;
  r->seq.store(0);
  r->tokens.store(1);
  r->live.store(0);
  r->magic = kRecordingMagic;
  char num[32];
  snprintf(num, sizeof num, "%d", hi);
  setenv("THREADLENS_SHARED_FD", num, 1);
  return r;
}

// The recording's memory through descriptor `fd`, or nullptr when it is not that.
SharedRecording* MapShared(int fd, uint64_t id) {
  // The number may name something else by now (the program closed it, another file took
  // it): a file shorter than the mapping would fault when read.
  struct stat st;
  if (fd < 0 || syscall(SYS_fstat, static_cast<long>(fd), &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < kSharedBytes) {
    return nullptr;
  }
  void* p = RawMap(fd);
  if (!p) return nullptr;
  auto* r = static_cast<SharedRecording*>(p);
  if (r->magic == kRecordingMagic && r->recording == id) return r;
  syscall(SYS_munmap, p, kSharedBytes);
  return nullptr;
}

// Through the inherited descriptor; else, when the program closed it before an exec, through
// the runner's own (THREADLENS_SHARED_PATH, /proc/PID/fd/N: the runner outlives the tree).
SharedRecording* JoinShared(uint64_t id) {
  const char* fd_text = getenv("THREADLENS_SHARED_FD");
  SharedRecording* r = fd_text && *fd_text ? MapShared(atoi(fd_text), id) : nullptr;
  const char* path = getenv("THREADLENS_SHARED_PATH");
  if (!r && path && *path) {
    const int fd = static_cast<int>(
        syscall(SYS_openat, static_cast<long>(AT_FDCWD), path, long{O_RDWR | O_CLOEXEC}, 0L));
    r = MapShared(fd, id);
    if (fd >= 0) syscall(SYS_close, static_cast<long>(fd));
  }
  return r;
}

// A mapping is no synchronization, but another thread may just have unmapped its address:
// the fence puts the mapping after that unmap in the merged stream.
void EmitMapping(ThreadState* ts, const Mapping& m) {
  OrderFence(ts, 0);
  EmitTo(ts, trace::EventKind::kMapShared, 0, 0, m.identity, m.start, m.offset, m.len);
}

void Remember(uint64_t start, uint64_t len, uint64_t offset, const char* identity, size_t n,
              uint64_t pc) {
  (void)pc;
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
  for (size_t i = 0; i < n; ++i)
    hash = (hash ^ static_cast<unsigned char>(identity[i])) * 0x100000001b3ull;
  Mapping m{start, len, offset, InternString(identity, n), hash};
  g_maps_lock.Lock();
  if (g_nmaps < kMaxMappings) {
    MarkRegions(start, len);
    g_maps[g_nmaps] = m;
    __atomic_store_n(&g_nmaps, g_nmaps + 1, __ATOMIC_RELEASE);  // SharedLockKey's first look
    ChangedMaps();
  }
  g_maps_lock.Unlock();
  if (ThreadState* ts = CurrentFast()) EmitMapping(ts, m);
}

}  // namespace

std::atomic<uint64_t> g_shared_maps_version{0};
std::atomic<uint64_t> g_shared_regions[(1u << kSharedRegionBits) / 64];

// Every sync event takes its number here: the process's own counter until the recording
// is joined, then the one shared by the tree.
std::atomic<uint64_t>* g_seq = &g_own.seq;

uint64_t JoinRecording(bool descendant) {
  g_descendant = descendant;
  const char* id_text = getenv("THREADLENS_RECORDING");
  uint64_t id = id_text ? strtoull(id_text, nullptr, 16) : 0;
  if (SharedRecording* r = id ? JoinShared(id) : nullptr) {
    g_recording = r;
    g_seq = &r->seq;
    // A new image of the same process (exec) was counted live already, and a spawned
    // program by its parent.
    const char* exec_pid = getenv("THREADLENS_EXEC_PID");
    const bool counted =
        (exec_pid && atoi(exec_pid) == getpid()) || getenv("THREADLENS_SPAWN_KEY") != nullptr;
    if (!counted) r->live.fetch_add(1);
    ClaimLockSlot();
    return id;
  }
  if (descendant) {
    char msg[200];
    int n = snprintf(msg, sizeof msg,
                     "threadlens: process %d lost its recording's shared counter (its fd was "
                     "closed before exec); its trace is a recording of its own\n",
                     getpid());
    TerminalMessage(msg, n > 0 ? n : 0);
  }
  id = RandomId();
  char text[32];
  snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(id));
  setenv("THREADLENS_RECORDING", text, 1);
  if (SharedRecording* r = CreateShared(id)) {
    g_recording = r;
    g_seq = &r->seq;
    r->live.fetch_add(1);
    ClaimLockSlot();
  } else {
    g_own.recording = id;
  }
  return id;
}

trace::SharedRecording* SharedRecordingOrNull() {
  return g_recording == &g_own ? nullptr : g_recording;
}

namespace {
// SharedLockKey's search, under g_maps_lock.
uint64_t KeyOf(uint64_t addr) {
  uint64_t key = 0;
  for (int i = 0; i < g_nmaps && !key; ++i) {
    const Mapping& m = g_maps[i];
    if (addr - m.start < m.len)
      key = (m.hash ^ ((addr - m.start + m.offset) * 0x9e3779b97f4a7c15ull)) | 1;
  }
  // Not a file lock's (0x0c), a process end's (0x0e), a pipe end's or a settled process's
  // (0x0a, 0x0b: pipe_waits.h).
  const uint64_t top = key >> 56;
  if (IsFileLockKey(key) || top == 0x0e || top == 0x0a || top == 0x0b) key ^= 1ull << 63;
  return key;
}
}  // namespace

bool SharedLockKeyTry(uint64_t addr, uint64_t& key) {
  key = 0;
  if (__atomic_load_n(&g_nmaps, __ATOMIC_ACQUIRE) == 0) return true;
  if (t_holds_maps) {
    key = KeyOf(addr);
    return true;
  }
  if (!g_maps_lock.TryLockFor(64)) return false;
  key = KeyOf(addr);
  g_maps_lock.Unlock();
  return true;
}

uint64_t SharedLockKey(uint64_t addr) {
  // Most programs share no memory: no lock to take (a lock poll asks at every round).
  if (__atomic_load_n(&g_nmaps, __ATOMIC_ACQUIRE) == 0) return 0;
  const bool held = t_holds_maps;
  if (!held) g_maps_lock.Lock();
  const uint64_t key = KeyOf(addr);
  if (!held) g_maps_lock.Unlock();
  return key;
}

uint64_t RecordingToken() { return g_recording->tokens.fetch_add(1, std::memory_order_relaxed); }

void ProcessForkPrepare() {
  t_fork_token = RecordingToken();
  g_forked.store(true, std::memory_order_relaxed);
  Emit(trace::EventKind::kHappensBefore, 0, 0, 0, ForkKey(t_fork_token), 0);
  g_maps_lock.Lock();
  t_holds_maps = true;
}

void ProcessForkParent() {
  t_holds_maps = false;
  g_maps_lock.Unlock();
}

void ProcessForkChildReset() {
  t_holds_maps = false;
  g_maps_lock.Reset();
}

bool ProcessForked() { return g_forked.load(std::memory_order_relaxed); }

void ProcessForkChild() {
  g_descendant = true;
  g_forked.store(false, std::memory_order_relaxed);
  ClaimLockSlot();  // the parent's is the parent's
  fdsync::FileLocksForked();
  MainStackForked();
  FramesForked();
  ThreadState* ts = CurrentFast();
  if (!ts) return;
  EmitTo(ts, trace::EventKind::kHappensAfter, 0, 0, 0, ForkKey(t_fork_token), 0);
  for (int i = 0; i < g_nmaps; ++i) EmitMapping(ts, g_maps[i]);
}

bool ProcessSpawnPrepare(char* const envp[], char** env, size_t max, char* key, size_t key_size) {
  if (!Enabled()) return false;
  const uint64_t token = RecordingToken();
  size_t n = 0;
  static const char kName[] = "THREADLENS_SPAWN_KEY=";
  for (char* const* e = envp; e && *e; ++e) {
    if (strncmp(*e, kName, sizeof kName - 1) == 0) continue;
    if (n + 2 >= max) return false;  // a huge environment: spawned without the edge
    env[n++] = *e;
  }
  snprintf(key, key_size, "%s%llx", kName, static_cast<unsigned long long>(token));
  env[n++] = key;
  env[n] = nullptr;
  Emit(trace::EventKind::kHappensBefore, 0, 0, 0, SpawnKey(token), 0);
  g_recording->live.fetch_add(1);  // the child's, until it joins (it does not count itself)
  return true;
}

void ProcessSpawnFailed() { g_recording->live.fetch_sub(1); }

void ProcessSpawnedStart() {
  const char* key = getenv("THREADLENS_SPAWN_KEY");
  if (!key || !*key) return;
  Emit(trace::EventKind::kHappensAfter, 0, 0, 0, SpawnKey(strtoull(key, nullptr, 16)), 0);
  unsetenv("THREADLENS_SPAWN_KEY");
}

void ProcessExit() {
  if (!g_descendant || g_exec) return;
  Emit(trace::EventKind::kHappensBefore, 0, 0, 0, ExitKey(static_cast<uint32_t>(getpid())), 0);
}

bool ProcessExecPrepare(char* const envp[], char** env, size_t max, char* var, size_t var_size) {
  g_exec = true;
  static const char kName[] = "THREADLENS_EXEC_PID=";
  size_t n = 0;
  for (char* const* e = envp; e && *e; ++e) {
    if (strncmp(*e, kName, sizeof kName - 1) == 0) continue;
    if (n + 2 >= max) return false;
    env[n++] = *e;
  }
  snprintf(var, var_size, "%s%d", kName, getpid());
  env[n++] = var;
  env[n] = nullptr;
  return true;
}

void ProcessClosed(bool watchdog) {
  ReleaseLockSlot(watchdog);
  if (!g_exec) g_recording->live.fetch_sub(1);
}

void ForkStarting() { g_recording->live.fetch_add(1); }
void ForkFailed() { g_recording->live.fetch_sub(1); }

bool MappedShared(void* addr, size_t len, int flags, int fd, long long offset, uint64_t pc) {
  if (!(flags & MAP_SHARED) || !Enabled()) return false;
  char id[64];
  int n;
  if (flags & MAP_ANONYMOUS) {
    // Shared only with the processes forked from here on, at this same address.
    n = snprintf(id, sizeof id, "anon %d:%llx", getpid(),
                 static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(addr)));
    offset = 0;
  } else {
    struct stat st;
    if (syscall(SYS_fstat, fd, &st) != 0) return false;
    // A file of an anonymous inode (io_uring's rings) is no file another process opens: its
    // mappings are the process's own memory, allocated and freed like a heap block.
    struct statfs fs;
    if (syscall(SYS_fstatfs, fd, &fs) == 0 && fs.f_type == ANON_INODE_FS_MAGIC) return false;
    n = snprintf(id, sizeof id, "file %llx:%llx", static_cast<unsigned long long>(st.st_dev),
                 static_cast<unsigned long long>(st.st_ino));
  }
  if (n > 0) Remember(reinterpret_cast<uintptr_t>(addr), len, offset, id, n, pc);
  return n > 0;
}

void AttachedSysv(void* addr, size_t len, int shmid, uint64_t pc) {
  if (!Enabled()) return;
  char id[32];
  const int n = snprintf(id, sizeof id, "sysv %d", shmid);
  if (n > 0) Remember(reinterpret_cast<uintptr_t>(addr), len, 0, id, n, pc);
}

size_t SharedLengthAt(void* addr) {
  const uint64_t start = reinterpret_cast<uintptr_t>(addr);
  size_t len = 0;
  g_maps_lock.Lock();
  for (int i = 0; i < g_nmaps && !len; ++i) {
    if (g_maps[i].start == start) len = g_maps[i].len;
  }
  g_maps_lock.Unlock();
  return len;
}

bool Unmapped(void* addr, size_t len) {
  if (!Enabled()) return false;
  const uint64_t lo = reinterpret_cast<uintptr_t>(addr), hi = lo + len;
  ThreadState* ts = CurrentFast();
  bool shared = false;
  g_maps_lock.Lock();
  for (int i = 0; i < g_nmaps;) {
    Mapping& m = g_maps[i];
    if (m.start < hi && lo < m.start + m.len) {
      if (ts) EmitTo(ts, trace::EventKind::kUnmapShared, 0, 0, 0, m.start, 0, m.len);
      m = g_maps[g_nmaps - 1];
      __atomic_store_n(&g_nmaps, g_nmaps - 1, __ATOMIC_RELEASE);
      ChangedMaps();
      shared = true;
    } else {
      ++i;
    }
  }
  g_maps_lock.Unlock();
  if (shared && ts) OrderFence(ts, 0);  // before the address can be mapped again
  return shared;
}

void OpenedNamedSemaphore(void* sem, const char* name, uint64_t pc) {
  if (!Enabled() || !name) return;
  while (*name == '/') ++name;
  char id[300];
  int n = snprintf(id, sizeof id, "sem %s", name);
  if (n > 0) Remember(reinterpret_cast<uintptr_t>(sem), sizeof(sem_t), 0, id, n, pc);
}

}  // namespace threadlens::rt
