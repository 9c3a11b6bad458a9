// Schedule controller for `threadlens confirm` (see confirm.h).
#include "confirm.h"

#include <errno.h>  // program_invocation_short_name
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace threadlens::rt {

std::atomic<bool> g_confirm_on{false};

namespace {

constexpr int kMaxSites = 16;
ConfirmSite g_sites[kMaxSites];
int g_site_count = 0;
uint64_t g_hold_ns = 1'000'000'000;
std::atomic<bool> g_resolved{false};
SpinLock g_resolve_lock;
std::atomic<int> g_waiting{0};

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

void Resolve() {
  if (g_resolved.load(std::memory_order_acquire)) return;
  g_resolve_lock.Lock();
  if (!g_resolved.load(std::memory_order_relaxed)) {
    ResolveConfirmSites(g_sites, g_site_count);
    g_resolved.store(true, std::memory_order_release);
  }
  g_resolve_lock.Unlock();
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
  const char* v = getenv("THREADLENS_CONFIRM");
  if (!v || !*v) return;
  const char* p = v;
  g_site_count = ParseConfirmSites(v, g_sites, kMaxSites, &p);
  if (*p == ';') g_hold_ns = strtoull(p + 1, nullptr, 10) * 1'000'000ull;
  if (g_site_count > 0) g_confirm_on.store(true, std::memory_order_release);
}

void ConfirmBeforeAcquire(ThreadState* ts, uint64_t site) {
  Resolve();
  bool ours = false;
  for (int i = 0; i < g_site_count; ++i) ours |= g_sites[i].pc == site;
  if (!ours || ts->is_runtime) return;
  // Wait for a partner at another site of the cycle; both then go on together.
  g_waiting.fetch_add(1, std::memory_order_acq_rel);
  const uint64_t deadline = ConfirmNowNs() + g_hold_ns;
  while (g_waiting.load(std::memory_order_acquire) < 2 && ConfirmNowNs() < deadline) {
    ConfirmPause(1'000'000);
  }
  // Leave the count up a moment, so the partner sees it too before it drops.
  ConfirmPause(1'000'000);
  g_waiting.fetch_sub(1, std::memory_order_acq_rel);
}

}  // namespace threadlens::rt
