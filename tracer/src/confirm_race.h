// Race confirmation for `threadlens confirm` on a race of an instrumented program (RaceFuzzer's
// idea: Sen, PLDI 2008). THREADLENS_CONFIRM_RACE="SITE,SITE;HOLD_MS;RESULT_FILE" names the
// race's two access sites (MODULE+0xOFFSET). A thread that records an access at one of them
// waits there, up to HOLD_MS, for another thread to arrive at the other with an access to the
// same bytes, one of the two a write. Then both accesses are about to happen at once: the race
// is real, "confirmed" goes to RESULT_FILE, and both go on. Checked only on the out-of-line
// path of a recorded access, never on the inline path's cache hits: off, it costs nothing
// there.
#pragma once

#include <atomic>
#include <cstdint>

namespace threadlens::rt {

extern std::atomic<bool> g_confirm_race_on;

// Reads THREADLENS_CONFIRM_RACE (runtime start).
void ConfirmRaceInit();
void ConfirmRaceAccess(uint64_t addr, uint32_t size, bool write, uint64_t pc);

inline void MaybeHoldForRace(uint64_t addr, uint32_t size, bool write, uint64_t pc) {
  if (__builtin_expect(g_confirm_race_on.load(std::memory_order_relaxed), 0)) {
    ConfirmRaceAccess(addr, size, write, pc);
  }
}

}  // namespace threadlens::rt
