// A poll through a spin lock under `threadlens run` (spin_lock_poll): rounds that repeat the
// two before while nobody else writes the lock word are not written, and the lock's release
// store counts them (docs/trace-format.md, "Repeats"); what races with the poll still
// races, and what the poll orders stays ordered.
#include "robustness_util.h"

namespace threadlens {
namespace {

using namespace robustness_test;

struct Poll {
  long rounds = 0;      // as the program counted them
  size_t stores = 0;    // release-store records of the lock word
  uint64_t counted = 0;  // rounds those records count beyond their own
  uint64_t bytes = 0;    // the trace's size
  std::vector<Finding> races;
};

Poll RunPoll(const std::string& mode, const std::string& lock) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/spin_lock_poll " + mode + " " + lock);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Poll p;
  std::sscanf(r.out.c_str() + r.out.find("ROUNDS"), "ROUNDS %ld", &p.rounds);
  const uint64_t word = Hex(r.out, "LOCK");
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  for (const auto& se : c.events) {
    if (se.kind() != EventKind::kAtomicStore || se.ev.obj != word) continue;
    ++p.stores;
    p.counted += se.ev.aux32;
  }
  p.bytes = std::filesystem::file_size(r.trace);
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    if (f.kind == "race") p.races.push_back(f);
  }
  return p;
}

// A poll of about 20 ms makes tens of thousands of rounds: a few rounds are written around
// each change, and every round is counted.
Poll RunCounted(const std::string& mode, const std::string& lock) {
  Poll p = RunPoll(mode, lock);
  EXPECT_GT(p.rounds, 1000) << mode << " " << lock;
  EXPECT_LE(p.stores, 40u) << mode << " " << lock;  // a few per contended handover
  // The setter's own release stores are among the records, and count nothing.
  EXPECT_GE(p.stores + p.counted, static_cast<uint64_t>(p.rounds));
  EXPECT_LE(p.counted, static_cast<uint64_t>(p.rounds));
  EXPECT_LT(p.bytes, 256u << 10) << mode << " " << lock;
  return p;
}

void ExpectClean(const std::string& mode, const std::string& lock) {
  for (const Finding& f : RunCounted(mode, lock).races) ADD_FAILURE() << f.title;
}
// Exactly one race on each of `names`.
void ExpectRacesOn(const std::string& mode, const std::string& lock,
                   const std::vector<std::string>& names) {
  Poll p = RunCounted(mode, lock);
  ASSERT_EQ(p.races.size(), names.size()) << mode << " " << lock;
  for (const std::string& name : names) {
    size_t on = 0;
    for (const Finding& f : p.races) on += f.title.find("data race on " + name + ":") == 0;
    EXPECT_EQ(on, 1u) << mode << " " << lock << ": " << name;
  }
}
void ExpectRaceOn(const std::string& mode, const std::string& lock, const std::string& name) {
  ExpectRacesOn(mode, lock, {name});
}

const char* const kLocks[] = {"tas", "xchg", "seqcst", "fence"};

TEST(SpinLockPoll, APollThroughASpinLockIsCountedOnFewRecords) {
  for (const char* lock : kLocks) ExpectClean("flag", lock);
}
TEST(SpinLockPoll, DataWrittenAfterTheSettersReleaseStillRaces) {
  for (const char* lock : kLocks) ExpectRaceOn("late", lock, "data");
}
// (Main then reads `data` unordered too.)
TEST(SpinLockPoll, AFlagSetWithoutTheSpinLockStillRaces) {
  ExpectRacesOn("unlocked", "tas", {"flag", "data"});
}
// Another thread took the lock between two rounds: the rounds after it are written again,
// and a write it made after giving the lock back races with them.
TEST(SpinLockPoll, ARoundAfterAnotherThreadTookTheSpinLockIsKept) {
  ExpectRaceOn("handover", "tas", "extra");
  ExpectRaceOn("handover", "xchg", "extra");
  ExpectRaceOn("handover", "fence", "extra");
}
TEST(SpinLockPoll, ARoundAfterAnotherThreadTookTheSpinLockOrdersItsLockedWrite) {
  ExpectClean("handover-locked", "tas");
}
// A thread that synchronized with one round's release through a relaxed load and an acquire
// fence (which leave no mark on the lock word) races with the rounds after that one...
TEST(SpinLockPoll, AThreadOrderedAfterADroppedRoundRacesWithTheRoundsAfterIt) {
  for (const char* lock : kLocks) ExpectRaceOn("observer", lock, "rounds");
}
// The same when no round after it is written (the poll ends after a count of rounds): the
// latest round's records stand at its place, after the observer's read.
TEST(SpinLockPoll, AThreadOrderedAfterADroppedRoundRacesWithTheLastRound) {
  for (const char* lock : kLocks) ExpectRaceOn("observer-counted", lock, "rounds");
}
// ...and with none once it synchronized with the last round.
TEST(SpinLockPoll, AThreadOrderedAfterTheLastRoundDoesNotRace) {
  for (const char* lock : kLocks) ExpectClean("observer-after", lock);
}

}  // namespace
}  // namespace threadlens
