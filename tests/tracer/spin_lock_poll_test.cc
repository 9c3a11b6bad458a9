// A poll through a spin lock under `threadlens run` (spin_lock_poll): rounds that repeat the
// two before while nobody else writes the lock word are not written, and the lock's release
// store counts them (or, given back by a plain store, the release fence before it:
// docs/trace-format.md, "Repeats"); what races with the poll still races, and what the poll
// orders stays ordered.
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
  size_t word_races = 0;  // races on the lock word itself (`plain`: not in `races`)
};

Poll RunPoll(const std::string& mode, const std::string& lock) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/spin_lock_poll " + mode + " " + lock);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Poll p;
  std::sscanf(r.out.c_str() + r.out.find("ROUNDS"), "ROUNDS %ld", &p.rounds);
  const uint64_t word = Hex(r.out, "LOCK");
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  // A plain store gives the `plain` lock back: the release fence before it counts the rounds.
  const bool plain = lock == "plain";
  for (const auto& se : c.events) {
    if (plain && se.kind() == EventKind::kFence) p.counted += se.ev.aux32;
    if (se.kind() != (plain ? EventKind::kWrite : EventKind::kAtomicStore) || se.ev.obj != word) {
      continue;
    }
    ++p.stores;
    if (!plain) p.counted += se.ev.aux32;
  }
  p.bytes = std::filesystem::file_size(r.trace);
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    if (f.kind != "race") continue;
    if (f.title.find("data race on lock_word:") == 0) {
      ++p.word_races;
    } else {
      p.races.push_back(f);
    }
  }
  // Only the `plain` lock's word races: its plain store meets the other threads' atomics
  // there (when some other thread touches it).
  if (!plain || mode == "unlocked") EXPECT_EQ(p.word_races, 0u) << mode << " " << lock;
  if (plain && mode != "unlocked") EXPECT_GE(p.word_races, 1u) << mode << " " << lock;
  return p;
}

// A poll of about 20 ms makes tens of thousands of rounds: a few rounds are written around
// each change, and every round is counted.
Poll RunCounted(const std::string& mode, const std::string& lock) {
  Poll p = RunPoll(mode, lock);
  EXPECT_GT(p.rounds, 1000) << mode << " " << lock;
  // The setter's own release stores are among the records, and count nothing.
  EXPECT_GE(p.stores + p.counted, static_cast<uint64_t>(p.rounds));
  EXPECT_LE(p.counted, static_cast<uint64_t>(p.rounds));
  // A few per contended take: each failed try of a thread waiting for the lock (a write
  // begun on the word) has the poll's next rounds written, and on a loaded machine the poll
  // may keep the lock from it for many tries. Uncounted, the rounds are all written.
  EXPECT_LE(p.stores, 400u) << mode << " " << lock;
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

const char* const kLocks[] = {"tas", "xchg", "seqcst", "fence", "plain"};

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
  ExpectRaceOn("handover", "plain", "extra");
}
TEST(SpinLockPoll, ARoundAfterAnotherThreadTookTheSpinLockOrdersItsLockedWrite) {
  ExpectClean("handover-locked", "tas");
  ExpectClean("handover-locked", "plain");
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
