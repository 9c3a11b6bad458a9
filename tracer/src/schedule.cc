// The PCT schedule controller (see schedule.h). Runs inside the traced program: no malloc,
// no pthread locks (the runtime intercepts them), no intercepted libc calls; waits are futex
// system calls on the token itself.
#include "schedule.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace threadlens::rt {

std::atomic<bool> g_schedule_on{false};

namespace {

constexpr uint32_t kMaxSlots = 1024;  // threads alive at once; more run unscheduled
constexpr int kMaxPctDepth = 64;
constexpr uint64_t kDefaultSteps = 100;
constexpr uint64_t kPollNs = 5'000'000;             // a waiter looks at the holder this often
constexpr uint64_t kHolderLimitNs = 1'000'000'000;  // then takes the token whatever the holder does

enum SlotState : uint8_t { kFree, kWaiting, kRunning, kBlocked };

struct Slot {
  uint32_t tid;   // the runtime's thread id
  int32_t ktid;   // the kernel's, once the thread runs (0 before)
  uint64_t prio;  // higher runs first
  SlotState state;
};

// Guarded by g_lock. The token (slot index + 1, 0 = nobody) is atomic for the waiters' futex.
SpinLock g_lock;
Slot g_slots[kMaxSlots];
uint32_t g_used = 0;  // slots [0, g_used) have been handed out
std::atomic<uint32_t> g_token{0};
uint64_t g_rng = 0;
uint64_t g_step = 0;
uint64_t g_change[kMaxPctDepth];  // change points: steps whose runner drops to priority i+1
int g_changes = 0;
uint32_t g_depth = 1;

uint64_t Random() {  // splitmix64: the whole schedule follows from the seed
  uint64_t z = (g_rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t MonoNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

int* TokenWord() { return reinterpret_cast<int*>(&g_token); }

void WakeWaiters() {
  syscall(SYS_futex, TokenWord(), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// Initial priorities lie above every change point's (1 .. depth-1).
uint64_t NewPriority() { return g_depth + 1 + (Random() >> 2); }

// Under g_lock. Index of a new slot for `tid`, or -1 when the table is full.
int NewSlot(uint32_t tid, SlotState state) {
  uint32_t i = 0;
  while (i < g_used && g_slots[i].state != kFree) ++i;
  if (i == kMaxSlots) return -1;
  if (i == g_used) ++g_used;
  g_slots[i] = Slot{tid, 0, NewPriority(), state};
  return static_cast<int>(i);
}

// Under g_lock. The caller's slot: cached, announced by its creator, or new.
int SlotOf(ThreadState* ts) {
  if (ts->sched_slot) return static_cast<int>(ts->sched_slot) - 1;
  int idx = -1;
  for (uint32_t i = 0; i < g_used && idx < 0; ++i) {
    if (g_slots[i].state != kFree && g_slots[i].tid == ts->tid) idx = static_cast<int>(i);
  }
  if (idx < 0) idx = NewSlot(ts->tid, kRunning);
  if (idx < 0) return -1;
  g_slots[idx].ktid = static_cast<int32_t>(syscall(SYS_gettid));
  ts->sched_slot = static_cast<uint32_t>(idx) + 1;
  return idx;
}

// Under g_lock. The waiting thread of highest priority, or -1.
int Best() {
  int best = -1;
  for (uint32_t i = 0; i < g_used; ++i) {
    if (g_slots[i].state != kWaiting) continue;
    if (best < 0 || g_slots[i].prio > g_slots[best].prio) best = static_cast<int>(i);
  }
  return best;
}

// Under g_lock: the token goes to the best waiting thread, or to nobody.
void PassToken() {
  int best = Best();
  g_token.store(best >= 0 ? static_cast<uint32_t>(best) + 1 : 0, std::memory_order_release);
}

// The kernel's state letter of a thread of this process ('R', 'S', 'D', ...), 0 when gone.
char KernelState(int32_t ktid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", ktid);
  int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (fd < 0) return 0;
  char buf[512];
  long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* paren = strrchr(buf, ')');  // the name may hold spaces and parentheses
  return paren && paren[1] == ' ' ? paren[2] : 0;
}

// Waits until the token is this slot's. Livelock guard: a holder the kernel shows asleep on
// two looks in a row is in a blocking call the runtime does not see (a read, a futex of its
// own), and a holder that keeps the token past kHolderLimitNs may spin on this very thread;
// either way the waiter takes the token.
void WaitForToken(int idx) {
  const uint32_t me = static_cast<uint32_t>(idx) + 1;
  const uint64_t start = MonoNs();
  int asleep = 0;
  uint32_t watched = 0;
  for (;;) {
    uint32_t t = g_token.load(std::memory_order_acquire);
    if (t == me) break;
    if (t == 0) {
      g_lock.Lock();
      if (g_token.load(std::memory_order_relaxed) == 0)
        g_token.store(me, std::memory_order_release);
      g_lock.Unlock();
      continue;
    }
    timespec slice{0, static_cast<long>(kPollNs)};
    syscall(SYS_futex, TokenWord(), FUTEX_WAIT_PRIVATE, t, &slice, nullptr, 0);
    if (g_token.load(std::memory_order_acquire) != t) continue;
    if (t != watched) asleep = 0;
    watched = t;
    int32_t ktid = g_slots[t - 1].ktid;  // racy read: a wrong guess costs one more look
    char st = ktid ? KernelState(ktid) : 'R';
    asleep = (st == 'S' || st == 'D' || st == 0) ? asleep + 1 : 0;
    if (asleep >= 2 || MonoNs() - start > kHolderLimitNs) {
      g_lock.Lock();
      if (g_token.load(std::memory_order_relaxed) == t)
        g_token.store(me, std::memory_order_release);
      g_lock.Unlock();
    }
  }
  g_lock.Lock();
  g_slots[idx].state = kRunning;
  g_lock.Unlock();
}

// Threads the controller leaves alone: the watchdog, and signal handlers (the interrupted
// code may hold the controller's lock or be waiting for the token itself).
bool Exempt(ThreadState* ts) { return ts->is_runtime || ts->in_handler != 0; }

bool ParseU64(const char*& p, uint64_t* out) {
  char* end = nullptr;
  if (*p < '0' || *p > '9') return false;
  *out = strtoull(p, &end, 10);
  p = end;
  return true;
}

}  // namespace

void ScheduleInit() {
  const char* v = getenv("THREADLENS_SCHEDULE");
  if (!v || !*v) return;
  const char* p = v;
  uint64_t seed = 0, depth = 0, steps = kDefaultSteps;
  bool ok = strncmp(p, "pct:", 4) == 0;
  if (ok) p += 4;
  ok = ok && ParseU64(p, &seed) && *p++ == ':' && ParseU64(p, &depth) && depth >= 1 &&
       depth <= kMaxPctDepth;
  if (ok && *p == ':') {
    ++p;
    ok = ParseU64(p, &steps) && steps >= 1;
  }
  if (!ok || *p) {
    char msg[256];
    int n = snprintf(msg, sizeof msg,
                     "threadlens: THREADLENS_SCHEDULE=%.80s is not pct:SEED:DEPTH[:STEPS] "
                     "(DEPTH 1 to %d); running unscheduled\n",
                     v, kMaxPctDepth);
    TerminalMessage(msg, n > 0 ? static_cast<size_t>(n) : 0);
    return;
  }
  g_rng = seed;
  g_depth = static_cast<uint32_t>(depth);
  // DEPTH-1 distinct change points among the first STEPS steps.
  const uint64_t want = depth - 1 < steps ? depth - 1 : steps;
  while (static_cast<uint64_t>(g_changes) < want) {
    uint64_t c = 1 + Random() % steps;
    bool dup = false;
    for (int i = 0; i < g_changes; ++i) dup |= g_change[i] == c;
    if (!dup) g_change[g_changes++] = c;
  }
  g_schedule_on.store(true, std::memory_order_release);
}

void ScheduleOffInChild() {
  g_schedule_on.store(false, std::memory_order_relaxed);
  g_lock.Reset();
}

namespace {

// Gives the token to `best` and waits (g_lock held on entry, released here) until it
// comes back.
void HandOver(int idx, int best) {
  g_slots[idx].state = kWaiting;
  g_token.store(static_cast<uint32_t>(best) + 1, std::memory_order_release);
  g_lock.Unlock();
  WakeWaiters();
  WaitForToken(idx);
}

}  // namespace

void ScheduleStepSlow(ThreadState* ts) {
  if (Exempt(ts)) return;
  g_lock.Lock();
  const int idx = SlotOf(ts);
  if (idx < 0) {
    g_lock.Unlock();
    return;
  }
  const uint32_t me = static_cast<uint32_t>(idx) + 1;
  uint32_t t = g_token.load(std::memory_order_relaxed);
  if (t == 0) g_token.store(t = me, std::memory_order_release);
  if (t != me) {  // running without the token (new, or past the livelock guard): queue up
    g_slots[idx].state = kWaiting;
    g_lock.Unlock();
    WaitForToken(idx);
    return;
  }
  ++g_step;
  for (int i = 0; i < g_changes; ++i) {
    if (g_change[i] == g_step) g_slots[idx].prio = static_cast<uint64_t>(i) + 1;
  }
  const int best = Best();
  if (best < 0 || g_slots[best].prio < g_slots[idx].prio) {
    g_lock.Unlock();
    return;
  }
  HandOver(idx, best);
}

void ScheduleYieldSlow(ThreadState* ts) {
  if (Exempt(ts)) return;
  g_lock.Lock();
  const int idx = SlotOf(ts);
  const int best = Best();
  if (idx < 0 || best < 0 ||
      g_token.load(std::memory_order_relaxed) != static_cast<uint32_t>(idx) + 1) {
    g_lock.Unlock();
    return;
  }
  HandOver(idx, best);
}

void ScheduleBlockSlow(ThreadState* ts) {
  if (Exempt(ts)) return;
  g_lock.Lock();
  const int idx = SlotOf(ts);
  if (idx >= 0) {
    g_slots[idx].state = kBlocked;
    if (g_token.load(std::memory_order_relaxed) == static_cast<uint32_t>(idx) + 1) PassToken();
  }
  g_lock.Unlock();
  WakeWaiters();
}

void ScheduleUnblockSlow(ThreadState* ts) {
  if (Exempt(ts)) return;
  g_lock.Lock();
  const int idx = SlotOf(ts);
  if (idx < 0) {
    g_lock.Unlock();
    return;
  }
  if (g_token.load(std::memory_order_relaxed) == 0) {
    g_token.store(static_cast<uint32_t>(idx) + 1, std::memory_order_release);
    g_slots[idx].state = kRunning;
    g_lock.Unlock();
    return;
  }
  g_slots[idx].state = kWaiting;
  g_lock.Unlock();
  WaitForToken(idx);
}

void ScheduleCreateSlow(uint32_t child_tid) {
  g_lock.Lock();
  NewSlot(child_tid, kWaiting);
  g_lock.Unlock();
}

void ScheduleStartSlow(ThreadState* ts) {
  if (Exempt(ts)) return;
  g_lock.Lock();
  const int idx = SlotOf(ts);
  if (idx < 0) {
    g_lock.Unlock();
    return;
  }
  const uint32_t me = static_cast<uint32_t>(idx) + 1;
  if (g_token.load(std::memory_order_relaxed) == 0) g_token.store(me, std::memory_order_release);
  if (g_token.load(std::memory_order_relaxed) == me) {
    g_slots[idx].state = kRunning;
    g_lock.Unlock();
    return;
  }
  g_slots[idx].state = kWaiting;
  g_lock.Unlock();
  WaitForToken(idx);
}

void ScheduleExitSlow(ThreadState* ts) {
  if (ts->is_runtime || !ts->sched_slot) return;
  g_lock.Lock();
  const int idx = static_cast<int>(ts->sched_slot) - 1;
  g_slots[idx] = Slot{0, 0, 0, kFree};
  ts->sched_slot = 0;
  if (g_token.load(std::memory_order_relaxed) == static_cast<uint32_t>(idx) + 1) PassToken();
  g_lock.Unlock();
  WakeWaiters();
}

void ScheduleForgetSlow(uint32_t tid) {
  g_lock.Lock();
  for (uint32_t i = 0; i < g_used; ++i) {
    if (g_slots[i].state == kWaiting && g_slots[i].tid == tid) g_slots[i] = Slot{0, 0, 0, kFree};
  }
  g_lock.Unlock();
}

}  // namespace threadlens::rt
