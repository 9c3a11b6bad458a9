// Arbitrary event sequences: a trace that passes the reader's checks but whose events make no
// sense (an unlock of a lock never taken, a join of a thread never created, a free of a block
// never allocated, sizes of zero and of terabytes, events after a thread's exit, timestamps
// going back) must be analyzed and reported like any other, with every detector and
// prediction on: no crash, no hang, and reports every writer can render.
#include <gtest/gtest.h>

#include <random>

#include "test_util.h"
#include "threadlens/analyzer/findings_json.h"
#include "threadlens/reports/html_report.h"
#include "threadlens/reports/junit_report.h"
#include "threadlens/reports/sarif_report.h"
#include "threadlens/reports/text_report.h"

namespace threadlens::testing {
namespace {

using trace::EventKind;

constexpr EventKind kKinds[] = {
    EventKind::kThreadCreate,   EventKind::kThreadStart,     EventKind::kThreadExit,
    EventKind::kThreadJoinBegin, EventKind::kThreadJoin,     EventKind::kThreadDetach,
    EventKind::kLockCreate,     EventKind::kLockDestroy,     EventKind::kLockRequest,
    EventKind::kLockAcquired,   EventKind::kLockTryFailed,   EventKind::kLockRelease,
    EventKind::kCondWaitBegin,  EventKind::kCondWaitEnd,     EventKind::kCondSignal,
    EventKind::kCondBroadcast,  EventKind::kSemWaitBegin,    EventKind::kSemWaitEnd,
    EventKind::kSemPost,        EventKind::kRead,            EventKind::kWrite,
    EventKind::kAtomicLoad,     EventKind::kAtomicStore,     EventKind::kAtomicRmw,
    EventKind::kFence,          EventKind::kAlloc,           EventKind::kFree,
    EventKind::kHappensBefore,  EventKind::kHappensAfter,    EventKind::kFuncEntry,
    EventKind::kFuncExit,       EventKind::kNameThread,      EventKind::kNameLock,
    EventKind::kNameVariable,   EventKind::kWatchdogFired,   EventKind::kBlocked,
    EventKind::kHolds,          EventKind::kThreadStack,     EventKind::kRunning,
    EventKind::kSignalSend,     EventKind::kSignalEnter,     EventKind::kSignalLeave,
    EventKind::kSignalUnsafeCall, EventKind::kIgnoresAtExit, EventKind::kMapShared,
    EventKind::kUnmapShared,    EventKind::kSemInit,         EventKind::kThreadTls,
    EventKind::kCrash,          EventKind::kFutexWaitBegin,  EventKind::kFutexWaitEnd,
};

// A value from a few that collide (objects, thread ids, sizes) or from the extremes.
uint64_t Pick(std::mt19937_64& rng, uint64_t small) {
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return ~0ull - rng() % 4;
    case 2: return rng();
    case 3: return 1ull << (rng() % 64);
    default: return rng() % small;
  }
}

VectorSource RandomSource(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  VectorSource src;
  for (int i = 0; i < 4; ++i) src.Str("s" + std::to_string(i));
  for (size_t i = 0; i < n; ++i) {
    const EventKind kind = kKinds[rng() % std::size(kKinds)];
    const uint32_t tid = static_cast<uint32_t>(rng() % 9 == 0 ? Pick(rng, 6) : 1 + rng() % 5);
    // Objects: thread ids for thread events, else addresses a few granules apart.
    uint64_t obj = rng() % 4 == 0 ? Pick(rng, 6) : 0x10000 + 4 * (rng() % 64);
    // Sites: code addresses, strings of the trace, and string ids it does not hold.
    uint64_t site = 0x400 + rng() % 16;
    if (rng() % 5 == 0) site = src.Site("s" + std::to_string(rng() % 6));
    if (rng() % 20 == 0) site = trace::kSiteIsString | Pick(rng, 64);
    src.Add(tid, kind, obj, static_cast<uint8_t>(rng()), static_cast<uint16_t>(Pick(rng, 24)),
            site, static_cast<uint32_t>(Pick(rng, 4096)));
    src.Seq(rng() % 3 == 0 ? Pick(rng, 512) : 1 + rng() % 64);
    if (rng() % 16 == 0) src.Ts(Pick(rng, 1000 * (i + 1)));  // a jump, or back
  }
  return src;
}

void AnalyzeAndRender(uint64_t seed, size_t n, bool predict) {
  VectorSource src = RandomSource(seed, n);
  AnalyzeOptions o = TestOptions();
  o.contention = true;
  o.predict = predict;
  o.race_workers = static_cast<int>(seed % 2);
  const Report r = Analyze(src, o);
  const std::vector<reports::NamedReport> named{{"random", r}};
  EXPECT_FALSE(reports::RenderText(r).empty()) << "seed " << seed;
  EXPECT_FALSE(ToJson(r, 2, true).empty()) << "seed " << seed;
  EXPECT_FALSE(reports::ToSarif(named).dump().empty()) << "seed " << seed;
  EXPECT_FALSE(reports::JunitXml(named).empty()) << "seed " << seed;
  EXPECT_FALSE(reports::HtmlReport(named).empty()) << "seed " << seed;
}

TEST(ArbitraryEvents, AnalyzedAndReportedWithoutACrash) {
  for (uint64_t seed = 1; seed <= 80; ++seed) AnalyzeAndRender(seed, 400, false);
}

TEST(ArbitraryEvents, PredictionToo) {
  for (uint64_t seed = 1000; seed <= 1040; ++seed) AnalyzeAndRender(seed, 300, true);
}

}  // namespace
}  // namespace threadlens::testing
