// Race confirmation (see confirm_race.h). Runs inside the traced program: no allocation, no
// pthread locks, no intercepted calls while a thread is held.
#include "confirm_race.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confirm.h"

namespace threadlens::rt {

std::atomic<bool> g_confirm_race_on{false};

namespace {

constexpr int kSites = 2;
constexpr int kMaxHolds = 8;  // holds per run: a site in a loop must not stall the program

ConfirmSite g_sites[kSites];
int g_site_count = 0;
uint64_t g_hold_ns = 1'000'000'000;
char g_result[512];
SpinLock g_lock;  // guards everything below and the sites' resolution
bool g_resolved = false;
int g_holds = 0;

// The thread parked at a site, waiting for its partner.
struct Parked {
  bool present;
  int site;
  uint64_t tid;  // kernel thread id
  uint64_t addr;
  uint32_t size;
  bool write;
};
Parked g_parked{};
std::atomic<bool> g_met{false};

bool Overlap(uint64_t a, uint32_t an, uint64_t b, uint32_t bn) { return a < b + bn && b < a + an; }

// The proof, and what the bytes held while both threads were about to touch them: the
// value a read sees if it goes first. "confirmed\nvalue 0xHEX SIZE\n".
void WriteResult(uint64_t addr, uint32_t size) {
  int fd = static_cast<int>(
      syscall(SYS_openat, AT_FDCWD, g_result, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd < 0) return;
  char text[64] = "confirmed\nvalue 0x";
  size_t n = strlen(text);
  if (size > 8) size = 8;
  uint64_t v = 0;
  memcpy(&v, reinterpret_cast<const void*>(addr), size);  // the program is about to read it
  for (int shift = static_cast<int>(size) * 8 - 4; shift >= 0; shift -= 4) {
    text[n++] = "0123456789abcdef"[(v >> shift) & 15];
  }
  text[n++] = ' ';
  text[n++] = static_cast<char>('0' + size);
  text[n++] = '\n';
  syscall(SYS_write, fd, text, n);
  syscall(SYS_close, fd);
}

}  // namespace

void ConfirmRaceInit() {
  const char* v = getenv("THREADLENS_CONFIRM_RACE");
  if (!v || !*v) return;
  const char* p = v;
  g_site_count = ParseConfirmSites(v, g_sites, kSites, &p);
  if (*p != ';') return;
  char* end = nullptr;
  g_hold_ns = strtoull(p + 1, &end, 10) * 1'000'000ull;
  if (!end || *end != ';' || strlen(end + 1) >= sizeof g_result) return;
  strcpy(g_result, end + 1);
  if (g_site_count == kSites) g_confirm_race_on.store(true, std::memory_order_release);
}

void ConfirmRaceAccess(uint64_t addr, uint32_t size, bool write, uint64_t pc) {
  g_lock.Lock();
  if (!g_resolved) {
    ResolveConfirmSites(g_sites, g_site_count);
    g_resolved = true;
  }
  int site = -1;
  for (int i = 0; i < kSites && site < 0; ++i) {
    if (g_sites[i].pc == pc) site = i;
  }
  const uint64_t tid = static_cast<uint64_t>(syscall(SYS_gettid));
  if (site < 0 || !g_confirm_race_on.load(std::memory_order_relaxed)) {
    g_lock.Unlock();
    return;
  }
  // A partner parked at the other site (either, when both sides are one site) on the same
  // bytes: both accesses are enabled at once.
  const Parked& q = g_parked;
  if (q.present && q.tid != tid && (q.site != site || g_sites[0].pc == g_sites[1].pc) &&
      Overlap(q.addr, q.size, addr, size) && (q.write || write)) {
    WriteResult(addr, size);
    g_confirm_race_on.store(false, std::memory_order_relaxed);  // proven: no more holds
    g_met.store(true, std::memory_order_release);
    g_lock.Unlock();
    return;
  }
  if (q.present || g_holds >= kMaxHolds) {
    g_lock.Unlock();
    return;
  }
  ++g_holds;
  g_parked = Parked{true, site, tid, addr, size, write};
  g_lock.Unlock();
  const uint64_t deadline = ConfirmNowNs() + g_hold_ns;
  while (!g_met.load(std::memory_order_acquire) && ConfirmNowNs() < deadline) {
    ConfirmPause(1'000'000);
  }
  g_lock.Lock();
  g_parked.present = false;
  g_lock.Unlock();
}

}  // namespace threadlens::rt
