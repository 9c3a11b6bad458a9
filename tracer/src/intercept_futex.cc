// The libc `syscall` function, for the signals programs send by raw system call (kill, tkill,
// tgkill, rt_sigqueueinfo: a send, as through the C library's wrappers), the eventfds they
// make so (eventfd2, eventfd: as the C library's eventfd makes them) and the futex waits
// programs make themselves: C++20's atomic wait, std::latch, std::barrier and
// std::counting_semaphore (inline in libstdc++'s headers), and futex-based locks and events of
// libraries (Abseil, folly). glibc's own locks use the futex inside libc and never come here. An
// untimed wait on a process-private futex word is recorded (kFutexWaitBegin/End) and marks the
// thread blocked for the watchdog, so a program whose every thread waits forever on futexes is a
// hang, not a run that never ends. A timed wait ends by itself, and a futex word in memory shared
// with another process (MAP_SHARED) may be woken from there: neither blocks. (libstdc++ waits on
// non-private futexes.) Inside an annotated mutex's lock (__tsan_mutex_pre_lock to post_lock, as
// absl::Mutex) the wait is how the lock blocks: the trace already holds the lock request, so the
// wait is not recorded, and the thread is blocked on that lock, for the watchdog's wait-for graph.
//
// Every call goes to the kernel by the same instruction glibc's function uses, so the
// runtime's own system calls, made before anything is resolved, pass through unchanged.
#include <errno.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>

#include "pipe_waits.h"
#include "process_tree.h"
#include "runtime_internal.h"
#include "schedule.h"
#include "sync_keys.h"
#include "tsan_thread.h"
#include "watchdog.h"

namespace threadlens::rt {
namespace {

inline long RawSyscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
  long ret;
  register long r10 __asm__("r10") = a4;
  register long r8 __asm__("r8") = a5;
  register long r9 __asm__("r9") = a6;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

inline bool KernelError(long ret) { return static_cast<unsigned long>(ret) > -4096ul; }

#ifdef SYS_eventfd
constexpr long kSysEventfd = SYS_eventfd;
#else
constexpr long kSysEventfd = -1;  // eventfd2 only
#endif

// glibc's convention: -1 and errno for a kernel error (-4095..-1).
inline long WithErrno(long ret) {
  if (KernelError(ret)) {
    errno = static_cast<int>(-ret);
    return -1;
  }
  return ret;
}

bool UntimedWait(long op, long timeout) {
  const long cmd = op & FUTEX_CMD_MASK;
  return (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && timeout == 0;
}

bool OnlyThisProcessWakes(long word, long op) {
  return (op & FUTEX_PRIVATE_FLAG) || SharedLockKey(static_cast<uint64_t>(word)) == 0;
}

// The wait itself, with the thread marked blocked (SetBlocked) meanwhile; the raw result.
long BlockedWait(ThreadState* ts, const long a[6]) {
  ScheduleBlock(ts);
  const long ret = RawSyscall(SYS_futex, a[0], a[1], a[2], a[3], a[4], a[5]);
  ScheduleUnblock(ts);
  ClearBlocked(ts);
  return ret;
}

long FutexWait(ThreadState* ts, const long a[6], uint64_t pc) {
  const int saved = errno;  // recording may write; the caller sees errno as the call left it
  const uint64_t word = static_cast<uint64_t>(a[0]);
  ScheduleStep(ts);
  EmitTo(ts, trace::EventKind::kFutexWaitBegin, 0, 0, 0, word, pc);
  SetBlocked(ts, trace::BlockedOn::kFutex, word, pc);
  const long ret = BlockedWait(ts, a);
  EmitTo(ts, trace::EventKind::kFutexWaitEnd, KernelError(ret) ? trace::kFailed : 0, 0, 0, word,
         pc);
  errno = saved;
  return WithErrno(ret);
}

// A wait inside an annotated mutex's code: blocked on the lock its pre_lock asked for.
long LockWait(ThreadState* ts, const long a[6], uint64_t pc) {
  SetBlocked(ts, trace::BlockedOn::kLock, tsan::tls_ctx.lock_wanted, pc,
             !tsan::tls_ctx.lock_wanted_shared, static_cast<uint8_t>(trace::LockType::kNormal));
  return WithErrno(BlockedWait(ts, a));
}

}  // namespace
}  // namespace threadlens::rt

using namespace threadlens::rt;

TL_EXPORT long syscall(long nr, ...) {
  long a[6];
  va_list ap;
  va_start(ap, nr);
  for (long& x : a) x = va_arg(ap, long);
  va_end(ap);
  switch (nr) {  // a signal sent by raw system call, as kill and tgkill send it
    case SYS_kill:
    case SYS_tkill:
    case SYS_rt_sigqueueinfo:
      SignalSent(static_cast<int>(a[1]), TL_CALLER_PC);
      break;
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
      SignalSent(static_cast<int>(a[2]), TL_CALLER_PC);
      break;
  }
  if (nr == SYS_eventfd2 || nr == kSysEventfd) {  // an eventfd made without the C library
    const long fd = RawSyscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (fd >= 0) EventfdMade(static_cast<int>(fd), TL_CALLER_PC);
    return WithErrno(fd);
  }
  if (nr == SYS_futex && UntimedWait(a[1], a[3])) {
    ThreadState* ts = CurrentFast();
    if (ts && OnlyThisProcessWakes(a[0], a[1])) {
      // absl::Mutex sleeps in a divert (its per-thread semaphore's own code is the
      // program's again), still between pre_lock and post_lock.
      if (tsan::tls_ctx.lock_wanted != 0) return LockWait(ts, a, TL_CALLER_PC);
      if (tsan::tls_ctx.mutex_code == 0) return FutexWait(ts, a, TL_CALLER_PC);
    }
  }
  return WithErrno(RawSyscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}
