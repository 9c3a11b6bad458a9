// A poll through a process-shared mutex in shared memory (processes/shared_lock_poll.c: a
// forked child locks, reads a flag, unlocks, again) under `threadlens run`: rounds that repeat
// the one before while no thread of either process took the mutex are not written, and the
// kept round's acquisition counts them (docs/trace-format.md, "Repeats"), as for a mutex of
// one process; what races with the poll still races, and what the mutex orders stays ordered.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "process_run.h"

namespace threadlens::tracer_test {
namespace {

struct Poll {
  long rounds = 0;       // as the child counted them
  size_t acquired = 0;   // lock_acquired records, both processes'
  size_t loads = 0;      // atomic_load records
  uint64_t counted = 0;  // rounds they count beyond their own
  uint64_t bytes = 0;    // the recording's traces
  std::vector<std::string> errors;
};

Poll RunPoll(const std::string& mode) {
  Traced r = RunProcess("shared_lock_poll", mode);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Poll p;
  const size_t at = r.out.find("ROUNDS");
  EXPECT_NE(at, std::string::npos) << r.out;
  if (at != std::string::npos) std::sscanf(r.out.c_str() + at, "ROUNDS %ld", &p.rounds);
  for (const StreamEvent& se : r.events) {
    p.loads += se.kind() == EventKind::kAtomicLoad;
    if (se.kind() != EventKind::kLockAcquired) continue;
    ++p.acquired;
    p.counted += se.ev.aux32;
  }
  const fs::path trace(r.trace);
  for (const auto& f : fs::directory_iterator(trace.parent_path())) {
    if (f.path().filename().string().rfind(trace.filename().string(), 0) == 0) {
      p.bytes += f.file_size();
    }
  }
  const Report rep = AnalyzeTrace(r.trace);
  EXPECT_EQ(rep.pids.size(), 2u) << "parent and child, one recording";
  p.errors = Errors(rep);
  std::sort(p.errors.begin(), p.errors.end());
  return p;
}

// A poll of about 20 ms makes thousands of rounds: a few are written around each change,
// and every round is counted.
Poll RunCounted(const std::string& mode) {
  Poll p = RunPoll(mode);
  EXPECT_GT(p.rounds, 1000) << mode;
  EXPECT_GE(p.acquired + p.counted, static_cast<uint64_t>(p.rounds)) << mode;
  EXPECT_LE(p.counted, static_cast<uint64_t>(p.rounds)) << mode;
  // A few per take of the parent's (uncounted, every round is written).
  EXPECT_LE(p.acquired, 400u) << mode;
  EXPECT_LT(p.bytes, 256u << 10) << mode;
  return p;
}

using Names = std::vector<std::string>;

TEST(SharedLockPoll, APollThroughAProcessSharedMutexIsCountedOnFewRecords) {
  EXPECT_EQ(RunCounted("flag").errors, Names{});
}
TEST(SharedLockPoll, DataWrittenAfterTheParentsUnlockStillRaces) {
  EXPECT_EQ(RunCounted("late").errors, Names{"race(data)"});
}
TEST(SharedLockPoll, AFlagSetWithoutTheMutexStillRaces) {
  EXPECT_EQ(RunCounted("unlocked").errors, (Names{"race(data)", "race(flag)"}));
}
// The parent took the mutex between two rounds: the rounds after it are written again, and
// a write it made after giving the mutex back races with them...
TEST(SharedLockPoll, ARoundAfterTheOtherProcessTookTheMutexIsKept) {
  EXPECT_EQ(RunCounted("handover").errors, Names{"race(extra)"});
  // The child idles outside the mutex (a few hundred rounds): its lock seldom waits for the
  // parent's take, and only the stamps the parent left in the recording's shared memory tell
  // its next round that the parent took the mutex. (Stamped in each process's own memory,
  // the race went unseen in 8 runs of 10.)
  Poll p = RunPoll("handover-idle");
  EXPECT_GT(p.rounds, 40);  // (fewer on a loaded machine)
  EXPECT_GE(p.acquired + p.counted, static_cast<uint64_t>(p.rounds));
  EXPECT_LT(p.acquired, 20u);
  EXPECT_EQ(p.errors, Names{"race(extra)"});
}
// ...and a write under the mutex is ordered before them.
TEST(SharedLockPoll, ARoundAfterTheOtherProcessTookTheMutexOrdersItsLockedWrite) {
  EXPECT_EQ(RunCounted("handover-locked").errors, Names{});
}

// A spin on an acquire load of a flag in shared memory is counted on its first record while
// no process writes the flag; the load that sees the other process's store is recorded after
// it, and acquires what it released.
TEST(SharedLockPoll, ASpinOnAFlagInSharedMemorySeesTheOtherProcesssStore) {
  // (A spinning thread yields its core every 64 loads counted: on a loaded machine the child
  // makes fewer loads; it is their count against the records that tells.)
  Poll p = RunPoll("spin");
  EXPECT_GT(p.rounds, 100);
  EXPECT_LT(p.loads * 20, static_cast<uint64_t>(p.rounds)) << p.loads << " load records";
  EXPECT_LT(p.bytes, 64u << 10);
  EXPECT_EQ(p.errors, Names{});
  EXPECT_EQ(RunPoll("spin-late").errors, Names{"race(data)"});
}

// The same polls through a spin lock in shared memory (an exchange takes it, a release store
// gives it back): counted while no process writes its word, the parent's take seen by the
// child's next round, every race as with the mutex.
TEST(SharedLockPoll, APollThroughASpinLockInSharedMemoryIsCountedAndItsRacesStay) {
  Poll p = RunPoll("spinlock-flag");
  EXPECT_GT(p.rounds, 1000);
  EXPECT_LT(p.bytes, 256u << 10);
  EXPECT_EQ(p.errors, Names{});
  EXPECT_EQ(RunPoll("spinlock-late").errors, Names{"race(data)"});
  EXPECT_EQ(RunPoll("spinlock-handover-idle").errors, Names{"race(extra)"});
  EXPECT_EQ(RunPoll("spinlock-handover-locked").errors, Names{});
}

// Two processes adding under one lock at once: each take reads the other's release, and is
// numbered after it even when it drew its number first (a spin lock's exchange publishes and
// checks the largest number in the recording's shared memory): no race.
TEST(SharedLockPoll, AddsUnderOneLockFromTwoProcessesDoNotRace) {
  for (const char* mode : {"counter", "spinlock-counter"}) {
    EXPECT_EQ(RunPoll(mode).errors, Names{}) << mode;
  }
  // A C spin lock: its plain store races with the other process's compare-and-swap on the
  // word, and the barrier before it orders the adds.
  const Poll p = RunPoll("plainlock-counter");
  ASSERT_FALSE(p.errors.empty());
  for (const std::string& e : p.errors) EXPECT_EQ(e.rfind("race(shared::cword", 0), 0u) << e;
}

}  // namespace
}  // namespace threadlens::tracer_test
