// Interceptors for sleep, usleep, nanosleep and clock_nanosleep: they record only when the
// thread will wake (ThreadState::sleep_until) and when its last sleep ended (awake_since),
// for the watchdog, and write no event of their own (the thread's next access record after it
// is preceded by an ordering fence). A hang beside a thread that sleeps in a loop, or for
// over a minute, is then still seen as one (watchdog.cc). Under a PCT schedule a sleep lets
// the other threads run, and sched_yield passes the turn on (a spin loop would otherwise keep
// it from the thread it waits for).
#include <dlfcn.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "schedule.h"

namespace threadlens::rt {
namespace {

int (*real_nanosleep)(const timespec*, timespec*);
int (*real_clock_nanosleep)(clockid_t, int, const timespec*, timespec*);
unsigned (*real_sleep)(unsigned);
int (*real_usleep)(useconds_t);
int (*real_sched_yield)();

// Resolved at first use: a sleep may come from a library constructor before ours ran.
template <typename F>
F Real(F& fn, const char* name) {
  if (TL_UNLIKELY(!fn)) fn = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
  return fn;
}

constexpr uint64_t kNsPerS = 1'000'000'000;

// Marks the thread asleep for `ns` nanoseconds from now, in the runtime's clock. The
// watchdog only reads these fields; `sleep_until` is stored last, with release.
void EnterSleep(ThreadState* ts, uint64_t ns, uint64_t pc) {
  if (!ts) return;
  const uint64_t tps = TicksPerSecond();
  uint64_t ticks = tps == kNsPerS ? ns
                                  : static_cast<uint64_t>(static_cast<double>(ns) *
                                                          static_cast<double>(tps) / 1e9);
  ts->sleep_pc.store(pc, std::memory_order_relaxed);
  ts->sleep_until.store((Now() + ticks) | 1, std::memory_order_release);
  ScheduleBlock(ts);  // others run meanwhile
}

void LeaveSleep(ThreadState* ts) {
  if (!ts) return;
  ts->awake_since.store(Now() | 1, std::memory_order_relaxed);
  ts->sleep_until.store(0, std::memory_order_release);
  ScheduleUnblock(ts);
  // Its time is after the sleep, not that of the last event before it, and so is its place
  // in the merged order.
  ResumeAfterWait(ts);
}

uint64_t SpanNs(const timespec* t) {
  if (!t || t->tv_sec < 0 || t->tv_nsec < 0) return 0;
  return static_cast<uint64_t>(t->tv_sec) * kNsPerS + static_cast<uint64_t>(t->tv_nsec);
}

}  // namespace

void ResumeAfterWait(ThreadState* ts) {
  if (!ts) return;
  ts->order_pending = true;
  ClockNextAccess();
}

TL_EXPORT int nanosleep(const timespec* req, timespec* rem) {
  ThreadState* ts = CurrentFast();
  EnterSleep(ts, SpanNs(req), TL_CALLER_PC);
  int r = Real(real_nanosleep, "nanosleep")(req, rem);
  int saved = errno;
  LeaveSleep(ts);
  errno = saved;
  return r;
}

TL_EXPORT int clock_nanosleep(clockid_t clock, int flags, const timespec* req, timespec* rem) {
  ThreadState* ts = CurrentFast();
  uint64_t ns = SpanNs(req);
  if (ts && (flags & TIMER_ABSTIME)) {
    timespec now{};
    clock_gettime(clock, &now);
    uint64_t at = SpanNs(&now);
    ns = ns > at ? ns - at : 0;
  }
  EnterSleep(ts, ns, TL_CALLER_PC);
  // Returns the error number; errno is left alone.
  int r = Real(real_clock_nanosleep, "clock_nanosleep")(clock, flags, req, rem);
  LeaveSleep(ts);
  return r;
}

TL_EXPORT unsigned sleep(unsigned seconds) {
  ThreadState* ts = CurrentFast();
  EnterSleep(ts, seconds * kNsPerS, TL_CALLER_PC);
  unsigned r = Real(real_sleep, "sleep")(seconds);
  int saved = errno;
  LeaveSleep(ts);
  errno = saved;
  return r;
}

TL_EXPORT int usleep(useconds_t usec) {
  ThreadState* ts = CurrentFast();
  EnterSleep(ts, static_cast<uint64_t>(usec) * 1000, TL_CALLER_PC);
  int r = Real(real_usleep, "usleep")(usec);
  int saved = errno;
  LeaveSleep(ts);
  errno = saved;
  return r;
}

TL_EXPORT int sched_yield() {
  if (ScheduleOn()) {
    if (ThreadState* ts = CurrentFast()) ScheduleYield(ts);
  }
  return Real(real_sched_yield, "sched_yield")();
}

}  // namespace threadlens::rt
