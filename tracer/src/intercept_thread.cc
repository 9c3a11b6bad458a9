// pthread interceptors for threads (create, join, tryjoin, timed join, detach) and the process
// exits that skip atexit (_exit, exec). std::thread and std::jthread reach these unchanged.
// A thread's exit is traced by a pthread key destructor (runtime.cc), which also covers
// pthread_exit (which only keeps its call site).
#include <alloca.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process_tree.h"
#include "runtime_internal.h"
#include "schedule.h"
#include "thread_stack.h"
#include "tsan_libc.h"
#include "tsan_thread.h"
#include "watchdog.h"

namespace threadlens::rt {

int (*real_pthread_create)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
void (*real__exit)(int);

namespace {

using trace::EventKind;

int (*real_join)(pthread_t, void**);
int (*real_tryjoin)(pthread_t, void**);
int (*real_timedjoin)(pthread_t, void**, const timespec*);
int (*real_clockjoin)(pthread_t, void**, clockid_t, const timespec*);
int (*real_detach)(pthread_t);
void (*real_pthread_exit)(void*);
void (*real__Exit)(int);
int (*real_execve)(const char*, char* const[], char* const[]);
int (*real_execvpe)(const char*, char* const[], char* const[]);
int (*real_fexecve)(int, char* const[], char* const[]);

template <typename F>
void Resolve(F& fn, const char* name) {
  if (!fn) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

#define ENSURE(fn)                       \
  do {                                   \
    if (TL_UNLIKELY(!fn)) ResolveReal(); \
  } while (0)

struct StartArgs {
  void* (*fn)(void*);
  void* arg;
  uint32_t tid;
  uint32_t parent;
  sigset_t mask;  // the creator's signal mask, which the thread gets once it records
};

void* Trampoline(void* p) {
  StartArgs a = *static_cast<StartArgs*>(p);
  if (g_enabled.load(std::memory_order_acquire)) {
    ThreadState* ts = StartThread(a.tid, a.parent);
    ts->counted = true;
    RecordOwnStack(ts);
    ScheduleStart(ts);
  } else {
    ProgramThreadNotCreated();
  }
  // Freed only once the thread is registered: with the heap interposer of instrumented
  // programs, a free before that would create a second, never-ending thread state.
  free(p);
  pthread_sigmask(SIG_SETMASK, &a.mask, nullptr);
  return a.fn(a.arg);
}

// The detaches recorded in this process, each counted after its record: a tryjoin finds a
// detached thread that still runs busy too, and such a try is a misuse the spin's earlier
// record does not stand for.
std::atomic<uint32_t> g_detaches{0};

// `ret`: where the join stores the thread's result (written once it joined, when recorded).
template <typename Join>
int TracedJoin(pthread_t t, void** ret, uint8_t flags, uint64_t pc, Join join) {
  ThreadState* ts = CurrentFast();
  if (!ts) return join();
  uint32_t tid = TidMapGet(t);
  ScheduleStep(ts);
  const uint32_t detaches =
      (flags & trace::kTry) ? g_detaches.load(std::memory_order_acquire) : 0;  // a tryjoin's
  bool blocks = !(flags & (trace::kTry | trace::kTimed));
  if (!(flags & trace::kTry)) EmitTo(ts, EventKind::kThreadJoinBegin, flags, 0, 0, tid, pc);
  if (blocks) SetBlocked(ts, trace::BlockedOn::kJoin, tid, pc);
  if (!(flags & trace::kTry)) ScheduleBlock(ts);
  int r;
  {
    tsan::LibraryHeapScope heap;
    r = join();
  }
  if (!(flags & trace::kTry)) ScheduleUnblock(ts);
  if (blocks) ClearBlocked(ts);
  uint8_t f = flags | (r == ETIMEDOUT ? trace::kTimedOut : 0) | (r != 0 ? trace::kFailed : 0);
  if ((flags & trace::kTry) && r == EBUSY) {
    // A tryjoin spin: a try that finds the thread still running does nothing in the
    // analysis, so the same try right after it, with no detach since, is counted on its
    // record (docs/trace-format.md, Repeats).
    if (ts == t_state) SyncProgramStack(ts, EventKind::kThreadJoin, pc);
    if (detaches != ts->join_try_detaches ||
        !FoldRepeat(ts, EventKind::kThreadJoin, f, 0, tid, pc)) {
      ts->join_try_detaches = detaches;
      EmitTo(ts, EventKind::kThreadJoin, f, 0, 0, tid, pc);
    }
    ScheduleYield(ts);  // a spin under a schedule passes the turn, as a trylock's does
    return r;
  }
  EmitTo(ts, EventKind::kThreadJoin, f, 0, 0, tid, pc);
  if (r == 0) tsan::libc::CallerWrite(ret, sizeof *ret, pc);
  return r;
}

// exec replaces the image: end this process's trace cleanly first. The new image starts a
// trace of its own (BASE.PID.N), and finds THREADLENS_EXEC_PID in the environment `env`,
// made from `envp` in an array on the caller's stack with room for `room` entries. (Not
// setenv: a new variable may move the array `environ`, which the caller may be passing as
// `envp`: the exec then failed with EFAULT.)
constexpr size_t kMaxExecEnv = 2048;
char* const* BeforeExec(char* const envp[], char** env, size_t room, char* var,
                        size_t var_size) {
  char* const* use = envp;
  if (Enabled() && ProcessExecPrepare(envp, env, room, var, var_size)) use = env;
  CloseTrace(true, false);
  return use;
}

// The entries `envp` needs in BeforeExec's array (counted up to kMaxExecEnv: a larger
// environment is passed on as it is).
size_t ExecEnvRoom(char* const envp[]) {
  size_t n = 0;
  while (envp && envp[n] && n < kMaxExecEnv) ++n;
  return n + 2;
}

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;

using threadlens::trace::EventKind;

// Sized to the environment: a thread with a small stack may exec.
#define TL_EXEC_ENV(envp)                                                   \
  const size_t room_ = ExecEnvRoom(envp);                                   \
  char** env_ = static_cast<char**>(alloca(room_ * sizeof(char*)));         \
  char var_[48];                                                            \
  char* const* exec_env = BeforeExec(envp, env_, room_, var_, sizeof var_)

namespace {

// The runtime's static TLS (its shadow call stack and access cache, about 17 KiB), which
// glibc carves out of every thread's stack, rounded up to pages.
size_t RuntimeTlsBytes() {
  const auto* ehdr = reinterpret_cast<const ElfW(Ehdr)*>(__ehdr_start);
  const auto* ph = reinterpret_cast<const ElfW(Phdr)*>(__ehdr_start + ehdr->e_phoff);
  for (int i = 0; i < ehdr->e_phnum; ++i) {
    if (ph[i].p_type == PT_TLS) return (ph[i].p_memsz + ph[i].p_align + 4095) & ~size_t{4095};
  }
  return 0;
}

// The attributes give the thread a stack the program allocated itself.
bool ProgramStack(const pthread_attr_t* attr) {
  void* own = nullptr;
  size_t size = 0;
  // glibc reports no stack of the program's own as null, or as null minus the size.
  return attr && pthread_attr_getstack(attr, &own, &size) == 0 && own != nullptr &&
         reinterpret_cast<uintptr_t>(own) + size != 0;
}

// A thread made with attributes gets a stack larger by the runtime's TLS, so the program
// keeps the stack it asked for (and a PTHREAD_STACK_MIN stack still fits: pthread_create
// failed with EINVAL). `copy` is a bitwise copy of `attr`, never destroyed (it shares
// `attr`'s extensions). A stack the program allocated itself (`program_stack`) is left as it is.
const pthread_attr_t* WithRuntimeTls(const pthread_attr_t* attr, bool program_stack,
                                     pthread_attr_t* copy) {
  static const size_t extra = RuntimeTlsBytes();
  size_t size = 0;
  if (!attr || extra == 0 || program_stack || pthread_attr_getstacksize(attr, &size) != 0) {
    return attr;
  }
  memcpy(static_cast<void*>(copy), attr, sizeof *copy);
  return pthread_attr_setstacksize(copy, size + extra) == 0 ? copy : attr;
}

}  // namespace

TL_EXPORT int pthread_create(pthread_t* t, const pthread_attr_t* attr, void* (*fn)(void*),
                             void* arg) {
  ENSURE(real_pthread_create);
  pthread_attr_t bigger;
  const pthread_attr_t* requested = attr;
  const bool program_stack = ProgramStack(attr);
  attr = WithRuntimeTls(attr, program_stack, &bigger);
  ThreadState* ts = CurrentFast();
  if (!ts) return real_pthread_create(t, attr, fn, arg);
  ScheduleStep(ts);
  auto* a = static_cast<StartArgs*>(malloc(sizeof(StartArgs)));
  if (!a) return EAGAIN;
  uint32_t tid = NextTid();
  a->fn = fn;
  a->arg = arg;
  a->tid = tid;
  a->parent = ts->tid;
  uint64_t pc = TL_CALLER_PC;
  RecordMainStackOnce(ts);
  // Before the child runs, so the child's thread_start follows it in sequence order.
  EmitTo(ts, EventKind::kThreadCreate, program_stack ? threadlens::trace::kProgramStack : 0, 0, 0,
         tid, pc);
  ScheduleCreate(tid);
  // The child starts with every signal blocked: a handler running before the child has
  // its thread state would record as a thread of its own.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &a->mask);
  ProgramThreadCreating();
  int r;
  {
    tsan::LibraryHeapScope heap;
    r = real_pthread_create(t, attr, Trampoline, a);
  }
  pthread_sigmask(SIG_SETMASK, &a->mask, nullptr);
  if (r != 0) {
    ProgramThreadNotCreated();
    free(a);
    ScheduleForget(tid);
    EmitTo(ts, EventKind::kThreadCreate, threadlens::trace::kFailed, 0, 0, tid, pc);
    return r;
  }
  TidMapSet(*t, tid);
  // Created detached: as if detached at once, so its end is no leak.
  int detach_state = PTHREAD_CREATE_JOINABLE;
  if (requested && pthread_attr_getdetachstate(requested, &detach_state) == 0 &&
      detach_state == PTHREAD_CREATE_DETACHED) {
    EmitTo(ts, EventKind::kThreadDetach, 0, 0, 0, tid, pc);
  }
  return r;
}

TL_EXPORT int pthread_join(pthread_t t, void** ret) {
  ENSURE(real_join);
  return TracedJoin(t, ret, 0, TL_CALLER_PC, [&] { return real_join(t, ret); });
}

TL_EXPORT int pthread_tryjoin_np(pthread_t t, void** ret) {
  ENSURE(real_tryjoin);
  return TracedJoin(t, ret, threadlens::trace::kTry, TL_CALLER_PC,
                    [&] { return real_tryjoin(t, ret); });
}

TL_EXPORT int pthread_timedjoin_np(pthread_t t, void** ret, const timespec* abs) {
  ENSURE(real_timedjoin);
  return TracedJoin(t, ret, threadlens::trace::kTimed, TL_CALLER_PC,
                    [&] { return real_timedjoin(t, ret, abs); });
}

TL_EXPORT int pthread_clockjoin_np(pthread_t t, void** ret, clockid_t c, const timespec* abs) {
  ENSURE(real_clockjoin);
  return TracedJoin(t, ret, threadlens::trace::kTimed, TL_CALLER_PC,
                    [&] { return real_clockjoin(t, ret, c, abs); });
}

TL_EXPORT int pthread_detach(pthread_t t) {
  ENSURE(real_detach);
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kThreadDetach, 0, 0, 0, TidMapGet(t), TL_CALLER_PC);
    g_detaches.fetch_add(1, std::memory_order_release);
  }
  return real_detach(t);
}

// The thread's exit is recorded later, by a key destructor, once the unwind has dropped its
// frames: the call site kept here is where the report says it exits.
TL_EXPORT void pthread_exit(void* ret) {
  ENSURE(real_pthread_exit);
  if (ThreadState* ts = CurrentFast()) ts->exit_pc = TL_CALLER_PC;
  real_pthread_exit(ret);
  __builtin_unreachable();
}

TL_EXPORT void _exit(int status) {
  ENSURE(real__exit);
  CloseTrace(true, false);
  real__exit(status);
  __builtin_unreachable();
}

TL_EXPORT void _Exit(int status) {
  ENSURE(real__Exit);
  CloseTrace(true, false);
  real__Exit(status);
  __builtin_unreachable();
}

TL_EXPORT int execve(const char* path, char* const argv[], char* const envp[]) {
  ENSURE(real_execve);
  TL_EXEC_ENV(envp);
  return real_execve(path, argv, exec_env);
}

TL_EXPORT int execv(const char* path, char* const argv[]) {
  ENSURE(real_execve);
  TL_EXEC_ENV(environ);
  return real_execve(path, argv, exec_env);
}

TL_EXPORT int execvp(const char* file, char* const argv[]) {
  ENSURE(real_execvpe);
  TL_EXEC_ENV(environ);
  return real_execvpe(file, argv, exec_env);
}

TL_EXPORT int execvpe(const char* file, char* const argv[], char* const envp[]) {
  ENSURE(real_execvpe);
  TL_EXEC_ENV(envp);
  return real_execvpe(file, argv, exec_env);
}

TL_EXPORT int fexecve(int fd, char* const argv[], char* const envp[]) {
  ENSURE(real_fexecve);
  TL_EXEC_ENV(envp);
  return real_fexecve(fd, argv, exec_env);
}

namespace {
// execl* take their arguments as a list; collect them into an argv on the stack.
constexpr int kMaxExecArgs = 1024;

// Copies `first` and the arguments after it up to the terminating null into `argv`, which
// ends null-terminated even when the list is longer than kMaxExecArgs.
void CollectExecArgs(const char* first, va_list& ap, const char** argv) {
  int n = 0;
  argv[n++] = first;
  while (argv[n - 1] && n < kMaxExecArgs) argv[n++] = va_arg(ap, const char*);
  argv[kMaxExecArgs - 1] = nullptr;
}
}  // namespace

TL_EXPORT int execl(const char* path, const char* arg, ...) {
  const char* argv[kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  CollectExecArgs(arg, ap, argv);
  va_end(ap);
  return execv(path, const_cast<char* const*>(argv));
}

TL_EXPORT int execlp(const char* file, const char* arg, ...) {
  const char* argv[kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  CollectExecArgs(arg, ap, argv);
  va_end(ap);
  return execvp(file, const_cast<char* const*>(argv));
}

TL_EXPORT int execle(const char* path, const char* arg, ...) {
  const char* argv[kMaxExecArgs];
  va_list ap;
  va_start(ap, arg);
  CollectExecArgs(arg, ap, argv);
  char* const* envp = va_arg(ap, char* const*);  // execle's environment follows the null
  va_end(ap);
  return execve(path, const_cast<char* const*>(argv), envp);
}

namespace threadlens::rt {

void ResolveLockFunctions();
void ResolveCondSemFunctions();

void ResolveReal() {
  Resolve(real_pthread_create, "pthread_create");
  Resolve(real_join, "pthread_join");
  Resolve(real_tryjoin, "pthread_tryjoin_np");
  Resolve(real_timedjoin, "pthread_timedjoin_np");
  Resolve(real_clockjoin, "pthread_clockjoin_np");
  Resolve(real_detach, "pthread_detach");
  Resolve(real_pthread_exit, "pthread_exit");
  Resolve(real__exit, "_exit");
  Resolve(real__Exit, "_Exit");
  Resolve(real_execve, "execve");
  Resolve(real_execvpe, "execvpe");
  Resolve(real_fexecve, "fexecve");
  ResolveLockFunctions();
  ResolveCondSemFunctions();
  tsan::libc::ResolveSignalSets();
  tsan::libc::ResolveThreadAttrs();
}

}  // namespace threadlens::rt
