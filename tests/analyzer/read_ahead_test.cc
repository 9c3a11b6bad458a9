// The read-ahead source: the same events in the same order as the source it reads, whatever
// the calls; an Error after every event before it; no hang when dropped half read; and an
// analysis through it identical to one without.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "read_ahead.h"
#include "test_util.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/findings_json.h"

namespace threadlens {
namespace {

using testing::VectorSource;

constexpr size_t kSlot = ReadAhead::kSlotEvents;

// `n` events whose obj numbers them; the source throws an Error in place of event `fail`.
class Numbered final : public EventSource {
 public:
  Numbered(size_t n, size_t fail = ~size_t{0}) : n_(n), fail_(fail) {
    meta_.format = "binary";
    warnings_.push_back("opened");
  }
  bool Next(StreamEvent& out) override {
    if (at_ == fail_) throw Error("bad record at event " + std::to_string(at_));
    if (at_ == n_) {
      if (!ended_) warnings_.push_back("read to the end");
      ended_ = true;
      return false;
    }
    out = StreamEvent{};
    out.tid = static_cast<uint32_t>(1 + at_ % 3);
    out.ev.kind = static_cast<uint8_t>(trace::EventKind::kRead);
    out.ev.obj = at_++;
    return true;
  }
  const TraceMeta& Meta() const override { return meta_; }
  std::string_view String(uint32_t) const override { return "s"; }
  const std::vector<ModuleInfo>& Modules() const override { return modules_; }
  const std::vector<std::string>& Warnings() const override { return warnings_; }

 private:
  size_t n_, fail_, at_ = 0;
  bool ended_ = false;
  TraceMeta meta_;
  std::vector<ModuleInfo> modules_;
  std::vector<std::string> warnings_;
};

// Reads all of `src` by a random mix of NextSpan, NextBatch and Next; the objs in order.
std::vector<uint64_t> ReadAll(EventSource& src, std::mt19937& rng) {
  std::vector<uint64_t> got;
  std::vector<StreamEvent> buf(3 * kSlot);
  for (;;) {
    const int how = static_cast<int>(rng() % 3);
    if (how == 0) {
      const StreamEvent* span = nullptr;
      const size_t n = src.NextSpan(&span);
      if (n == 0) break;
      for (size_t i = 0; i < n; ++i) got.push_back(span[i].ev.obj);
    } else if (how == 1) {
      const size_t want = 1 + rng() % buf.size();
      const size_t n = src.NextBatch(buf.data(), want);
      for (size_t i = 0; i < n; ++i) got.push_back(buf[i].ev.obj);
      if (n < want) break;
    } else {
      StreamEvent e;
      if (!src.Next(e)) break;
      got.push_back(e.ev.obj);
    }
  }
  return got;
}

TEST(ReadAhead, GivesEveryEventInOrderWhateverTheCalls) {
  std::mt19937 rng(7);
  for (size_t n : {size_t{0}, size_t{1}, kSlot - 1, kSlot, kSlot + 1, 4 * kSlot,
                   9 * kSlot + 17}) {
    for (int round = 0; round < 4; ++round) {
      ReadAhead src(std::make_unique<Numbered>(n));
      const std::vector<uint64_t> got = ReadAll(src, rng);
      ASSERT_EQ(got.size(), n) << "n=" << n;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], i) << "n=" << n;
      // At the end, and after it, nothing more.
      const StreamEvent* span = nullptr;
      EXPECT_EQ(src.NextSpan(&span), 0u);
      StreamEvent e;
      EXPECT_FALSE(src.Next(e));
    }
  }
}

TEST(ReadAhead, ToldToReadOnTheCallersThreadItLosesNothing) {
  std::mt19937 rng(11);
  const size_t n = 7 * kSlot + 5;
  // Told before the first read, after some spans (the reader a ring ahead or less), at the
  // end, and twice.
  for (size_t spans : {size_t{0}, size_t{1}, size_t{2}, size_t{5}, size_t{8}, size_t{20}}) {
    for (int twice = 0; twice < 2; ++twice) {
      ReadAhead src(std::make_unique<Numbered>(n));
      std::vector<uint64_t> got;
      const StreamEvent* span = nullptr;
      for (size_t k = 0; k < spans; ++k) {
        const size_t m = src.NextSpan(&span);
        for (size_t i = 0; i < m; ++i) got.push_back(span[i].ev.obj);
      }
      src.ReadOnCallerThread();
      if (twice) src.ReadOnCallerThread();
      for (uint64_t v : ReadAll(src, rng)) got.push_back(v);
      ASSERT_EQ(got.size(), n) << "spans=" << spans;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], i) << "spans=" << spans;
      EXPECT_EQ(src.Warnings().back(), "read to the end");
    }
  }
  // An error met on the caller's thread still comes after every event before it.
  ReadAhead src(std::make_unique<Numbered>(10 * kSlot, 3 * kSlot + 7));
  const StreamEvent* span = nullptr;
  ASSERT_EQ(src.NextSpan(&span), kSlot);
  src.ReadOnCallerThread();
  std::vector<StreamEvent> buf(kSlot / 2);
  size_t seen = kSlot;
  EXPECT_THROW(
      {
        while (size_t m = src.NextBatch(buf.data(), buf.size())) {
          for (size_t i = 0; i < m; ++i) ASSERT_EQ(buf[i].ev.obj, seen + i);
          seen += m;
        }
      },
      Error);
  EXPECT_LE(seen, 3 * kSlot + 7);
  EXPECT_GE(seen, 3 * kSlot);
}

TEST(ReadAhead, WarningsAreTheSourcesOnceReadToTheEnd) {
  ReadAhead src(std::make_unique<Numbered>(2 * kSlot + 3));
  EXPECT_EQ(src.Warnings(), std::vector<std::string>{"opened"});
  EXPECT_EQ(src.Meta().format, "binary");
  std::mt19937 rng(1);
  ReadAll(src, rng);
  EXPECT_EQ(src.Warnings(), (std::vector<std::string>{"opened", "read to the end"}));
}

TEST(ReadAhead, AnErrorComesAfterTheEventsOfTheBatchesBeforeIt) {
  for (size_t fail : {size_t{0}, size_t{5}, kSlot, 3 * kSlot + 100}) {
    ReadAhead src(std::make_unique<Numbered>(10 * kSlot, fail));
    std::vector<uint64_t> got;
    try {
      const StreamEvent* span = nullptr;
      while (size_t n = src.NextSpan(&span)) {
        for (size_t i = 0; i < n; ++i) got.push_back(span[i].ev.obj);
      }
      FAIL() << "no error for fail=" << fail;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "bad record at event " + std::to_string(fail));
    }
    // Whole batches before the one the reader could not finish, in order.
    EXPECT_EQ(got.size(), fail / kSlot * kSlot) << "fail=" << fail;
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], i);
    // The error ends the stream.
    const StreamEvent* span = nullptr;
    EXPECT_EQ(src.NextSpan(&span), 0u);
  }
}

TEST(ReadAhead, DroppedHalfReadOrUnreadItStops) {
  for (size_t taken : {size_t{0}, size_t{1}, size_t{3}}) {
    auto src = std::make_unique<ReadAhead>(std::make_unique<Numbered>(50 * kSlot));
    const StreamEvent* span = nullptr;
    for (size_t i = 0; i < taken; ++i) ASSERT_EQ(src->NextSpan(&span), kSlot);
    src.reset();  // the reader waits for room in a full ring: it must be told to stop
  }
  SUCCEED();
}

// A program's trace: two threads write variables under a lock, and a flag without it.
std::unique_ptr<VectorSource> Racy() {
  auto s = std::make_unique<VectorSource>();
  using K = trace::EventKind;
  s->meta().format = "binary";
  s->Add(1, K::kThreadStart).Add(1, K::kThreadCreate, 2).Add(2, K::kThreadStart, 1);
  for (int round = 0; round < 3000; ++round) {
    const uint32_t t = 1 + round % 2;
    s->Add(t, K::kLockAcquired, 0x5000).Add(t, K::kWrite, 0x1000 + 8 * (round % 64), 0, 8);
    s->Add(t, K::kLockRelease, 0x5000);
    // Each thread writes a flag before the lock chain orders it after the other.
    if (round < 2) s->Add(t, K::kWrite, 0x9000 + 8 * round, 0, 8, s->Site("racy.cc:9"));
    if (round == 2998 || round == 2999) s->Add(t, K::kWrite, 0x9000, 0, 8, s->Site("racy.cc:12"));
  }
  return s;
}

TEST(ReadAhead, AnAnalysisThroughItIsTheSame) {
  AnalyzeOptions opts = testing::TestOptions();
  const Report direct = Analyze(*Racy(), opts);
  ReadAhead ahead(Racy());
  const Report read = Analyze(ahead, opts);
  ASSERT_FALSE(direct.findings.empty()) << ToJson(direct);
  EXPECT_EQ(ToJson(direct), ToJson(read));
}

}  // namespace
}  // namespace threadlens
