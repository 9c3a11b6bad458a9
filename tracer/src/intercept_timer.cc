// Interceptors for alarm, ualarm and timer_settime, and setitimer's note (its interceptor is
// tsan_libc_sys.cc's): they record only when the
// process's real-time timer will expire (g_timer_until), for the watchdog. A program whose
// threads all wait for what a timer's signal handler will do (a sem_post, an atomic's wake)
// is waiting, not hung: "every thread is stuck" holds only once the timer is past. Timers
// of CPU time (ITIMER_VIRTUAL, ITIMER_PROF) do not run while every thread waits.
// A SIGEV_THREAD timer's callback runs in a thread the C library starts: what the thread that
// created or armed the timer did before happens before the callback. Arming a timer that
// sends a signal (alarm, ualarm, setitimer, a SIGEV_SIGNAL timer) is a send of that signal to
// come: what the thread did before happens before the handler, as for kill.
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "sync_keys.h"
#include "tsan_libc.h"

namespace threadlens::rt {

std::atomic<uint64_t> g_timer_until{0};

namespace {

unsigned (*real_alarm)(unsigned);
useconds_t (*real_ualarm)(useconds_t, useconds_t);
int (*real_timer_settime)(timer_t, int, const struct itimerspec*, struct itimerspec*);
int (*real_timer_create)(clockid_t, struct sigevent*, timer_t*);

// The keys timers release and their callbacks acquire: runtime addresses (tagged per process
// as any address), one per hash bucket of the timer id. Two timers in one bucket share edges.
char g_timer_keys[64];
// The signal each bucket's timer sends (0: none, or a SIGEV_THREAD timer).
int g_timer_signals[64];
unsigned Bucket(timer_t t) {
  return static_cast<unsigned>(
      (static_cast<uint64_t>(reinterpret_cast<uintptr_t>(t)) * 0x9E3779B97F4A7C15ull) >> 58);
}
uint64_t TimerKey(timer_t t) { return reinterpret_cast<uint64_t>(&g_timer_keys[Bucket(t)]); }

void WillSignal(int sig, uint64_t pc) {
  if (sig <= 0 || sig >= _NSIG) return;
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, trace::EventKind::kHappensBefore, 0, 0, 0, SignalKey(sig), pc);
  }
}

void Release(timer_t t, uint64_t pc) {
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, trace::EventKind::kHappensBefore, 0, 0, 0, TimerKey(t), pc);
  }
}

// The program's callback, given to the library in its place. Never freed: a run may still be
// starting after timer_delete.
struct TimerCallback {
  void (*fn)(sigval);
  sigval value;
  timer_t timer;
};

void CallbackTrampoline(sigval v) {
  auto* c = static_cast<TimerCallback*>(v.sival_ptr);
  if (ThreadState* ts = CurrentFast()) {
    EmitTo(ts, trace::EventKind::kHappensAfter, 0, 0, 0, TimerKey(c->timer), 0);
  }
  c->fn(c->value);
}

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
  if (seconds > 0) WillSignal(SIGALRM, TL_CALLER_PC);
  const unsigned r = Real(real_alarm, "alarm")(seconds);
  Armed(static_cast<uint64_t>(seconds) * 1'000'000'000, false);
  return r;
}

TL_EXPORT useconds_t ualarm(useconds_t usecs, useconds_t interval) {
  if (usecs > 0) WillSignal(SIGALRM, TL_CALLER_PC);
  const useconds_t r = Real(real_ualarm, "ualarm")(usecs, interval);
  Armed(static_cast<uint64_t>(usecs) * 1000, interval != 0);
  return r;
}

// The setitimer interceptor itself records its arguments (tsan_libc_sys.cc) and calls this
// first: an ITIMER_REAL with no error to come.
void NoteIntervalTimer(int which, const struct itimerval* value, uintptr_t pc) {
  if (value && (value->it_value.tv_sec != 0 || value->it_value.tv_usec != 0)) {
    WillSignal(which == ITIMER_REAL ? SIGALRM : which == ITIMER_VIRTUAL ? SIGVTALRM : SIGPROF, pc);
  }
  if (which != ITIMER_REAL || !value || value->it_value.tv_usec >= 1'000'000 ||
      value->it_value.tv_usec < 0 || value->it_value.tv_sec < 0) {
    return;
  }
  Armed(Ns(value->it_value), Ns(value->it_interval) != 0);
}

// A POSIX timer: one of perhaps several, on a clock not known here. Arming one counts until
// it expires (an absolute time, or a repeating one: as if it repeated); disarming one leaves
// the others' time, so the record stays.
TL_EXPORT int timer_create(clockid_t clock, struct sigevent* sev, timer_t* timer) {
  auto* real = Real(real_timer_create, "timer_create");
  if (!sev || sev->sigev_notify != SIGEV_THREAD || !CurrentFast()) {
    const int r = real(clock, sev, timer);
    if (r == 0) {
      const bool signals = !sev || sev->sigev_notify == SIGEV_SIGNAL ||
                           sev->sigev_notify == SIGEV_THREAD_ID;
      g_timer_signals[Bucket(*timer)] = signals ? (sev ? sev->sigev_signo : SIGALRM) : 0;
    }
    return r;
  }
  auto* c = static_cast<TimerCallback*>(malloc(sizeof(TimerCallback)));
  if (!c) return real(clock, sev, timer);
  c->fn = sev->sigev_notify_function;
  c->value = sev->sigev_value;
  struct sigevent own = *sev;
  own.sigev_notify_function = CallbackTrampoline;
  own.sigev_value.sival_ptr = c;
  const int r = real(clock, &own, timer);
  if (r != 0) {
    free(c);
    return r;
  }
  c->timer = *timer;
  g_timer_signals[Bucket(*timer)] = 0;
  Release(*timer, TL_CALLER_PC);
  return r;
}

TL_EXPORT int timer_settime(timer_t timer, int flags, const struct itimerspec* value,
                            struct itimerspec* old) {
  const uint64_t pc = TL_CALLER_PC;
  Release(timer, pc);
  if (value && (value->it_value.tv_sec != 0 || value->it_value.tv_nsec != 0)) {
    WillSignal(g_timer_signals[Bucket(timer)], pc);
  }
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
