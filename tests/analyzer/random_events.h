// Arbitrary events for robustness tests: any kind, thread ids and objects that collide or
// take extreme values, sizes of zero and of terabytes, string sites a trace may not hold,
// and timestamps that jump or go back.
#pragma once

#include <cstdint>
#include <iterator>
#include <random>

#include "threadlens/trace_format.h"

namespace threadlens::testing {

inline constexpr trace::EventKind kAllKinds[] = {
    trace::EventKind::kThreadCreate,    trace::EventKind::kThreadStart,
    trace::EventKind::kThreadExit,      trace::EventKind::kThreadJoinBegin,
    trace::EventKind::kThreadJoin,      trace::EventKind::kThreadDetach,
    trace::EventKind::kLockCreate,      trace::EventKind::kLockDestroy,
    trace::EventKind::kLockRequest,     trace::EventKind::kLockAcquired,
    trace::EventKind::kLockTryFailed,   trace::EventKind::kLockRelease,
    trace::EventKind::kCondWaitBegin,   trace::EventKind::kCondWaitEnd,
    trace::EventKind::kCondSignal,      trace::EventKind::kCondBroadcast,
    trace::EventKind::kSemWaitBegin,    trace::EventKind::kSemWaitEnd,
    trace::EventKind::kSemPost,         trace::EventKind::kRead,
    trace::EventKind::kWrite,           trace::EventKind::kAtomicLoad,
    trace::EventKind::kAtomicStore,     trace::EventKind::kAtomicRmw,
    trace::EventKind::kFence,           trace::EventKind::kAlloc,
    trace::EventKind::kFree,            trace::EventKind::kHappensBefore,
    trace::EventKind::kHappensAfter,    trace::EventKind::kFuncEntry,
    trace::EventKind::kFuncExit,        trace::EventKind::kNameThread,
    trace::EventKind::kNameLock,        trace::EventKind::kNameVariable,
    trace::EventKind::kWatchdogFired,   trace::EventKind::kBlocked,
    trace::EventKind::kHolds,           trace::EventKind::kThreadStack,
    trace::EventKind::kRunning,         trace::EventKind::kSignalSend,
    trace::EventKind::kSignalEnter,     trace::EventKind::kSignalLeave,
    trace::EventKind::kSignalUnsafeCall, trace::EventKind::kIgnoresAtExit,
    trace::EventKind::kMapShared,       trace::EventKind::kUnmapShared,
    trace::EventKind::kSemInit,         trace::EventKind::kThreadTls,
    trace::EventKind::kCrash,           trace::EventKind::kFutexWaitBegin,
    trace::EventKind::kFutexWaitEnd,    trace::EventKind::kMapName,
};

// A value from a few that collide (objects, thread ids, sizes) or from the extremes.
inline uint64_t Pick(std::mt19937_64& rng, uint64_t small) {
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return ~0ull - rng() % 4;
    case 2: return rng();
    case 3: return 1ull << (rng() % 64);
    default: return rng() % small;
  }
}

struct RandomEvent {
  uint32_t tid;
  trace::Event ev;
};

// The i-th event of a random sequence. String sites name ids below 64: a trace holding a
// few strings has some of them.
inline RandomEvent NextRandomEvent(std::mt19937_64& rng, size_t i) {
  RandomEvent r;
  r.tid = static_cast<uint32_t>(rng() % 9 == 0 ? Pick(rng, 6) : 1 + rng() % 5);
  trace::Event& e = r.ev;
  e.kind = static_cast<uint8_t>(kAllKinds[rng() % std::size(kAllKinds)]);
  // Objects: thread ids for thread events, else addresses a few granules apart.
  e.obj = rng() % 4 == 0 ? Pick(rng, 6) : 0x10000 + 4 * (rng() % 64);
  e.site = rng() % 5 == 0 ? trace::kSiteIsString | Pick(rng, 64) : 0x400 + rng() % 16;
  e.flags = static_cast<uint8_t>(rng());
  e.aux16 = static_cast<uint16_t>(Pick(rng, 24));
  e.aux32 = static_cast<uint32_t>(Pick(rng, 4096));
  e.seq = rng() % 3 == 0 ? Pick(rng, 512) : 1 + rng() % 64;
  e.ts = rng() % 16 == 0 ? Pick(rng, 1000 * (i + 1)) : 1000 * (i + 1);  // a jump, or back
  return r;
}

}  // namespace threadlens::testing
