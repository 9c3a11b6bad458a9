// The schedule controller of `threadlens confirm` (DeadlockFuzzer's idea: Joshi, Park, Sen,
// Naik, PLDI 2009). THREADLENS_CONFIRM names the acquisition sites of a lock-order cycle of K
// locks, "MODULE+0xOFFSET,...;HOLD_MS;K" (HOLD_MS defaults to 1000, K to 2). A thread that
// reaches one of them while holding a lock waits there (up to HOLD_MS) until K waiting
// threads close a cycle: each requests a lock the next one holds. Then those K go on
// together and deadlock for real; the watchdog ends the run. Off (one load per lock) unless set.
#pragma once

#include <atomic>
#include <cstdint>

#include "runtime_internal.h"

namespace threadlens::rt {

// THREADLENS_CONFIRM or THREADLENS_CONFIRM_DELAY was set and parsed
extern std::atomic<bool> g_confirm_on;

// A site named "MODULE+0xOFFSET" ("" module = the main program), resolved to a pc at first use.
struct ConfirmSite {
  char module[128];
  uint64_t offset;
  uint64_t pc;  // 0 until resolved
};
// Parses "MODULE+0xOFFSET,..." up to ';' or the end; returns the sites read, and where the
// list ended in *rest.
int ParseConfirmSites(const char* v, ConfirmSite* sites, int max, const char** rest);
// Resolves the sites' pcs against the loaded modules (callers serialize).
void ResolveConfirmSites(ConfirmSite* sites, int n);
// Monotonic nanoseconds; a pause of `ns` that is not a traced sleep.
uint64_t ConfirmNowNs();
void ConfirmPause(uint64_t ns);

// Reads THREADLENS_CONFIRM (runtime start).
void ConfirmInit();
// In a forked child: forgets the parent's held threads, whose states the child unmaps.
void ConfirmForkChild();
// Before a blocking acquisition of `lock` at `site` (THREADLENS_CONFIRM_DELAY's site, or a
// cycle's acquisition by a thread holding a lock).
void ConfirmBeforeAcquire(ThreadState* ts, uint64_t site, uint64_t lock);

inline void MaybeHoldForConfirm(ThreadState* ts, uint64_t site, uint64_t lock) {
  if (TL_UNLIKELY(g_confirm_on.load(std::memory_order_relaxed))) {
    ConfirmBeforeAcquire(ts, site, lock);
  }
}

}  // namespace threadlens::rt
