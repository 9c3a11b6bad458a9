// The stripe version that numbers atomic loads (tracer/src/stripe_version.h): a load is
// numbered only across a settled version that no write's begin moved.
#include "stripe_version.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace threadlens::rt::stripe_version {
namespace {

TEST(StripeVersion, AWriteIsUnderWayFromItsBeginToItsEnd) {
  uint64_t v = 0;
  EXPECT_TRUE(Settled(v));
  v += kBegin;
  EXPECT_FALSE(Settled(v));
  v += kEnd;
  EXPECT_TRUE(Settled(v));
  EXPECT_NE(v, 0u) << "a write that began and ended still moved the version";
}

TEST(StripeVersion, TwoWritersUnderWayAtOnceAreNotSettled) {
  // Two relaxed stores take no stripe lock: both may begin before either ends.
  uint64_t v = 7;
  v += kBegin;
  v += kBegin;
  EXPECT_FALSE(Settled(v)) << "two begins must not look like a begin and an end";
  v += kEnd;
  EXPECT_FALSE(Settled(v));
  v += kEnd;
  EXPECT_TRUE(Settled(v));
  EXPECT_EQ(v, 9u);
}

TEST(StripeVersion, EveryBeginMovesTheVersion) {
  // A load compares the version after it drew its number with the one before it read: any
  // write that began in between, whatever else is under way, must show.
  uint64_t before = 3 * kBegin + kEnd;  // two writes still under way
  uint64_t after = before + kBegin + kEnd;  // a third began and ended meanwhile
  EXPECT_NE(before, after);
  EXPECT_FALSE(Settled(after));
}

TEST(StripeVersion, AForkChildClosesTheWritesUnderWay) {
  uint64_t v = 5 * kBegin + 2 * kEnd;  // five began, three under way
  EXPECT_FALSE(Settled(v));
  EXPECT_TRUE(Settled(Closed(v)));
  EXPECT_EQ(Closed(v), 5u);
}

}  // namespace
}  // namespace threadlens::rt::stripe_version
