// Schedule controller for `threadlens confirm` (see confirm.h).
#include "confirm.h"

#include <errno.h>  // program_invocation_short_name
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fd_sync.h"

namespace threadlens::rt {

std::atomic<bool> g_confirm_on{false};

namespace {

constexpr int kMaxSites = 16;
ConfirmSite g_sites[kMaxSites];
int g_site_count = 0;
uint64_t g_hold_ns = 1'000'000'000;
std::atomic<bool> g_resolved{false};
SpinLock g_resolve_lock;
int g_cycle_length = 2;

// The threads held at a cycle site now. A thread is in the table only while it waits, so
// its held locks cannot change while another reads them under g_waiters_lock.
constexpr int kMaxWaiters = 32;
struct Waiter {
  ThreadState* ts;  // null: a free slot
  uint64_t wants;   // the lock it is about to request
  std::atomic<bool> go;
};
Waiter g_waiters[kMaxWaiters];
SpinLock g_waiters_lock;

const char* Basename(const char* path) {
  const char* slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

struct SiteList {
  ConfirmSite* sites;
  int n;
};

int ResolveModule(struct dl_phdr_info* info, size_t, void* data) {
  auto* list = static_cast<SiteList*>(data);
  const char* name = info->dlpi_name && *info->dlpi_name ? Basename(info->dlpi_name) : "";
  for (int i = 0; i < list->n; ++i) {
    ConfirmSite& s = list->sites[i];
    if (s.pc) continue;
    // The main program has no name here; the confirm command names it by its file.
    const bool main_match = !*name && program_invocation_short_name &&
                            strcmp(s.module, program_invocation_short_name) == 0;
    if ((*name && strcmp(s.module, name) == 0) || main_match) s.pc = info->dlpi_addr + s.offset;
  }
  return 0;
}

// THREADLENS_CONFIRM_DELAY: the first thread to reach this acquisition site waits there
// once, so that what it raced with goes first (a notification the waiter then misses).
ConfirmSite g_delay_site;
bool g_delay = false;
uint64_t g_delay_ns = 0;
std::atomic<bool> g_delayed{false};

void Resolve() {
  if (g_resolved.load(std::memory_order_acquire)) return;
  g_resolve_lock.Lock();
  if (!g_resolved.load(std::memory_order_relaxed)) {
    if (g_delay) ResolveConfirmSites(&g_delay_site, 1);
    ResolveConfirmSites(g_sites, g_site_count);
    g_resolved.store(true, std::memory_order_release);
  }
  g_resolve_lock.Unlock();
}

bool Holds(const ThreadState* ts, uint64_t lock) {
  const uint32_t n = ts->held_count.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n && i < kMaxHeld; ++i) {
    if (ts->held[i].lock.load(std::memory_order_relaxed) == lock) return true;
  }
  return fdsync::HoldsFileLock(ts->tid, lock);  // a file's lock it took (a cycle's node too)
}

// The waiter other than `self` that holds `lock`, or -1 (callers hold g_waiters_lock).
int HolderOf(uint64_t lock, int self) {
  for (int i = 0; i < kMaxWaiters; ++i) {
    if (i != self && g_waiters[i].ts && Holds(g_waiters[i].ts, lock)) return i;
  }
  return -1;
}

// Follows "requests a lock held by" from the waiter that just arrived. When that closes a
// cycle of exactly g_cycle_length waiters back to it, releases them: each then requests
// what the next holds. A shorter cycle is a different finding, so its threads stay held.
void ReleaseCycleThrough(int first) {
  int path[kMaxWaiters];
  int len = 0;
  for (int cur = first;;) {
    path[len++] = cur;
    const int next = HolderOf(g_waiters[cur].wants, cur);
    if (next < 0 || len == kMaxWaiters) return;
    if (next == first) break;
    for (int i = 0; i < len; ++i) {
      if (path[i] == next) return;  // a cycle that does not pass through `first`
    }
    cur = next;
  }
  if (len != g_cycle_length) return;
  for (int i = 0; i < len; ++i) g_waiters[path[i]].go.store(true, std::memory_order_release);
}

}  // namespace

int ParseConfirmSites(const char* v, ConfirmSite* sites, int max, const char** rest) {
  int n = 0;
  const char* p = v;
  while (*p && *p != ';' && n < max) {
    const char* end = p;
    while (*end && *end != ',' && *end != ';') ++end;
    const char* plus = p;
    while (plus < end && *plus != '+') ++plus;
    if (plus < end) {
      ConfirmSite& s = sites[n];
      size_t len = static_cast<size_t>(plus - p);
      if (len >= sizeof s.module) len = sizeof s.module - 1;
      memcpy(s.module, p, len);
      s.module[len] = 0;
      s.offset = strtoull(plus + 1, nullptr, 16);
      s.pc = 0;
      ++n;
    }
    p = *end == ',' ? end + 1 : end;
  }
  while (*p && *p != ';') ++p;
  *rest = p;
  return n;
}

void ResolveConfirmSites(ConfirmSite* sites, int n) {
  SiteList list{sites, n};
  dl_iterate_phdr(ResolveModule, &list);
}

uint64_t ConfirmNowNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

void ConfirmPause(uint64_t ns) {
  timespec t{static_cast<time_t>(ns / 1'000'000'000ull), static_cast<long>(ns % 1'000'000'000ull)};
  syscall(SYS_nanosleep, &t, nullptr);
}

void ConfirmInit() {
  if (const char* d = getenv("THREADLENS_CONFIRM_DELAY"); d && *d) {
    const char* p = d;
    if (ParseConfirmSites(d, &g_delay_site, 1, &p) == 1 && *p == ';') {
      g_delay_ns = strtoull(p + 1, nullptr, 10) * 1'000'000ull;
      g_delay = true;
      g_confirm_on.store(true, std::memory_order_release);
    }
  }
  const char* v = getenv("THREADLENS_CONFIRM");
  if (!v || !*v) return;
  const char* p = v;
  g_site_count = ParseConfirmSites(v, g_sites, kMaxSites, &p);
  if (*p == ';') {
    char* end = nullptr;
    g_hold_ns = strtoull(p + 1, &end, 10) * 1'000'000ull;
    if (*end == ';') g_cycle_length = static_cast<int>(strtol(end + 1, nullptr, 10));
  }
  if (g_cycle_length < 2) g_cycle_length = 2;
  if (g_cycle_length > kMaxWaiters) g_cycle_length = kMaxWaiters;
  if (g_site_count > 0) g_confirm_on.store(true, std::memory_order_release);
}

void ConfirmForkChild() {
  g_waiters_lock.Reset();
  for (Waiter& w : g_waiters) w.ts = nullptr;
}

void ConfirmBeforeAcquire(ThreadState* ts, uint64_t site, uint64_t lock) {
  Resolve();
  if (g_delay && site == g_delay_site.pc && !ts->is_runtime &&
      !g_delayed.exchange(true, std::memory_order_relaxed)) {
    ConfirmPause(g_delay_ns);
  }
  // A cycle's edge: a thread that holds a lock (or a file's lock) and requests another.
  bool ours = false;
  for (int i = 0; i < g_site_count; ++i) ours |= g_sites[i].pc == site;
  if (!ours || ts->is_runtime) return;
  if (ts->held_count.load(std::memory_order_relaxed) == 0 && !fdsync::HoldsFileLock(ts->tid, 0)) {
    return;
  }
  g_waiters_lock.Lock();
  int slot = 0;
  while (slot < kMaxWaiters && g_waiters[slot].ts) ++slot;
  if (slot == kMaxWaiters) {
    g_waiters_lock.Unlock();
    return;
  }
  g_waiters[slot].ts = ts;
  g_waiters[slot].wants = lock;
  g_waiters[slot].go.store(false, std::memory_order_relaxed);
  ReleaseCycleThrough(slot);
  g_waiters_lock.Unlock();
  // Without a deadline, a cycle that cannot close would hold its threads for ever.
  const uint64_t deadline = ConfirmNowNs() + g_hold_ns;
  while (!g_waiters[slot].go.load(std::memory_order_acquire) && ConfirmNowNs() < deadline) {
    ConfirmPause(1'000'000);
  }
  g_waiters_lock.Lock();
  g_waiters[slot].ts = nullptr;
  g_waiters_lock.Unlock();
}

}  // namespace threadlens::rt
