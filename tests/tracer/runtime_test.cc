// The tracer runtime on real programs: each program in programs/ runs under `threadlens run`
// and the exact events of its threads are asserted. Programs print the addresses of their
// locks ("M 0x..."), so the expected lines can name them.
#include <algorithm>

#include "traced_run.h"

namespace threadlens {
namespace {

using namespace tracer_test;

TEST(Preload, MutexOperationsAreRecordedExactly) {
  Traced r = RunTraced("mutex_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.src->Meta().complete);
  EXPECT_LINES(Lines(r, 1), "thread_start",
               "lock_create M normal",  // static initializer: announced at first use
               "lock_acquired M 1", "lock_release M 0", "lock_acquired M 1 try", "lock_release M 0",
               "lock_create R recursive", "lock_acquired R 1", "lock_acquired R 2",
               "lock_release R 1", "lock_release R 0", "lock_create E errorcheck",
               "lock_acquired E 1", "lock_try_failed E try failed", "lock_release E 0",
               "lock_acquired E 1 timed", "lock_release E 0",
               "lock_release E 0 failed",  // unlock of a lock not held
               "lock_destroy E errorcheck", "thread_exit");
}

TEST(Preload, ContendedMutexRecordsRequestAndHandOverOrder) {
  Traced r = RunTraced("mutex_contended");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sem_init writes the semaphore's bytes (so a destroy racing a wait is a race) and records
  // its initial count.
  EXPECT_LINES(Lines(r, 1), "thread_start", "write STARTED 32", "sem_init STARTED 0",
               "lock_create M normal",
               "lock_acquired M 1", "thread_create T2", "sem_wait_begin STARTED", "sem_wait_end STARTED",
               "lock_release M 0", "join_begin T2", "join T2", "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "sem_post STARTED", "lock_request M",
               "lock_acquired M 1", "lock_release M 0", "thread_exit");
  EXPECT_LT(SeqOf(r, 1, "thread_create T2"), SeqOf(r, 2, "thread_start T1"));
  EXPECT_LT(SeqOf(r, 1, "lock_release M 0"), SeqOf(r, 2, "lock_acquired M 1"));
  EXPECT_LT(SeqOf(r, 2, "thread_exit"), SeqOf(r, 1, "join T2"));
}

TEST(Preload, RwlockOperationsAreRecordedExactly) {
  Traced r = RunTraced("rwlock_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create S rwlock", "lock_acquired S 1 shared",
               "lock_release S 0 shared", "lock_create L rwlock", "lock_acquired L 1 shared",
               "lock_acquired L 2 shared", "lock_release L 1 shared", "lock_release L 0 shared",
               "lock_acquired L 1", "lock_try_failed L shared try failed", "lock_release L 0",
               "lock_acquired L 1 try", "lock_release L 0", "lock_acquired L 1 shared timed",
               "lock_release L 0 shared", "lock_acquired L 1 timed", "lock_release L 0",
               "lock_destroy L rwlock", "thread_exit");
}

TEST(Preload, ConditionVariableWaitSignalTimeoutBroadcast) {
  Traced r = RunTraced("cond_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create M normal", "lock_acquired M 1",
               "thread_create T2", "cond_wait_begin CV", "lock_release M 0 cond-wait",
               "lock_acquired M 1 cond-wait", "cond_wait_end CV", "cond_wait_begin CV timed",
               "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV timed timed-out", "cond_broadcast CV", "lock_release M 0",
               "join_begin T2", "join T2", "thread_exit");
  // Whether the worker found M busy depends on timing; everything else is fixed.
  EXPECT_LINES(Lines(r, 2, {EventKind::kLockRequest}), "thread_start T1", "lock_acquired M 1",
               "cond_signal CV", "lock_release M 0", "thread_exit");
  EXPECT_LT(SeqOf(r, 1, "lock_release M 0 cond-wait"), SeqOf(r, 2, "lock_acquired M 1"));
  EXPECT_LT(SeqOf(r, 2, "cond_signal CV"), SeqOf(r, 1, "cond_wait_end CV"));
}

TEST(Preload, SemaphoreOperationsAreRecordedExactly) {
  Traced r = RunTraced("sem_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // sem_init and sem_destroy write the semaphore's 32 bytes; sem_init records its count.
  EXPECT_LINES(Lines(r, 1), "thread_start", "write SEM 32", "sem_init SEM 0", "sem_post SEM", "sem_wait_begin SEM",
               "sem_wait_end SEM", "sem_wait_begin SEM try", "sem_wait_end SEM try failed",
               "sem_wait_begin SEM timed", "sem_wait_end SEM timed timed-out failed",
               "sem_post SEM", "sem_wait_begin SEM try", "sem_wait_end SEM try", "write SEM 32",
               "thread_exit");
}

// A named semaphore's count is recorded when sem_open created it, after its shared mapping (so
// its address names the shared object), and not when it opened an existing one.
TEST(Preload, SemOpenRecordsTheCountOfTheSemaphoreItCreated) {
  Traced r = RunTraced("sem_open_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> kept;
  for (const std::string& l : Lines(r, 1)) {
    if (l.rfind("map_shared", 0) == 0 || l.rfind("sem_init", 0) == 0) kept.push_back(l);
  }
  // The second sem_open maps the same semaphore again (or glibc hands back the first mapping).
  ASSERT_GE(kept.size(), 2u);
  EXPECT_EQ(kept[0], "map_shared A");
  EXPECT_EQ(kept[1], "sem_init A 3");
  EXPECT_EQ(std::count_if(kept.begin(), kept.end(),
                          [](const std::string& l) { return l.rfind("sem_init", 0) == 0; }),
            1);
}

TEST(Preload, ThreadCreateJoinTryjoinDetachExit) {
  Traced r = RunTraced("thread_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "write ? 32", "sem_init ? 0", "write ? 32",
               "sem_init ? 0", "thread_create T2",
               "join_begin T2", "join T2",
               "thread_create T3", "join_begin T3", "join T3", "thread_create T4",
               "join T4 try failed", "sem_post ?", "join_begin T4 timed", "join T4 timed",
               "thread_create T5", "detach T5", "sem_wait_begin ?", "sem_wait_end ?",
               "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "thread_exit");
  // Ended by pthread_exit, which unwinds: the unwinder's pthread_once in libgcc_s is a
  // happens-before edge of its own.
  EXPECT_LINES(Lines(r, 3, {EventKind::kHappensBefore, EventKind::kHappensAfter}),
               "thread_start T1", "thread_exit");
  EXPECT_LINES(Lines(r, 4), "thread_start T1", "sem_wait_begin ?", "sem_wait_end ?", "thread_exit");
  // The detached thread may still be running when main returns: its exit is optional.
  std::vector<std::string> detached = Lines(r, 5);
  if (detached.size() == 3) EXPECT_EQ(detached.back(), "thread_exit");
  if (!detached.empty() && detached.size() <= 3) detached.resize(2);
  EXPECT_LINES(detached, "thread_start T1", "sem_post ?");
}

TEST(Preload, StdLibraryPrimitivesNeedNoChange) {
  Traced r = RunTraced("std_primitives");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The global condition variable's destructor, registered at start-up, runs at exit: the
  // registration releases, the handler acquires, the destroy writes.
  EXPECT_LINES(Lines(r, 1, {EventKind::kLockRequest}), "thread_start", "happens_before ?",
               "lock_create R recursive",
               "lock_acquired R 1", "lock_acquired R 2", "lock_release R 1", "lock_release R 0",
               "lock_create S rwlock", "lock_acquired S 1 shared", "lock_release S 0 shared",
               "lock_acquired S 1", "lock_release S 0", "lock_create M normal", "lock_acquired M 1",
               "thread_create T2",  // std::jthread
               "cond_wait_begin CV", "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV", "lock_release M 0", "join_begin T2", "join T2",
               "thread_create T3",  // std::thread
               "join_begin T3", "join T3", "happens_after ?", "write CV 48", "thread_exit");
  EXPECT_LINES(Lines(r, 2, {EventKind::kLockRequest}), "thread_start T1", "lock_acquired M 1",
               "cond_signal CV", "lock_release M 0", "thread_exit");
}

TEST(Preload, AnnotationApiRecordsNamesAccessesAndEdges) {
  Traced r = RunTraced("annotated");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ENABLED 1"), std::string::npos);
  // Last, exit's flush of what stdout (a pipe here) still holds: a send on its descriptor.
  EXPECT_LINES(Lines(r, 1), "thread_start", "name_thread T1 Main", "name_lock M counter_lock",
               "name_variable V counter 4", "write V 4", "read V 4", "write BIG 100000",
               "happens_before V", "happens_after V", "happens_before ?", "thread_exit");
}

TEST(Preload, AnnotatedProgramRunsWithoutTheTracer) {
  std::string out = std::string(TL_TMP_DIR) + "/annotated_plain.out";
  ASSERT_EQ(System(std::string(TL_PROGRAMS_DIR) + "/annotated >" + out), 0);
  EXPECT_NE(Slurp(out).find("ENABLED 0"), std::string::npos);
}

TEST(Preload, ThousandShortLivedThreads) {
  Traced r = RunTraced("many_threads");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<uint32_t> tids;
  std::map<uint32_t, std::vector<std::string>> per_thread;
  int acquired = 0;
  for (const auto& se : r.events) {
    tids.insert(se.tid);
    if (se.tid != 1) per_thread[se.tid].push_back(trace::EventKindName(se.kind()));
    if (se.kind() == EventKind::kLockAcquired) ++acquired;
  }
  EXPECT_EQ(tids.size(), 1001u);
  EXPECT_EQ(acquired, 1000);
  for (auto& [tid, kinds] : per_thread) {
    std::erase(kinds, std::string("lock_request"));
    std::erase(kinds, std::string("lock_create"));
    std::erase(kinds, std::string("thread_stack"));
    std::erase(kinds, std::string("thread_tls"));
    std::erase(kinds, std::string("func_entry"));  // the native stack of the lock
    std::erase(kinds, std::string("func_exit"));
    ASSERT_EQ(Joined(kinds), "thread_start\nlock_acquired\nlock_release\nthread_exit\n")
        << "T" << tid;
  }
  EXPECT_NE(r.err.find("1001 threads, 1 locks"), std::string::npos) << r.err;
}

TEST(Preload, ThreadHoldingTwoHundredLocks) {
  Traced r = RunTraced("hold_many");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  uint64_t first = r.addr.at("FIRST");
  std::vector<std::string> got;
  for (const auto& se : r.events) {
    if (se.kind() != EventKind::kLockAcquired && se.kind() != EventKind::kLockRelease) continue;
    uint64_t i = (se.ev.obj - first) / sizeof(pthread_mutex_t);
    got.push_back(std::string(se.kind() == EventKind::kLockAcquired ? "+" : "-") +
                  std::to_string(i) + "/" + std::to_string(se.ev.aux16));
  }
  std::vector<std::string> want;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = 0; i < 200; ++i) want.push_back("+" + std::to_string(i) + "/1");
    for (int i = 199; i >= 0; --i) want.push_back("-" + std::to_string(i) + "/0");
  }
  EXPECT_EQ(got, want);
}

// The runtime's TLS comes out of each thread's stack: a thread made with the smallest stack
// glibc allows is still created (pthread_create failed with EINVAL) and keeps the stack it
// asked for; a stack the program allocated itself is used as it is.
TEST(Preload, ThreadsKeepTheStackSizeTheyAskFor) {
  Traced r = RunTraced("small_stacks");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(Preload, SpinLockOperations) {
  Traced r = RunTraced("spin_ops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "lock_create SPIN spin", "lock_acquired SPIN 1",
               "thread_create T2", "join_begin T2", "join T2", "lock_release SPIN 0",
               "lock_destroy SPIN spin", "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "lock_try_failed SPIN try failed", "thread_exit");
}

// Each thread records its stack once; the local each thread printed lies in its own record.
TEST(Preload, StackBoundsHoldEachThreadsLocals) {
  Traced r = RunTraced("stack_locals");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<uint32_t, std::pair<uint64_t, uint64_t>> stacks;  // tid -> [lo, hi)
  for (const auto& se : r.events) {
    if (se.kind() != EventKind::kThreadStack) continue;
    EXPECT_FALSE(stacks.count(se.tid)) << "T" << se.tid << " recorded its stack twice";
    EXPECT_GT(se.ev.seq, 0u);
    stacks[se.tid] = {se.ev.obj, se.ev.obj + se.ev.seq};
  }
  EXPECT_EQ(stacks.size(), 3u);  // main and two workers
  std::istringstream out(r.out);
  std::string tag;
  std::set<uint32_t> owners;
  int locals = 0;
  while (out >> tag) {
    std::string hex;
    out >> hex;
    if (tag != "S") continue;
    uint64_t addr = std::stoull(hex, nullptr, 16);
    ++locals;
    std::vector<uint32_t> holders;
    for (const auto& [tid, range] : stacks) {
      if (addr >= range.first && addr < range.second) holders.push_back(tid);
    }
    ASSERT_EQ(holders.size(), 1u) << hex << " lies in " << holders.size() << " stacks";
    owners.insert(holders[0]);
  }
  EXPECT_EQ(locals, 3);
  EXPECT_EQ(owners.size(), 3u);  // each local in a different thread's stack
  EXPECT_TRUE(owners.count(1));  // main's among them
}

// Each thread records its block of each module's thread-locals once; the thread-local each
// thread printed lies in a block of its own, and of no other thread.
TEST(Preload, ThreadLocalBlocksHoldEachThreadsCopy) {
  Traced r = RunTraced("stack_locals");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct Block {
    uint32_t tid;
    uint64_t lo, hi;
  };
  std::vector<Block> blocks;
  std::set<std::pair<uint32_t, uint64_t>> seen;  // (thread, module image)
  for (const auto& se : r.events) {
    if (se.kind() != EventKind::kThreadTls) continue;
    EXPECT_TRUE(seen.insert({se.tid, se.ev.site}).second)
        << "T" << se.tid << " recorded a module's block twice";
    EXPECT_GT(se.ev.seq, 0u);
    blocks.push_back({se.tid, se.ev.obj, se.ev.obj + se.ev.seq});
  }
  std::istringstream out(r.out);
  std::string tag, hex;
  std::set<uint32_t> owners;
  int copies = 0;
  while (out >> tag >> hex) {
    if (tag != "T") continue;
    const uint64_t addr = std::stoull(hex, nullptr, 16);
    ++copies;
    std::vector<uint32_t> holders;
    for (const Block& b : blocks) {
      if (addr >= b.lo && addr < b.hi) holders.push_back(b.tid);
    }
    ASSERT_EQ(holders.size(), 1u) << hex << " lies in " << holders.size() << " blocks";
    owners.insert(holders[0]);
  }
  EXPECT_EQ(copies, 3);
  EXPECT_EQ(owners.size(), 3u);
  EXPECT_TRUE(owners.count(1));
}

TEST(Preload, StdTimedMutexAndWaitForUseTheClockFunctions) {
  Traced r = RunTraced("std_timed");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LINES(Lines(r, 1), "thread_start", "happens_before ?", "lock_create TM normal",
               "lock_acquired TM 1",
               "thread_create T2", "join_begin T2", "join T2", "lock_release TM 0",
               "lock_create M normal", "lock_acquired M 1", "cond_wait_begin CV timed",
               "lock_release M 0 cond-wait", "lock_acquired M 1 cond-wait",
               "cond_wait_end CV timed timed-out", "lock_release M 0", "happens_after ?",
               "write CV 48", "thread_exit");
  EXPECT_LINES(Lines(r, 2), "thread_start T1", "lock_request TM timed",
               "lock_try_failed TM timed timed-out", "thread_exit");
}

// C11 threads are glibc's own functions over internal pthread calls: the runtime defines
// them on its traced pthread calls, and each event names the program's call site.
TEST(Preload, C11ThreadsAreTracedAtTheProgramsCallSites) {
  Traced r = RunTraced("c11_threads");
  ASSERT_EQ(r.exit_code, 0) << r.err;  // thrd_join handed on the worker's 7
  const auto t1 = Lines(r, 1), t2 = Lines(r, 2);
  auto in_order = [](const std::vector<std::string>& lines, std::vector<std::string> want) {
    size_t at = 0;
    for (const std::string& l : lines) {
      if (at < want.size() && l == want[at]) ++at;
    }
    return at == want.size();
  };
  EXPECT_TRUE(in_order(t1, {"lock_create M recursive", "thread_create T2", "join_begin T2",
                            "join T2", "lock_acquired M 1 try", "lock_release M 0",
                            "lock_destroy M recursive"}))
      << Joined(t1);
  EXPECT_TRUE(in_order(t2, {"thread_start T1", "happens_after ONCE", "lock_acquired M 1",
                            "cond_signal CV", "lock_release M 0", "thread_exit"}))
      << Joined(t2);
  // Every synchronization event's site lies in the program, not in the runtime's wrappers.
  const ModuleInfo* program = nullptr;
  for (const ModuleInfo& m : r.src->Modules()) {
    if (m.path.size() >= 11 && m.path.compare(m.path.size() - 11, 11, "c11_threads") == 0) {
      program = &m;
    }
  }
  ASSERT_NE(program, nullptr);
  size_t checked = 0;
  for (const auto& se : r.events) {
    const EventKind k = se.kind();
    if (k != EventKind::kLockAcquired && k != EventKind::kLockRelease &&
        k != EventKind::kLockCreate && k != EventKind::kThreadCreate &&
        k != EventKind::kThreadJoin && k != EventKind::kCondSignal) {
      continue;
    }
    ++checked;
    EXPECT_TRUE(se.ev.site >= program->base && se.ev.site - program->base < program->size)
        << Render(r, se) << " at 0x" << std::hex << se.ev.site;
  }
  EXPECT_GE(checked, 10u);
}

}  // namespace
}  // namespace threadlens
