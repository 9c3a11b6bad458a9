// Signals: the program's handlers run through a trampoline that records their start and end
// (kSignalEnter/kSignalLeave), senders record a release of the signal's key (kSignalSend),
// and a signal that arrives while the thread is writing a record of its own is held back
// until the record is whole (ThreadState::in_record), so a handler never tears the trace
// and loses nothing. ThreadSanitizer defers signals the same way.
//
// Synchronous faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS raised by the
// instruction itself) cannot wait: their handler runs at once, unrecorded if the runtime
// was in the middle of a record.
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "runtime_internal.h"
#include "sync_keys.h"
#include "tsan_libc.h"
#include "tsan_thread.h"
#include "watchdog.h"

namespace threadlens::rt {

using trace::EventKind;

// What the held-back signals of one thread carry, for their late delivery.
struct SignalQueue {
  struct Entry {
    siginfo_t info;
    void* handler;
    int flags;
    sigset_t mask;
  };
  Entry entries[_NSIG];
  ucontext_t context;  // the latest held-back signal's (handlers rarely read it)
};

namespace {

using SigactionFn = int (*)(int, const struct sigaction*, struct sigaction*);
SigactionFn real_sigaction;

// The program's handler of each signal, as it installed it.
struct UserAction {
  void* handler;  // sa_handler or sa_sigaction
  int flags;      // the program's sa_flags
};
UserAction g_actions[_NSIG];

SigactionFn RealSigaction() {
  if (!real_sigaction) {
    real_sigaction = reinterpret_cast<SigactionFn>(dlsym(RTLD_NEXT, "sigaction"));
  }
  return real_sigaction;
}

bool IsHandler(void* h) {
  return h != reinterpret_cast<void*>(SIG_DFL) && h != reinterpret_cast<void*>(SIG_IGN);
}

// A fault raised by the instruction the thread executes: its handler cannot wait.
bool Synchronous(int sig, const siginfo_t* info) {
  if (!info || info->si_code <= 0) return false;  // sent by kill, raise, sigqueue, a timer...
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP ||
         sig == SIGSYS;
}

void CallUser(void* handler, int flags, int sig, siginfo_t* info, void* uc) {
  if (flags & SA_SIGINFO) {
    reinterpret_cast<void (*)(int, siginfo_t*, void*)>(handler)(sig, info, uc);
  } else {
    reinterpret_cast<void (*)(int)>(handler)(sig);
  }
}

// Runs the program's handler with its start and end recorded. `entry_errno` is errno as the
// interrupted code left it: a handler that returns with another value spoils it.
void RunHandler(ThreadState* ts, void* handler, int flags, int sig, siginfo_t* info, void* uc,
                int entry_errno, bool deferred) {
  // + 1: sites are return addresses, looked up at site - 1 (the handler's first byte).
  const uint64_t site = reinterpret_cast<uint64_t>(handler) + 1;
  const uint32_t outer_sig = ts->in_handler_sig;
  const uint64_t outer_site = ts->in_handler_site;
  // A signal may come while the interrupted code ignores accesses or synchronization: the
  // handler is not that code, and runs checked (as in TSan).
  tsan::ThreadCtx& t = tsan::tls_ctx;
  const uint32_t ignores[4] = {ts->ignore_sync, t.ignore_reads, t.ignore_writes, t.ignore};
  ts->ignore_sync = t.ignore_reads = t.ignore_writes = t.ignore = 0;
  EmitTo(ts, EventKind::kSignalEnter, deferred ? trace::kSignalDeferred : 0, 0,
         static_cast<uint32_t>(sig), SignalKey(sig), site);
  // The signal's frame in the program (the call it interrupts, as a blocked pthread_join,
  // or the last one the interrupted function made), written for kSignalEnter, stays under
  // the handler's frames: it holds where in that function the thread is.
  const uint32_t depth = t.depth;
  if (t.mode == tsan::Mode::kOn && t.emitted == depth + 1) t.depth = t.emitted;
  ++ts->in_handler;
  ts->in_handler_sig = static_cast<uint32_t>(sig);
  ts->in_handler_site = site;
  // The interrupted code may be between two steps of its own bookkeeping (the open range of
  // a scan, the frames written so far): the handler works on a copy, and the trace's stack
  // is brought back to the depth the interrupted code knows.
  const tsan::ThreadCtx::Coalescing saved = t.open;
  const uint32_t saved_emitted = t.emitted;
  const uint32_t saved_last = ts->last;
  t.CloseRanges();
  errno = entry_errno;
  CallUser(handler, flags, sig, info, uc);
  const int exit_errno = errno;
  while (t.emitted > saved_emitted) {
    EmitTo(ts, EventKind::kFuncExit, 0, 0, 0, 0, 0);
    --t.emitted;
  }
  t.depth = depth;
  t.open = saved;
  ts->last = saved_last;  // whoever reads it checks it against the buffer's end
  // A handler left by longjmp never comes back here (see the longjmp interceptors).
  if (ts->in_handler > 0) {
    --ts->in_handler;
    ts->in_handler_sig = outer_sig;
    ts->in_handler_site = outer_site;
    const uint64_t both = (static_cast<uint64_t>(static_cast<uint32_t>(entry_errno)) << 32) |
                          static_cast<uint32_t>(exit_errno);
    EmitTo(ts, EventKind::kSignalLeave, exit_errno != entry_errno ? trace::kErrnoChanged : 0, 0,
           static_cast<uint32_t>(sig), both, site);
  }
  ts->ignore_sync = ignores[0];
  t.ignore_reads = ignores[1];
  t.ignore_writes = ignores[2];
  t.ignore = ignores[3];
  errno = exit_errno;
}

SignalQueue* Queue(ThreadState* ts) {
  if (!ts->sig_queue) {
    void* p = mmap(nullptr, sizeof(SignalQueue), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    ts->sig_queue = static_cast<SignalQueue*>(p);
  }
  return ts->sig_queue;
}

void Trampoline(int sig, siginfo_t* info, void* uc) {
  const int saved_errno = errno;
  if (sig <= 0 || sig >= _NSIG) return;
  void* handler = __atomic_load_n(&g_actions[sig].handler, __ATOMIC_ACQUIRE);
  const int flags = __atomic_load_n(&g_actions[sig].flags, __ATOMIC_RELAXED);
  if (!IsHandler(handler)) return;  // reset meanwhile: nothing of the program's to run
  ThreadState* ts = t_state;
  // A thread that has recorded nothing yet (the main thread early on) starts recording here.
  if (!ts && g_enabled.load(std::memory_order_relaxed)) {
    CurrentFast();
    ts = t_state;
  }
  const bool mine = reinterpret_cast<uintptr_t>(ts) > 1 && !ts->is_runtime &&
                    g_enabled.load(std::memory_order_relaxed);
  if (mine && (ts->in_record > 0 || ts->in_runtime)) {
    SignalQueue* q = Synchronous(sig, info) ? nullptr : Queue(ts);
    if (q) {
      SignalQueue::Entry& e = q->entries[sig];
      if (info) e.info = *info;
      e.handler = handler;
      e.flags = flags;
      struct sigaction current;
      sigemptyset(&e.mask);
      if (RealSigaction() && real_sigaction(sig, nullptr, &current) == 0) e.mask = current.sa_mask;
      if (!(flags & SA_NODEFER)) sigaddset(&e.mask, sig);
      if (uc) memcpy(&q->context, uc, sizeof q->context);
      __atomic_fetch_or(&ts->sig_pending, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
      errno = saved_errno;
      return;
    }
    // A fault inside the runtime's own record: run the handler at once, unrecorded.
    const bool was = ts->in_runtime;
    ts->in_runtime = true;
    errno = saved_errno;
    CallUser(handler, flags, sig, info, uc);
    ts->in_runtime = was;
    return;
  }
  if (!mine) {
    errno = saved_errno;
    CallUser(handler, flags, sig, info, uc);
    return;
  }
  RunHandler(ts, handler, flags, sig, info, uc, saved_errno, false);
}

// The kernel's view of an action, as the program installed it.
void ToUser(const struct sigaction& kernel, const UserAction& user, struct sigaction* out) {
  *out = kernel;
  void* h = reinterpret_cast<void*>(kernel.sa_sigaction);
  if (h == reinterpret_cast<void*>(&Trampoline)) {
    out->sa_sigaction = reinterpret_cast<void (*)(int, siginfo_t*, void*)>(user.handler);
    out->sa_flags = user.flags;
  } else if (IsRuntimeSignalHandler(h)) {
    out->sa_handler = SIG_DFL;
    out->sa_flags = 0;
    sigemptyset(&out->sa_mask);
  }
}

int Install(int sig, const struct sigaction* act, struct sigaction* old, uint64_t pc) {
  if (!RealSigaction()) {
    errno = ENOSYS;
    return -1;
  }
  if (sig <= 0 || sig >= _NSIG || sig == SIGKILL || sig == SIGSTOP || FromRuntime(pc)) {
    return real_sigaction(sig, act, old);
  }
  const UserAction before = g_actions[sig];
  struct sigaction kernel_old;
  int r;
  void* h = act ? reinterpret_cast<void*>(act->sa_sigaction) : nullptr;
  if (act && IsHandler(h)) {
    __atomic_store_n(&g_actions[sig].flags, act->sa_flags, __ATOMIC_RELAXED);
    __atomic_store_n(&g_actions[sig].handler, h, __ATOMIC_RELEASE);
    struct sigaction k = *act;
    k.sa_sigaction = Trampoline;
    k.sa_flags |= SA_SIGINFO;
    r = real_sigaction(sig, &k, &kernel_old);
    if (r != 0) {
      g_actions[sig] = before;
    } else if (ThreadState* ts = CurrentFast()) {
      // Whatever the installer wrote before is visible to the handler (as in TSan).
      EmitTo(ts, EventKind::kSignalSend, trace::kSignalInstall, 0, static_cast<uint32_t>(sig),
             SignalKey(sig), pc);
    }
  } else {
    struct sigaction runtime;
    const bool flush = act && h == reinterpret_cast<void*>(SIG_DFL) &&
                       RuntimeDefaultAction(sig, &runtime);
    r = real_sigaction(sig, flush ? &runtime : act, &kernel_old);
    if (r == 0 && act) __atomic_store_n(&g_actions[sig].handler, h, __ATOMIC_RELEASE);
  }
  if (r == 0 && old) ToUser(kernel_old, before, old);
  return r;
}

// A signal taken by sigwait and friends: its sending happened before, as with a handler.
// Keeps errno as the call left it.
void Taken(int sig, uint64_t pc) {
  if (sig <= 0 || sig >= _NSIG) return;
  const int saved = errno;
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kHappensAfter, 0, 0, 0, SignalKey(sig), pc);
  }
  errno = saved;
}


template <typename F>
F Next(F& slot, const char* name) {
  if (!slot) slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return slot;
}

int (*real_kill)(pid_t, int);
int (*real_raise)(int);
int (*real_pthread_kill)(pthread_t, int);
int (*real_tgkill)(pid_t, pid_t, int);
int (*real_sigqueue)(pid_t, int, const union sigval);
int (*real_pthread_sigqueue)(pthread_t, int, const union sigval);
int (*real_sigwait)(const sigset_t*, int*);
int (*real_sigwaitinfo)(const sigset_t*, siginfo_t*);
int (*real_sigtimedwait)(const sigset_t*, siginfo_t*, const timespec*);
int (*real_sigsuspend)(const sigset_t*);
int (*real_pause)();

// The lowest signal of `set` (0: none), what a wait for it is blocked on.
uint64_t FirstSignal(const sigset_t* set) {
  for (int sig = 1; set && sig < _NSIG; ++sig) {
    if (sigismember(set, sig) == 1) return static_cast<uint64_t>(sig);
  }
  return 0;
}

// `call()` with the thread marked blocked on a signal meanwhile (watchdog.h).
template <typename Call>
int SignalWait(uint64_t sig, uint64_t pc, Call call) {
  return BlockedCall(Started(), trace::BlockedOn::kSignal, sig, pc, false, call);
}

// A handler left by longjmp or siglongjmp: it ends there (all of them, as jumps out of
// nested handlers go to the program's own code).
void LeaveHandlersByJump() {
  ThreadState* ts = t_state;
  if (reinterpret_cast<uintptr_t>(ts) <= 1 || ts->in_handler == 0) return;
  const int e = errno;
  while (ts->in_handler > 0) {
    --ts->in_handler;
    if (!ts->in_runtime) {
      EmitTo(ts, EventKind::kSignalLeave, trace::kSignalLongjmp, 0, ts->in_handler_sig, 0,
             ts->in_handler_site);
    }
  }
  ts->in_handler_sig = 0;
  ts->in_handler_site = 0;
  errno = e;
}

using JumpFn = void (*)(void*, int);
JumpFn real_longjmp, real__longjmp, real_siglongjmp, real_longjmp_chk;

// The stack pointer a jmp_buf returns to: glibc keeps it mangled with the thread's pointer
// guard (x86-64: xor with %fs:0x30, then rotated left by 17).
uintptr_t JumpTargetSp(const void* env) {
  constexpr int kJbRsp = 6;
  uintptr_t mangled = static_cast<const uintptr_t*>(env)[kJbRsp], guard;
  __asm__("mov %%fs:0x30, %0" : "=r"(guard));
  return ((mangled >> 17) | (mangled << 47)) ^ guard;
}

[[noreturn]] void Jump(JumpFn& slot, const char* name, void* env, int val) {
  LeaveHandlersByJump();
  tsan::UnwindTo(tsan::tls_ctx, JumpTargetSp(env));
  Next(slot, name)(env, val);
  __builtin_unreachable();
}

}  // namespace

bool ProgramCatches(int sig) {
  return sig > 0 && sig < _NSIG &&
         IsHandler(__atomic_load_n(&g_actions[sig].handler, __ATOMIC_ACQUIRE));
}

void SignalSent(int sig, uint64_t pc) {
  if (sig <= 0 || sig >= _NSIG) return;
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, EventKind::kSignalSend, 0, 0, static_cast<uint32_t>(sig), SignalKey(sig), pc);
  }
}

void DeliverPendingSignals(ThreadState* ts) {
  if (ts != t_state || !ts->sig_queue) return;
  for (;;) {
    const uint64_t pending = __atomic_load_n(&ts->sig_pending, __ATOMIC_SEQ_CST);
    if (pending == 0) return;
    const int sig = __builtin_ctzll(pending) + 1;
    SignalQueue::Entry e = ts->sig_queue->entries[sig];
    ucontext_t uc = ts->sig_queue->context;
    __atomic_fetch_and(&ts->sig_pending, ~(1ull << (sig - 1)), __ATOMIC_SEQ_CST);
    const int saved_errno = errno;
    // The kernel blocks these while a handler runs; a late delivery does the same.
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &e.mask, &old);
    RunHandler(ts, e.handler, e.flags, sig, &e.info, &uc, saved_errno, true);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
}

void MovePendingSignals(ThreadState* from, ThreadState* to) {
  if (!from->sig_queue) return;
  const uint64_t pending = __atomic_exchange_n(&from->sig_pending, 0, __ATOMIC_SEQ_CST);
  if (pending == 0) return;
  SignalQueue* q = Queue(to);
  if (!q) return;
  for (uint64_t bits = pending; bits; bits &= bits - 1) {
    const int sig = __builtin_ctzll(bits) + 1;
    q->entries[sig] = from->sig_queue->entries[sig];
  }
  q->context = from->sig_queue->context;
  __atomic_fetch_or(&to->sig_pending, pending, __ATOMIC_SEQ_CST);
}

void FreeSignalQueue(ThreadState* ts) {
  if (ts->sig_queue) munmap(ts->sig_queue, sizeof(SignalQueue));
  ts->sig_queue = nullptr;
}

void SignalUnsafeCallSlow(ThreadState* ts, trace::SignalUnsafeCall call, uint64_t pc) {
  if (ts->in_runtime || ts != t_state) return;
  EmitTo(ts, EventKind::kSignalUnsafeCall, 0, static_cast<uint16_t>(call), ts->in_handler_sig,
         ts->in_handler_site, pc);
}

}  // namespace threadlens::rt

using namespace threadlens::rt;

TL_EXPORT int sigaction(int sig, const struct sigaction* act, struct sigaction* old) {
  const uint64_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(act, sizeof *act, pc);
  const int r = Install(sig, act, old, pc);
  if (r == 0) tsan::libc::CallerWrite(old, sizeof *old, pc);
  return r;
}

// glibc's signal(): BSD semantics (the signal blocked in its handler, calls restarted).
TL_EXPORT sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction act, old;
  memset(&act, 0, sizeof act);
  act.sa_handler = handler;
  sigemptyset(&act.sa_mask);
  if (sig > 0 && sig < _NSIG) sigaddset(&act.sa_mask, sig);
  act.sa_flags = SA_RESTART;
  if (Install(sig, &act, &old, TL_CALLER_PC) != 0) return SIG_ERR;
  return old.sa_handler;
}

TL_EXPORT int kill(pid_t pid, int sig) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_kill, "kill")(pid, sig);
}

TL_EXPORT int raise(int sig) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_raise, "raise")(sig);
}

TL_EXPORT int pthread_kill(pthread_t thread, int sig) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_pthread_kill, "pthread_kill")(thread, sig);
}

TL_EXPORT int tgkill(pid_t tgid, pid_t tid, int sig) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_tgkill, "tgkill")(tgid, tid, sig);
}

TL_EXPORT int sigqueue(pid_t pid, int sig, const union sigval value) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_sigqueue, "sigqueue")(pid, sig, value);
}

TL_EXPORT int pthread_sigqueue(pthread_t thread, int sig, const union sigval value) {
  SignalSent(sig, TL_CALLER_PC);
  return Next(real_pthread_sigqueue, "pthread_sigqueue")(thread, sig, value);
}

// The waits also read their set (and timeout) and write what they return.
TL_EXPORT int sigwait(const sigset_t* set, int* sig) {
  const uintptr_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(set, sizeof *set, pc);
  const int r = SignalWait(FirstSignal(set), pc,
                          [&] { return Next(real_sigwait, "sigwait")(set, sig); });
  if (r == 0) {
    Taken(*sig, pc);
    tsan::libc::CallerWrite(sig, sizeof *sig, pc);
  }
  return r;
}

TL_EXPORT int sigwaitinfo(const sigset_t* set, siginfo_t* info) {
  const uintptr_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(set, sizeof *set, pc);
  const int r = SignalWait(FirstSignal(set), pc,
                          [&] { return Next(real_sigwaitinfo, "sigwaitinfo")(set, info); });
  if (r > 0) {
    Taken(r, pc);
    tsan::libc::CallerWrite(info, sizeof *info, pc);
  }
  return r;
}

TL_EXPORT int sigtimedwait(const sigset_t* set, siginfo_t* info, const timespec* timeout) {
  const uintptr_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(set, sizeof *set, pc);
  tsan::libc::CallerRead(timeout, sizeof *timeout, pc);
  auto wait = [&] { return Next(real_sigtimedwait, "sigtimedwait")(set, info, timeout); };
  const int r = timeout ? wait() : SignalWait(FirstSignal(set), pc, wait);
  if (r > 0) {
    Taken(r, pc);
    tsan::libc::CallerWrite(info, sizeof *info, pc);
  }
  return r;
}

// Waits for any signal a handler catches: the handler records what it takes.
TL_EXPORT int sigsuspend(const sigset_t* mask) {
  const uintptr_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(mask, sizeof *mask, pc);
  return SignalWait(0, pc, [&] { return Next(real_sigsuspend, "sigsuspend")(mask); });
}

TL_EXPORT int pause() {
  return SignalWait(0, TL_CALLER_PC, [] { return Next(real_pause, "pause")(); });
}

TL_EXPORT void longjmp(void* env, int val) { Jump(real_longjmp, "longjmp", env, val); }
TL_EXPORT void _longjmp(void* env, int val) { Jump(real__longjmp, "_longjmp", env, val); }
TL_EXPORT void siglongjmp(void* env, int val) { Jump(real_siglongjmp, "siglongjmp", env, val); }
TL_EXPORT void __longjmp_chk(void* env, int val) {
  Jump(real_longjmp_chk, "__longjmp_chk", env, val);
}
