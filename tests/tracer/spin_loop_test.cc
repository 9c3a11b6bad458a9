// Spin loops under `threadlens run`: a spinning thread's repeated loads, failed
// compare-exchanges, test-and-sets of a taken flag, failed trylocks, semaphore tries and
// tries to join a running thread are counted on one record each (a spin over several
// locations on one per location; a release test-and-set keeps its latest try on a second),
// its busy poll's array recorded once per epoch, and a poll through a mutex nobody else takes
// counted on one round; the synchronization the spin ends with stays exact
// (docs/trace-format.md, "Repeats").
#include <algorithm>

#include "robustness_util.h"

namespace threadlens {
namespace {

using namespace robustness_test;

TEST(SpinLoop, FailedCompareExchangesAreCountedOnOneRecord) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/cas_spin 2000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("handed 4000"), std::string::npos) << r.out;
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  const uint64_t token = Hex(r.out, "TOKEN");
  size_t rmws = 0, load_records = 0, folded = 0, stores = 0;
  uint64_t loads = 0;
  for (const auto& se : c.events) {
    if (se.ev.obj != token) continue;
    if (se.kind() == EventKind::kAtomicRmw) ++rmws;
    if (se.kind() == EventKind::kAtomicStore) ++stores;
    if (se.kind() == EventKind::kAtomicLoad) {
      ++load_records;
      loads += 1 + se.ev.aux32;  // aux32: repeats folded into the record
      folded += se.ev.aux32 > 0;
    }
  }
  EXPECT_EQ(rmws, 4000u);
  EXPECT_EQ(stores, 4000u);
  // Each handover leaves at most one spin record per thread: the spins in between are
  // counted, not repeated.
  EXPECT_LE(load_records, 2 * rmws + 2);
  EXPECT_GT(folded, 0u);
  EXPECT_GT(loads, load_records);
  // The counter is handed over by the token's release/acquire: no race, with or without
  // the folding.
  Report rep = AnalyzeFile(r.trace, AnalyzeOptions{});
  for (const Finding& f : rep.findings) EXPECT_NE(f.kind, "race") << f.title;
}

// A busy poll loop: poll's reads and writes of the pollfd array repeat within one epoch and
// are dropped at the source, as repeated accesses are; a release between rounds records
// each round again.
size_t RecordsAt(const Contents& c, uint64_t addr) {
  size_t n = 0;
  for (const auto& se : c.events) {
    n += (se.kind() == EventKind::kRead || se.kind() == EventKind::kWrite) && se.ev.obj == addr;
  }
  return n;
}

// The records of `kind` on `obj`, and the operations they stand for (aux32 counts repeats).
std::pair<size_t, uint64_t> Counted(const Contents& c, EventKind kind, uint64_t obj) {
  std::pair<size_t, uint64_t> n{0, 0};
  for (const auto& se : c.events) {
    if (se.kind() != kind || se.ev.obj != obj) continue;
    ++n.first;
    n.second += 1 + se.ev.aux32;
  }
  return n;
}

TEST(SpinLoop, APollLoopRecordsItsArrayOncePerEpoch) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/busy_poll 100000 quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  // The first entry's initialization, then one read and one write for 100 000 rounds.
  EXPECT_EQ(RecordsAt(c, Hex(r.out, "FDS")), 3u);
}

// A release store each round makes each round a new epoch, whose accesses are recorded
// again; a round that repeats the two before it is then counted on the release store
// (store rounds): the first round (with the array's initialization) and two more are written.
TEST(SpinLoop, APollLoopWithAReleaseStoreEachRoundIsCountedOnItsThirdRound) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/busy_poll 1000 released");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  EXPECT_EQ(RecordsAt(c, Hex(r.out, "FDS")), 1u + 2 * 3);
  const auto [records, rounds] = Counted(c, EventKind::kAtomicStore, Hex(r.out, "FLAG"));
  EXPECT_EQ(records, 3u);
  EXPECT_EQ(rounds, 1000u);
}

// The same rounds through a mutex nobody else takes: from the third on, a round repeats the
// one before and is counted on its acquisition (docs/trace-format.md, "Repeats").
TEST(SpinLoop, APollLoopThroughAnUntakenLockIsCountedOnItsSecondRound) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/busy_poll 1000 locked");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  EXPECT_EQ(RecordsAt(c, Hex(r.out, "FDS")), 1u + 2 * 2);
  const auto [records, rounds] = Counted(c, EventKind::kLockAcquired, Hex(r.out, "MU"));
  EXPECT_EQ(records, 2u);
  EXPECT_EQ(rounds, 1000u);
}

TEST(SpinLoop, FailedTrylocksAreCountedOnOneRecord) {
  Outcome r = RunTraced(Program("trylock_spin"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  long failures = 0;
  std::sscanf(r.out.c_str() + r.out.find("FAILURES"), "FAILURES %ld", &failures);
  ASSERT_GT(failures, 10);
  const auto [records, tries] = Counted(c, EventKind::kLockTryFailed, Hex(r.out, "M"));
  // One record per call site: the compiler may peel the loop's first call into a site of
  // its own.
  EXPECT_LE(records, 2u);
  EXPECT_EQ(tries, static_cast<uint64_t>(failures));
}

// A spinning program's run: the records of one kind on the addresses it printed, the
// operations they stand for, and the races the analysis finds.
struct Spin {
  size_t records = 0;
  uint64_t ops = 0;
  std::vector<Finding> races;
  std::string out;  // the program's output
};
Spin RunSpin(const std::string& args, EventKind kind, const std::vector<std::string>& names) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/" + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Contents c = Read(r.trace);
  EXPECT_TRUE(c.meta.complete);
  std::vector<uint64_t> objects;
  for (const std::string& name : names) objects.push_back(Hex(r.out, name));
  Spin s;
  s.out = r.out;
  for (const auto& se : c.events) {
    const bool named = std::find(objects.begin(), objects.end(), se.ev.obj) != objects.end();
    if (se.kind() != kind || !named) continue;
    ++s.records;
    s.ops += 1 + se.ev.aux32;
  }
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    if (f.kind == "race") s.races.push_back(f);
  }
  return s;
}

// A consumer spinning on a queue's head and its own tail (two loads, again and again; three
// with a stop flag): each load counts its repeats on its own record, so a wait costs a few
// records, not two per round; the head's acquire still orders the item the producer filled
// before publishing it.
Spin RunPairSpin(const std::string& mode) {
  return RunSpin("pair_spin 2000 " + mode, EventKind::kAtomicLoad, {"HEAD", "TAIL"});
}

TEST(SpinLoop, ASpinOverTwoLocationsIsCountedOnTwoRecords) {
  Spin s = RunPairSpin("early");
  // Per item, about eight: the consumer's wait (head and tail), the load that sees the new
  // head, the producer's room check and its own head; the waits stand for many more loads.
  EXPECT_LE(s.records, 10u * 2000) << s.ops;
  EXPECT_GT(s.ops, 4 * s.records);
  for (const Finding& f : s.races) ADD_FAILURE() << f.title;
}

TEST(SpinLoop, ASpinOverThreeLocationsIsCountedOnThreeRecords) {
  Spin s = RunPairSpin("stop");  // the wait also loads a stop flag
  EXPECT_LE(s.records, 10u * 2000) << s.ops;
  EXPECT_GT(s.ops, 4 * s.records);
  for (const Finding& f : s.races) ADD_FAILURE() << f.title;
}

TEST(SpinLoop, AnItemFilledAfterItsReleaseStillRaces) {
  Spin s = RunPairSpin("late");
  ASSERT_FALSE(s.races.empty());
  EXPECT_NE(s.races[0].title.find("items"), std::string::npos) << s.races[0].title;
}

// A test-and-set spin lock (tas_spin, two threads of 200 rounds): the waits fold, at most
// `per_round` records a round (the test-and-set that takes the flag, the rest waiting); a
// release clear still orders the counter.
void ExpectLockWaitsCounted(const std::string& mode, size_t per_round) {
  Spin s = RunSpin("tas_spin 200 " + mode, EventKind::kAtomicRmw, {"LOCK"});
  EXPECT_NE(s.out.find("counter 400"), std::string::npos) << s.out;
  EXPECT_LE(s.records, per_round * 400) << s.ops;
  EXPECT_GT(s.ops, 2 * s.records);
  for (const Finding& f : s.races) ADD_FAILURE() << f.title;
}
// Given back with a relaxed clear, which orders nothing: the counter still races.
void ExpectCounterRaces(const std::string& mode) {
  Spin s = RunSpin("tas_spin 200 " + mode, EventKind::kAtomicRmw, {"LOCK"});
  ASSERT_FALSE(s.races.empty());
  EXPECT_NE(s.races[0].title.find("counter"), std::string::npos) << s.races[0].title;
}

// With an acquire order a test-and-set that finds the flag taken writes what was there and
// repeats its record exactly: its waits count on one record.
TEST(SpinLoop, ATestAndSetSpinLocksWaitsAreCountedOnOneRecord) {
  ExpectLockWaitsCounted("release", 3);
}
TEST(SpinLoop, ATestAndSetSpinLockGivenBackRelaxedStillRaces) { ExpectCounterRaces("relaxed"); }

// With the default order (sequentially consistent) each try is a release too: a wait keeps
// two records, the first counting the tries, the second the latest at its own place in the
// merged order.
TEST(SpinLoop, ASeqCstTestAndSetSpinLocksWaitsKeepTwoRecords) {
  ExpectLockWaitsCounted("seqcst", 4);
}
TEST(SpinLoop, ASeqCstTestAndSetSpinLockGivenBackRelaxedStillRaces) {
  ExpectCounterRaces("seqcst-relaxed");
}

// A reader that synchronized with an early try of such a spin and then reads the word
// plainly races with the later tries (as ThreadSanitizer reports): the latest try's record
// keeps that race while the tries in between are counted; read atomically, nothing races.
TEST(SpinLoop, APlainReadRacesWithTheLaterTriesOfASeqCstTestAndSet) {
  Spin s = RunSpin("tas_peek peek", EventKind::kAtomicRmw, {"WORD"});
  EXPECT_LE(s.records, 8u) << s.ops;  // the spin lasts 40 ms: hundreds of thousands of tries
  ASSERT_EQ(s.races.size(), 1u);
  EXPECT_NE(s.races[0].title.find("data race on word: write by"), std::string::npos)
      << s.races[0].title;
}

TEST(SpinLoop, AnAtomicReadBesideASeqCstTestAndSetDoesNotRace) {
  Spin s = RunSpin("tas_peek atomic", EventKind::kAtomicRmw, {});
  for (const Finding& f : s.races) ADD_FAILURE() << f.title;
}

// Main polls a flag through a mutex (lock_poll, about 40 ms): the rounds that repeat the one
// before while nobody else takes the lock are counted on its acquisition, a few records in
// all, and every round is in the count; what races with the poll still races.
// With two mutexes (`nested-`) each round takes both.
Spin RunLockPoll(const std::string& mode) {
  const bool two = mode.rfind("nested-", 0) == 0 || mode.rfind("turn-", 0) == 0;
  const std::vector<std::string> locks =
      two ? std::vector<std::string>{"LOCK", "LOCK2"} : std::vector<std::string>{"LOCK"};
  Spin s = RunSpin("lock_poll " + mode, EventKind::kLockAcquired, locks);
  long rounds = 0;
  std::sscanf(s.out.c_str() + s.out.find("ROUNDS"), "ROUNDS %ld", &rounds);
  EXPECT_GT(rounds, 100) << s.out;
  // And the setter's acquisitions.
  EXPECT_GE(s.ops, static_cast<uint64_t>(rounds) * (two ? 2 : 1));
  EXPECT_LE(s.records, two ? 20u : 10u) << s.ops;
  return s;
}
void ExpectLockPollClean(const std::string& mode) {
  for (const Finding& f : RunLockPoll(mode).races) ADD_FAILURE() << f.title;
}
void ExpectLockPollRaceOn(const std::string& mode, const std::string& name) {
  Spin s = RunLockPoll(mode);
  ASSERT_EQ(s.races.size(), 1u);
  EXPECT_NE(s.races[0].title.find("data race on " + name), std::string::npos)
      << s.races[0].title;
}

TEST(SpinLoop, APollThroughAMutexIsCountedOnFewRecords) { ExpectLockPollClean("flag"); }
// The release after the counting acquisition says how long the counted rounds held the lock.
TEST(SpinLoop, APollThroughAMutexKeepsItsRoundsHoldTime) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/lock_poll flag");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const uint64_t lock = Hex(r.out, "LOCK");
  uint64_t counted = 0, held_us = 0;
  for (const auto& se : Read(r.trace).events) {
    if (se.ev.obj != lock) continue;
    if (se.kind() == EventKind::kLockAcquired) counted += se.ev.aux32;
    if (se.kind() == EventKind::kLockRelease) held_us += se.ev.aux32;
  }
  EXPECT_GT(counted, 100u);
  EXPECT_GT(held_us, 0u);  // over a hundred rounds of a traced lock and unlock
}
TEST(SpinLoop, APollThroughAMutexInAFunctionOfItsOwnIsCountedOnFewRecords) {
  ExpectLockPollClean("call");
}
TEST(SpinLoop, AFlagWrittenWithoutTheMutexAPollReadsStillRaces) {
  ExpectLockPollRaceOn("unlocked", "done");
}
// Another thread took the lock between two rounds: the round after it learned what that
// thread did before, not what it did after, so it is kept and the write that follows races.
TEST(SpinLoop, APollRoundAfterAnotherThreadTookTheMutexIsKept) {
  ExpectLockPollRaceOn("handover", "extra");
}
TEST(SpinLoop, APollRoundAfterAnotherThreadTookTheMutexOrdersItsLockedWrite) {
  ExpectLockPollClean("handover-locked");
}

// The same through a rwlock held shared: only another thread's exclusive hold keeps a round.
TEST(SpinLoop, APollThroughARwlockHeldSharedIsCountedOnFewRecords) {
  ExpectLockPollClean("rw-flag");
}
TEST(SpinLoop, APollRoundAfterAWriterTookTheRwlockIsKept) {
  ExpectLockPollRaceOn("rw-handover", "extra");
}
TEST(SpinLoop, APollRoundAfterAWriterTookTheRwlockOrdersItsLockedWrite) {
  ExpectLockPollClean("rw-handover-locked");
}

// Through two mutexes, one inside the other: a round is what the thread records from one
// release of a mutex to its next, and every mutex the round takes must be found as the
// thread's previous round left it.
TEST(SpinLoop, APollThroughTwoNestedMutexesIsCountedOnFewRecords) {
  ExpectLockPollClean("nested-flag");
  ExpectLockPollClean("nested-handover-locked");
}
TEST(SpinLoop, APollRoundAfterAnotherThreadTookTheNestedMutexesIsKept) {
  ExpectLockPollRaceOn("nested-handover", "extra");
}

// Through two mutexes in turn (one, then the other): a round repeats the one before when
// every mutex either round takes was found as the thread's previous round left it.
TEST(SpinLoop, APollThroughTwoMutexesInTurnIsCountedOnFewRecords) {
  ExpectLockPollClean("turn-flag");
  ExpectLockPollClean("turn-handover-locked");
}
// A wait on a condition variable whose deadline is past, again and again, holding the mutex
// in between: the waits that time out count like releases and acquisitions of the mutex.
// The same with the mutex taken each round: a round runs from one unlock to the next.
TEST(SpinLoop, TimedOutConditionWaitsOfAPollAreCountedOnFewRecords) {
  ExpectLockPollClean("cond-flag");
  ExpectLockPollClean("condround-flag");
}
TEST(SpinLoop, AFlagWrittenWithoutTheMutexAConditionPollReadsStillRaces) {
  ExpectLockPollRaceOn("cond-unlocked", "done");
  ExpectLockPollRaceOn("condround-unlocked", "done");
}

TEST(SpinLoop, APollThroughTwoMutexesInTurnStillRaces) {
  ExpectLockPollRaceOn("turn-unlocked", "done");
  ExpectLockPollRaceOn("turn-handover", "extra");
}

// A non-blocking read tried again and again on an empty pipe (read_spin): each try uses the
// descriptor, a read of its object that repeats within the epoch and is recorded once; what
// the byte finally read orders, and what it does not, is as before.
TEST(SpinLoop, ANonBlockingReadTriedAgainRecordsItsDescriptorOnce) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/read_spin ordered");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  long empty = 0;
  std::sscanf(r.out.c_str() + r.out.find("EMPTY"), "EMPTY %ld", &empty);
  ASSERT_GT(empty, 100) << r.out;
  size_t uses = 0;  // reads of descriptor objects (their addresses' top byte is 0x08)
  for (const auto& se : Read(r.trace).events) {
    uses += se.kind() == EventKind::kRead && se.ev.obj >> 56 == 0x08;
  }
  EXPECT_LE(uses, 4u);
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    if (f.kind == "race") ADD_FAILURE() << f.title;
  }
}
TEST(SpinLoop, AValueSetAfterTheByteANonBlockingReadWaitsForStillRaces) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/read_spin late");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t races = 0;
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    races += f.kind == "race" && f.title.find("data race on data") != std::string::npos;
  }
  EXPECT_EQ(races, 1u);
}

// A spin through a function that loads the flag (call_spin; at -O0 the atomic's load is a
// call too), with or without a call between tries that records nothing: the calls go on in
// the frames the trace holds, so the loads fold as in a loop of their own; what the final
// load orders, and what it does not, is as before.
void ExpectCallSpin(const std::string& args, size_t races_on_data) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/" + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  long calls = 0;
  std::sscanf(r.out.c_str() + r.out.find("CALLS"), "CALLS %ld", &calls);
  ASSERT_GT(calls, 100) << r.out;
  const Contents c = Read(r.trace);
  const auto [records, loads] = Counted(c, EventKind::kAtomicLoad, Hex(r.out, "FLAG"));
  EXPECT_LE(records, 3u);
  EXPECT_EQ(loads, static_cast<uint64_t>(calls));
  size_t entries = 0;
  for (const auto& se : c.events) entries += se.kind() == EventKind::kFuncEntry;
  EXPECT_LT(entries, 200u);
  size_t races = 0;
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    const bool on_data = f.title.find("data race on data") != std::string::npos;
    if (f.kind == "race" && !on_data) ADD_FAILURE() << f.title;
    races += f.kind == "race" && on_data;
  }
  EXPECT_EQ(races, races_on_data);
}
TEST(SpinLoop, ASpinThroughAFunctionCallIsCountedOnOneRecord) {
  for (const char* p : {"call_spin", "call_spin_O0"}) {
    ExpectCallSpin(std::string(p) + " ordered", 0);
    ExpectCallSpin(std::string(p) + " ordered pause", 0);
  }
}
TEST(SpinLoop, AValueSetAfterTheFlagASpinThroughACallWaitsForStillRaces) {
  for (const char* p : {"call_spin", "call_spin_O0"}) {
    ExpectCallSpin(std::string(p) + " late", 1);
    ExpectCallSpin(std::string(p) + " late pause", 1);
  }
}

// A sem_trywait spin (sem_spin): a try that fails right after a failed try of its own is
// counted on that one's sem_wait_end; the try that takes the semaphore is written whole and
// synchronizes with the post as before.
struct SemSpin {
  long failed = 0;       // as the program counted them
  size_t begins = 0, failed_ends = 0, taken = 0;  // records
  uint64_t failed_tries = 0;  // the failed tries the records stand for
  size_t races_on_data = 0;
};
SemSpin RunSemSpin(const char* mode) {
  Outcome r = RunTraced(std::string(TL_INSTRUMENTED_DIR) + "/sem_spin " + mode);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  SemSpin s;
  std::sscanf(r.out.c_str() + r.out.find("FAILED"), "FAILED %ld", &s.failed);
  const uint64_t sem = Hex(r.out, "SEM");
  for (const auto& se : Read(r.trace).events) {
    if (se.ev.obj != sem) continue;
    if (se.kind() == EventKind::kSemWaitBegin) ++s.begins;
    if (se.kind() != EventKind::kSemWaitEnd) continue;
    if (!(se.ev.flags & trace::kFailed)) {
      ++s.taken;
      EXPECT_EQ(se.ev.aux32, 0u);
      continue;
    }
    ++s.failed_ends;
    s.failed_tries += 1 + se.ev.aux32;
  }
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    const bool on_data = f.title.find("data race on data") != std::string::npos;
    if (f.kind == "race" && !on_data) ADD_FAILURE() << f.title;
    s.races_on_data += f.kind == "race" && on_data;
  }
  return s;
}

// (Timed waits whose deadline is past, `timed-`, count the same way.)
TEST(SpinLoop, FailedSemaphoreTriesAreCountedOnOneRecord) {
  for (const char* mode : {"ordered", "timed-ordered"}) {
    const SemSpin s = RunSemSpin(mode);
    ASSERT_GT(s.failed, 100) << mode;
    // One record per call site (the compiler may peel the loop's first call).
    EXPECT_LE(s.failed_ends, 2u) << mode;
    EXPECT_EQ(s.failed_tries, static_cast<uint64_t>(s.failed)) << mode;
    EXPECT_EQ(s.taken, 1u) << mode;
    EXPECT_EQ(s.begins, s.failed_ends + s.taken) << mode;
    EXPECT_EQ(s.races_on_data, 0u) << mode;
  }
}
TEST(SpinLoop, AValueSetAfterThePostASemaphoreSpinWaitsForStillRaces) {
  for (const char* mode : {"late", "timed-late"}) {
    const SemSpin s = RunSemSpin(mode);
    EXPECT_EQ(s.taken, 1u) << mode;
    EXPECT_EQ(s.races_on_data, 1u) << mode;
  }
}

// A pthread_tryjoin_np spin (tryjoin_spin): a try that finds the thread running is counted
// on the record of the try before it, unless some thread was detached in between.
struct TryjoinSpin {
  long busy = 0;                    // as the program counted them
  size_t failed_records = 0, joined = 0;
  uint64_t failed_tries = 0;        // the failed tries the records stand for
  std::vector<std::string> misuses;  // subkinds
};
TryjoinSpin RunTryjoinSpin(const std::string& args) {
  Outcome r = RunTraced(Program("tryjoin_spin") + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  TryjoinSpin s;
  std::sscanf(r.out.c_str() + r.out.find("BUSY"), "BUSY %ld", &s.busy);
  for (const auto& se : Read(r.trace).events) {
    if (se.kind() != EventKind::kThreadJoin) continue;
    if (!(se.ev.flags & trace::kFailed)) {
      ++s.joined;
      continue;
    }
    ++s.failed_records;
    s.failed_tries += 1 + se.ev.aux32;
  }
  for (const Finding& f : AnalyzeFile(r.trace, AnalyzeOptions{}).findings) {
    if (f.kind == "misuse") s.misuses.push_back(f.subkind);
  }
  return s;
}

TEST(SpinLoop, TriesToJoinARunningThreadAreCountedOnOneRecord) {
  const TryjoinSpin s = RunTryjoinSpin("");
  ASSERT_GT(s.busy, 100);
  EXPECT_LE(s.failed_records, 2u);  // one per call site
  EXPECT_EQ(s.failed_tries, static_cast<uint64_t>(s.busy));
  EXPECT_EQ(s.joined, 1u);
  EXPECT_TRUE(s.misuses.empty()) << s.misuses.front();
}
TEST(SpinLoop, TriesToJoinAThreadDetachedMeanwhileAreAMisuse) {
  const TryjoinSpin s = RunTryjoinSpin(" detached");
  ASSERT_GT(s.busy, 100);
  EXPECT_EQ(s.joined, 1u);  // the detaching thread's
  EXPECT_EQ(s.failed_tries, static_cast<uint64_t>(s.busy));
  EXPECT_LE(s.failed_records, 3u);
  EXPECT_EQ(s.misuses, std::vector<std::string>{"join-detached"});
}

}  // namespace
}  // namespace threadlens
