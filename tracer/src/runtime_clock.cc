// The runtime's clock: the TSC where it runs at a constant rate through sleep states, else
// CLOCK_MONOTONIC, and its rate in ticks per second, calibrated at start and again at close.
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime_internal.h"

namespace threadlens::rt {

bool g_use_tsc = false;

namespace {

uint64_t g_start_tsc, g_start_mono;  // calibration baseline
uint64_t g_ticks_per_second = 1'000'000'000;

uint64_t MonoNs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

// Read without stdio, which might take intercepted locks.
bool HasCpuFlag(const char* flag) {
  int fd = open("/proc/cpuinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  char* flags = strstr(buf, "\nflags");
  if (!flags) return false;
  char* end = strchr(flags + 1, '\n');
  if (end) *end = 0;
  size_t len = strlen(flag);
  for (char* p = strstr(flags, flag); p; p = strstr(p + 1, flag)) {
    if (p[-1] == ' ' && (p[len] == ' ' || p[len] == 0)) return true;
  }
  return false;
}

}  // namespace

void SetupClock() {
  g_use_tsc = HasCpuFlag("constant_tsc") && HasCpuFlag("nonstop_tsc");
  g_start_mono = MonoNs();
  if (!g_use_tsc) {
    g_ticks_per_second = 1'000'000'000;
    return;
  }
  // A first estimate over 2 ms; the header gets a better one at close.
  g_start_tsc = __rdtsc();
  uint64_t until = g_start_mono + 2'000'000;
  uint64_t m;
  do m = MonoNs();
  while (m < until);
  uint64_t t = __rdtsc();
  g_ticks_per_second = (t - g_start_tsc) * 1'000'000'000ull / (m - g_start_mono);
}

void Recalibrate() {
  if (!g_use_tsc) return;
  uint64_t m = MonoNs();
  uint64_t t = __rdtsc();
  if (m - g_start_mono > 50'000'000) {
    g_ticks_per_second = static_cast<uint64_t>(static_cast<double>(t - g_start_tsc) * 1e9 /
                                               static_cast<double>(m - g_start_mono));
  }
}

uint64_t NowSlow() { return MonoNs(); }
uint64_t TicksPerSecond() { return g_ticks_per_second; }

}  // namespace threadlens::rt
