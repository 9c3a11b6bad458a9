// Interceptors for alarm, ualarm and timer_settime, and setitimer's note (its interceptor is
// tsan_libc_sys.cc's): they record only when the
// process's real-time timer will expire (g_timer_until), for the watchdog. A program whose
// threads all wait for what a timer's signal handler will do (a sem_post, an atomic's wake)
// is waiting, not hung: "every thread is stuck" holds only once the timer is past. Timers
// of CPU time (ITIMER_VIRTUAL, ITIMER_PROF) do not run while every thread waits.
#include <dlfcn.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "tsan_libc.h"

namespace threadlens::rt {

std::atomic<uint64_t> g_timer_until{0};

namespace {

unsigned (*real_alarm)(unsigned);
useconds_t (*real_ualarm)(useconds_t, useconds_t);
int (*real_timer_settime)(timer_t, int, const struct itimerspec*, struct itimerspec*);

template <typename F>
F Real(F& fn, const char* name) {
  if (TL_UNLIKELY(!fn)) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return fn;
}

// g_timer_until for a timer that first fires `ns` from now (0: disarmed), perhaps repeating.
uint64_t Until(uint64_t ns, bool periodic) {
  if (ns == 0) return 0;
  if (periodic) return kTimerPeriodic;
  const double tps = static_cast<double>(TicksPerSecond());
  return Now() + static_cast<uint64_t>(static_cast<double>(ns) * tps / 1e9);
}

void Armed(uint64_t ns, bool periodic) {
  g_timer_until.store(Until(ns, periodic), std::memory_order_relaxed);
}

uint64_t Ns(const timeval& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(t.tv_usec) * 1000;
}
uint64_t Ns(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(t.tv_nsec);
}

}  // namespace

TL_EXPORT unsigned alarm(unsigned seconds) {
  const unsigned r = Real(real_alarm, "alarm")(seconds);
  Armed(static_cast<uint64_t>(seconds) * 1'000'000'000, false);
  return r;
}

TL_EXPORT useconds_t ualarm(useconds_t usecs, useconds_t interval) {
  const useconds_t r = Real(real_ualarm, "ualarm")(usecs, interval);
  Armed(static_cast<uint64_t>(usecs) * 1000, interval != 0);
  return r;
}

// The setitimer interceptor itself records its arguments (tsan_libc_sys.cc) and calls this
// first: an ITIMER_REAL with no error to come.
void NoteIntervalTimer(int which, const struct itimerval* value) {
  if (which != ITIMER_REAL || !value || value->it_value.tv_usec >= 1'000'000 ||
      value->it_value.tv_usec < 0 || value->it_value.tv_sec < 0) {
    return;
  }
  Armed(Ns(value->it_value), Ns(value->it_interval) != 0);
}

// A POSIX timer: one of perhaps several, on a clock not known here. Arming one counts until
// it expires (an absolute time, or a repeating one: as if it repeated); disarming one leaves
// the others' time, so the record stays.
TL_EXPORT int timer_settime(timer_t timer, int flags, const struct itimerspec* value,
                            struct itimerspec* old) {
  const uint64_t pc = TL_CALLER_PC;
  tsan::libc::CallerRead(value, sizeof *value, pc);
  const int r = Real(real_timer_settime, "timer_settime")(timer, flags, value, old);
  if (r == 0) tsan::libc::CallerWrite(old, sizeof *old, pc);
  if (r == 0 && value) {
    const bool periodic = (flags & TIMER_ABSTIME) || Ns(value->it_interval) != 0;
    const uint64_t until = Until(Ns(value->it_value), periodic);
    // The latest of the timers (kTimerPeriodic is the largest value: it stays).
    if (until > g_timer_until.load(std::memory_order_relaxed)) {
      g_timer_until.store(until, std::memory_order_relaxed);
    }
  }
  return r;
}

}  // namespace threadlens::rt
