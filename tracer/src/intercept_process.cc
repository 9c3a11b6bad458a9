// Interceptors that tie processes together (process_tree.h): wait and friends acquire the
// reaped child's exit, mmap/munmap and sem_open/sem_close say which memory is shared;
// dlclose writes the module map before a library goes.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include "fd_sync.h"
#include "process_tree.h"
#include "runtime_internal.h"
#include "sync_keys.h"
#include "tsan_libc.h"
#include "watchdog.h"

namespace threadlens::rt {
namespace {

using trace::EventKind;

pid_t (*real_fork)();
pid_t (*real_waitpid)(pid_t, int*, int);
pid_t (*real_wait4)(pid_t, int*, int, rusage*);
int (*real_waitid)(idtype_t, id_t, siginfo_t*, int);
sem_t* (*real_sem_open)(const char*, int, ...);
using SpawnFn = int (*)(pid_t*, const char*, const posix_spawn_file_actions_t*,
                        const posix_spawnattr_t*, char* const[], char* const[]);
SpawnFn real_posix_spawn, real_posix_spawnp;

// The children this process started and has not reaped: a wait for any child waits for the
// one child when there is one, which the watchdog follows across processes (a parent holding a
// file lock its only child waits for). More than kMaxChildren: such waits stay unnamed.
constexpr int kMaxChildren = 64;
std::atomic<int32_t> g_children[kMaxChildren];
std::atomic<bool> g_children_overflow{false};

void ChildStarted(pid_t pid) {
  for (auto& c : g_children) {
    int32_t free = 0;
    if (c.compare_exchange_strong(free, pid)) return;
  }
  g_children_overflow.store(true);
}

void ChildReaped(pid_t pid) {
  for (auto& c : g_children) {
    int32_t v = pid;
    if (c.compare_exchange_strong(v, 0)) return;
  }
}

// The key of the child a wait for `pid` (waitpid's convention) waits for; 0 when it may be
// one of several (a process group, or more than one child). With no child seen started (a
// shell's vfork), ExitKey(0): the watchdog looks for it in the recording (ChildKey).
uint64_t WaitKey(pid_t pid) {
  if (pid > 0) return ExitKey(static_cast<uint32_t>(pid));
  if (pid < -1 || g_children_overflow.load()) return 0;
  int32_t only = 0;
  for (auto& c : g_children) {
    const int32_t v = c.load(std::memory_order_relaxed);
    if (v == 0) continue;
    if (only) return 0;
    only = v;
  }
  return ExitKey(static_cast<uint32_t>(only));
}

// The spawned program's environment gets the spawn's key (process_tree.h), in an array on
// the stack: up to kMaxSpawnEnv variables, more are spawned without the edge.
constexpr size_t kMaxSpawnEnv = 4096;
int Spawn(SpawnFn real, pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
          const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  char* env[kMaxSpawnEnv];
  char key[64];
  const bool keyed = ProcessSpawnPrepare(envp, env, kMaxSpawnEnv, key, sizeof key);
  const int r = real(pid, file, actions, attr, argv, keyed ? env : envp);
  if (r != 0 && keyed) ProcessSpawnFailed();
  if (r == 0) {
    if (pid) ChildStarted(*pid);
    else g_children_overflow.store(true);  // a child it cannot name
  }
  return r;
}
int (*real_sem_close)(sem_t*);
int (*real_dlclose)(void*);
void* (*real_dlopen)(const char*, int);

template <typename F>
F Real(F& fn, const char* name) {
  if (TL_UNLIKELY(!fn)) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return fn;
}

// `call()`, a wait for the child of exit key `key`, with `ts` marked blocked on it for the
// watchdog (null: not marked).
template <typename Call>
int ChildWait(ThreadState* ts, uint64_t key, uint64_t pc, Call call) {
  // The trace's stack is the waiting caller's (a watchdog record names where it waits).
  if (ts && ts == t_state) SyncProgramStack(ts, EventKind::kThreadJoinBegin, pc);
  return BlockedCall(ts, trace::BlockedOn::kProcess, key, pc, false, call);
}

// A wait for `pid` (waitpid's convention), marked unless WNOHANG.
template <typename Call>
pid_t WaitCall(pid_t pid, int options, uint64_t pc, Call call) {
  ThreadState* ts = options & WNOHANG ? nullptr : CurrentFast();
  return ChildWait(ts, ts ? WaitKey(pid) : 0, pc, call);
}

// A wait that reaped `pid` (it exited or was killed): its exit happened before.
void Reaped(pid_t pid, bool ended, uint64_t pc) {
  if (pid <= 0 || !ended) return;
  ChildReaped(pid);
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, ExitKey(static_cast<uint32_t>(pid)), pc);
  }
}

bool Ended(int status) { return WIFEXITED(status) || WIFSIGNALED(status); }

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;

// The atfork handlers (runtime.cc) do the rest: the fork edge, the child's own trace.
TL_EXPORT pid_t fork() {
  ForkStarting();
  pid_t r = Real(real_fork, "fork")();
  if (r > 0) ChildStarted(r);
  if (r == 0) {  // the parent's children are not the child's
    for (auto& c : g_children) c.store(0, std::memory_order_relaxed);
    g_children_overflow.store(false);
  }
  if (r < 0) {
    int saved = errno;
    ForkFailed();
    errno = saved;
  }
  return r;
}

TL_EXPORT int posix_spawn(pid_t* pid, const char* path, const posix_spawn_file_actions_t* actions,
                          const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  return Spawn(Real(real_posix_spawn, "posix_spawn"), pid, path, actions, attr, argv, envp);
}

TL_EXPORT int posix_spawnp(pid_t* pid, const char* file, const posix_spawn_file_actions_t* actions,
                           const posix_spawnattr_t* attr, char* const argv[], char* const envp[]) {
  return Spawn(Real(real_posix_spawnp, "posix_spawnp"), pid, file, actions, attr, argv, envp);
}

TL_EXPORT pid_t waitpid(pid_t pid, int* status, int options) {
  int own = 0;
  int* st = status ? status : &own;
  pid_t r = WaitCall(pid, options, TL_CALLER_PC,
                     [&] { return Real(real_waitpid, "waitpid")(pid, st, options); });
  int saved = errno;
  if (r > 0) tsan::libc::CallerWrite(status, sizeof *status, TL_CALLER_PC);
  if (r > 0) Reaped(r, Ended(*st), TL_CALLER_PC);
  errno = saved;
  return r;
}

// The C library waits inside these for a child it does not name: the watchdog finds it in
// the recording (ChildKey).
TL_EXPORT int system(const char* command) {
  static int (*real_system)(const char*);
  ThreadState* ts = command ? CurrentFast() : nullptr;  // system(NULL) only asks for a shell
  return ChildWait(ts, ExitKey(0), TL_CALLER_PC,
                   [&] { return Real(real_system, "system")(command); });
}

TL_EXPORT int pclose(FILE* stream) {
  static int (*real_pclose)(FILE*);
  return ChildWait(CurrentFast(), ExitKey(0), TL_CALLER_PC,
                   [&] { return Real(real_pclose, "pclose")(stream); });
}

TL_EXPORT pid_t wait(int* status) {
  int own = 0;
  int* st = status ? status : &own;
  pid_t r =
      WaitCall(-1, 0, TL_CALLER_PC, [&] { return Real(real_waitpid, "waitpid")(-1, st, 0); });
  int saved = errno;
  if (r > 0) tsan::libc::CallerWrite(status, sizeof *status, TL_CALLER_PC);
  if (r > 0) Reaped(r, Ended(*st), TL_CALLER_PC);
  errno = saved;
  return r;
}

namespace {

pid_t Wait4(pid_t pid, int* status, int options, rusage* usage, uintptr_t pc) {
  int own = 0;
  int* st = status ? status : &own;
  pid_t r = WaitCall(pid, options, pc,
                     [&] { return Real(real_wait4, "wait4")(pid, st, options, usage); });
  int saved = errno;
  if (r > 0) {
    tsan::libc::CallerWrite(status, sizeof *status, pc);
    tsan::libc::CallerWrite(usage, sizeof *usage, pc);
  }
  if (r > 0) Reaped(r, Ended(*st), pc);
  errno = saved;
  return r;
}

}  // namespace

TL_EXPORT pid_t wait4(pid_t pid, int* status, int options, rusage* usage) {
  return Wait4(pid, status, options, usage, TL_CALLER_PC);
}

TL_EXPORT pid_t wait3(int* status, int options, rusage* usage) {
  return Wait4(-1, status, options, usage, TL_CALLER_PC);
}

TL_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t* info, int options) {
  const pid_t pid = idtype == P_PID ? static_cast<pid_t>(id) : idtype == P_ALL ? -1 : -2;
  int r = WaitCall(pid, options, TL_CALLER_PC,
                   [&] { return Real(real_waitid, "waitid")(idtype, id, info, options); });
  int saved = errno;
  if (r == 0) tsan::libc::CallerWrite(info, sizeof *info, TL_CALLER_PC);
  // WNOWAIT leaves the child to be reaped again: its end still happened before.
  if (r == 0 && info && info->si_pid > 0) {
    const int code = info->si_code;
    Reaped(info->si_pid, code == CLD_EXITED || code == CLD_KILLED || code == CLD_DUMPED,
           TL_CALLER_PC);
  }
  errno = saved;
  return r;
}

// The runtime's own mappings come here too (they are private, or made by raw system call).
TL_EXPORT void* mmap(void* addr, size_t len, int prot, int flags, int fd, off_t offset) {
  long r = syscall(SYS_mmap, addr, len, static_cast<long>(prot), static_cast<long>(flags),
                   static_cast<long>(fd), static_cast<long>(offset));
  if (r == -1) return MAP_FAILED;
  const int saved = errno;
  // Memory of the process's own (private and anonymous, or shared with the kernel only) is
  // allocated and freed like a heap block.
  void* at = reinterpret_cast<void*>(r);
  const uint64_t pc = TL_CALLER_PC;
  // Any other mapping (a file's pages, memory shared with other processes) still ends the
  // life of what the range held, in this process's own terms: freed heap memory the C
  // library unmapped is no longer freed (an allocation left unchecked, before the shared
  // mapping's record gives the range its shared name).
  // Reports name the memory by the file mapped, or as anonymous memory.
  const int name = (flags & MAP_ANONYMOUS) ? fdsync::kAnonymous : fd;
  if (flags & MAP_SHARED) {
    fdsync::Mapped(at, len, pc, false, name);
    if (!MappedShared(at, len, flags, fd, offset, pc)) fdsync::Mapped(at, len, pc, true, name);
  } else {
    fdsync::Mapped(at, len, pc, (flags & MAP_ANONYMOUS) != 0, name);
  }
  errno = saved;
  return reinterpret_cast<void*>(r);
}

TL_EXPORT void* mmap64(void* addr, size_t len, int prot, int flags, int fd, off_t offset) {
  return mmap(addr, len, prot, flags, fd, offset);
}

TL_EXPORT int munmap(void* addr, size_t len) {
  const int saved = errno;
  if (!Unmapped(addr, len)) fdsync::Unmapping(addr, len, TL_CALLER_PC);
  errno = saved;
  return static_cast<int>(syscall(SYS_munmap, addr, len));
}

// System V shared memory: a segment is shared memory named by its id, whatever address each
// process attaches it at.
TL_EXPORT void* shmat(int shmid, const void* addr, int flags) {
  const long r = syscall(SYS_shmat, static_cast<long>(shmid), addr, static_cast<long>(flags));
  if (r == -1) return reinterpret_cast<void*>(-1);
  const int saved = errno;
  void* at = reinterpret_cast<void*>(r);
  struct shmid_ds ds;
  if (syscall(SYS_shmctl, static_cast<long>(shmid), static_cast<long>(IPC_STAT), &ds) == 0) {
    const uint64_t pc = TL_CALLER_PC;
    fdsync::Mapped(at, ds.shm_segsz, pc, false);
    AttachedSysv(at, ds.shm_segsz, shmid, pc);
  }
  errno = saved;
  return at;
}

TL_EXPORT int shmdt(const void* addr) {
  const int saved = errno;
  void* at = const_cast<void*>(addr);
  if (const size_t len = SharedLengthAt(at)) Unmapped(at, len);
  errno = saved;
  return static_cast<int>(syscall(SYS_shmdt, addr));
}

TL_EXPORT sem_t* sem_open(const char* name, int oflag, ...) {
  auto* real = Real(real_sem_open, "sem_open");
  sem_t* s;
  bool created = false;
  unsigned value = 0;
  if (oflag & O_CREAT) {
    va_list ap;
    va_start(ap, oflag);
    mode_t mode = va_arg(ap, mode_t);
    value = va_arg(ap, unsigned);
    va_end(ap);
    // O_CREAT alone does not say whether the semaphore was new (and `value` its count): try
    // to create it exclusively first, and open the existing one only when that fails.
    const int entry_errno = errno;
    s = real(name, oflag | O_EXCL, mode, value);
    created = s != SEM_FAILED;
    if (!created && !(oflag & O_EXCL) && errno == EEXIST) {
      errno = entry_errno;  // the probe's EEXIST is not the program's
      s = real(name, oflag, mode, value);
    }
  } else {
    s = real(name, oflag);
  }
  if (s != SEM_FAILED) {
    int saved = errno;
    OpenedNamedSemaphore(s, name, TL_CALLER_PC);
    if (created) SemInitialized(s, value, TL_CALLER_PC);
    errno = saved;
  }
  return s;
}

TL_EXPORT int sem_close(sem_t* s) {
  Unmapped(s, sizeof(sem_t));
  return Real(real_sem_close, "sem_close")(s);
}

// A library dlclose unloads would leave the map written at exit, and its accesses and frames
// unnamed: the map is written while it is still loaded; the map written at exit, or at the
// library's dlclose, names a library dlopen loaded. The loader's lock orders a dlclose
// before a later dlopen, which may map another library where the closed one was: its
// globals, at the same addresses, are new memory for the thread that opened it.
TL_EXPORT int dlclose(void* handle) {
  const int saved = errno;
  RecordModules();
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kHappensBefore, 0, 0, 0, kLoaderKey, TL_CALLER_PC);
  }
  errno = saved;
  return Real(real_dlclose, "dlclose")(handle);
}

// glibc searches the RUNPATH of dlopen's caller, which it finds from the return address: the
// real dlopen is reached by a tail call, so the caller stays the program's. The acquire
// therefore comes before the real call, not after.
TL_EXPORT void* dlopen(const char* file, int mode) {
  auto* real = Real(real_dlopen, "dlopen");
  if (ThreadState* ts = CurrentFast()) {
    const int saved = errno;
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, kLoaderKey, TL_CALLER_PC);
    errno = saved;
  }
  [[clang::musttail]] return real(file, mode);
}
