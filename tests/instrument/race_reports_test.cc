// Findings and report text of single instrumented programs, checked beyond their CHECK lines:
// times after a sleep, a spin lock released by a barrier, an exit with threads running, a
// heap block's allocation stack, a mapping's name, one statement at two pcs, a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "instrument_run.h"
#include "threadlens/analyzer/findings.h"
#include "threadlens/analyzer/findings_json.h"

using instrument_test::Describe;
using instrument_test::ReportOf;

namespace {

// The report's last race, or null.
const threadlens::Finding* LastRace(const threadlens::Report& report) {
  const threadlens::Finding* race = nullptr;
  for (const auto& f : report.findings) {
    if (f.kind == "race") race = &f;
  }
  return race;
}

}  // namespace

// A write made after a sleep carries a time after it (the sleep writes no event, yet the
// next access reads the clock) and is merged after what the other thread did meanwhile (a
// relaxed fence before it takes a number): the race's title calls the write before the sleep
// "earlier", and the text report "Previous". The same after a poll that timed out.
TEST(Recording, AnAccessAfterASleepHasItsOwnTime) {
  for (const char* name : {"race_after_sleep", "race_after_poll_timeout"}) {
    SCOPED_TRACE(name);
    std::string text;
    const threadlens::Report report = ReportOf(name, &text);
    const threadlens::Finding* race = LastRace(report);
    ASSERT_NE(race, nullptr) << Describe(report);
    ASSERT_EQ(race->accesses.size(), 2u);
    ASSERT_FALSE(race->accesses[0].stack.empty());
    ASSERT_FALSE(race->accesses[1].stack.empty());
    // Second started first, yet the write before its 50 ms wait is the first side, and the
    // times agree.
    const threadlens::Access& first = race->accesses[0];
    const threadlens::Access& second = race->accesses[1];
    EXPECT_EQ(first.stack[0].function, "First") << race->title;
    EXPECT_EQ(second.stack[0].function, "Second") << race->title;
    const double ticks_per_ms = static_cast<double>(report.ticks_per_second) / 1000.0;
    EXPECT_GE(static_cast<double>(second.ts) - static_cast<double>(first.ts), 40 * ticks_per_ms);
    EXPECT_NE(race->title.find("vs earlier write"), std::string::npos) << race->title;
    EXPECT_NE(text.find("Previous write"), std::string::npos) << text;
  }
}

// A spin lock released by a full barrier and a plain store (race_spinlock_plain_unlock):
// the lock word races, but the barrier makes the store a release, so nothing the worker did
// before it races with main's reads after taking the lock. The same with three threads
// taking it 20 000 times each (race_spinlock_plain_unlock_contended), where a compare-and-swap
// often reads an unlock numbered after its own first number.
TEST(Races, APlainUnlockAfterABarrierReleasesWhatCameBefore) {
  for (const char* name : {"race_spinlock_plain_unlock", "race_spinlock_plain_unlock_contended"}) {
    SCOPED_TRACE(name);
    for (int run = 0; run < 3; ++run) {
      const threadlens::Report report = ReportOf(name);
      size_t races = 0;
      for (const auto& f : report.findings) {
        if (f.kind != "race") continue;
        ++races;
        for (const std::string& v : f.variables) EXPECT_EQ(v, "lock") << Describe(report);
      }
      EXPECT_GT(races, 0u);
    }
  }
}

// The process exits while threads are inside their critical sections
// (clean_exit_while_locked): the trace ends at one moment for all threads, so no thread's
// unlock is lost while a later lock of another is kept, and the locked writes do not race.
// Without that, about half the runs reported a race.
TEST(Recording, AnExitWithThreadsRunningEndsEveryThreadAtOneMoment) {
  for (int run = 0; run < 4; ++run) {
    const threadlens::Report report = ReportOf("clean_exit_while_locked");
    for (const auto& f : report.findings) EXPECT_NE(f.kind, "race") << Describe(report);
  }
}

// A race in a heap block gives the block's allocation: its thread, address and size, and the
// whole stack of the allocating call (the helper, its caller, main), in the text report and
// in the JSON, which reads back the same.
TEST(Races, AHeapBlockRaceGivesTheStackOfTheAllocation) {
  std::string text;
  const threadlens::Report report = ReportOf("race_heap_allocation_stack", &text);
  ASSERT_EQ(report.findings.size(), 1u) << text;
  const threadlens::Finding& f = report.findings[0];
  ASSERT_TRUE(f.allocation.has_value()) << text;
  const threadlens::Access& a = *f.allocation;
  EXPECT_EQ(a.op, "allocate");
  EXPECT_EQ(a.thread, "T1");
  EXPECT_EQ(a.size, 16u);
  EXPECT_NE(a.address, 0u);
  ASSERT_GE(a.stack.size(), 3u) << text;
  EXPECT_EQ(a.stack[0].function, "NewTable");
  EXPECT_EQ(a.stack[0].line, 18);
  EXPECT_EQ(a.stack[1].function, "Setup");
  EXPECT_EQ(a.stack[2].function, "main");
  EXPECT_EQ(a.stack[2].line, 32);
  char at[64];
  std::snprintf(at, sizeof at, "Heap block of 16 bytes at 0x%llx allocated by thread T1:",
                static_cast<unsigned long long>(a.address));
  const size_t line = text.find(at);
  ASSERT_NE(line, std::string::npos) << text;
  EXPECT_NE(text.find("#1 Setup", line), std::string::npos) << text;
  const threadlens::Report back = threadlens::ReportFromJson(threadlens::ToJson(report));
  ASSERT_EQ(back.findings.size(), 1u);
  ASSERT_TRUE(back.findings[0].allocation.has_value());
  EXPECT_EQ(back.findings[0].allocation->stack.size(), a.stack.size());
  EXPECT_EQ(back.findings[0].allocation->address, a.address);
}

// One racy statement at two pcs of one line (after the two paths of a destructor) is one bug:
// one finding, whatever pairs of its pcs raced.
TEST(Races, AStatementAtTwoPcsIsReportedOnce) {
  const threadlens::Report report = ReportOf("race_statement_at_two_pcs");
  size_t races = 0;
  for (const threadlens::Finding& f : report.findings) races += f.kind == "race";
  EXPECT_EQ(races, 1u);
}

// A crash is no hang: main, blocked joining the worker that took SIGSEGV, is not reported;
// a warning says which thread took which signal, where.
TEST(Crash, AWorkerThatFaultsLeavesNoHangAndIsNamed) {
  char dir_template[] = "/tmp/threadlens-crash-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template, trace = dir + "/t.tltrace";
  const int status = instrument_test::RunTo(
      {THREADLENS_CLI, "run", "--trace", trace, "--",
       std::string(THREADLENS_INSTRUMENT_BIN_DIR) + "/instrument_clean_crash_in_worker_while_main_joins"},
      dir + "/run.log");
  EXPECT_EQ(status, 128 + 11);
  const threadlens::Report report = threadlens::AnalyzeFile(trace);
  for (const auto& f : report.findings) EXPECT_NE(f.kind, "hang") << Describe(report);
  std::string warnings;
  for (const std::string& w : report.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("the program crashed: T2 took SIGSEGV (signal 11) in Worker at "),
            std::string::npos)
      << warnings;
  EXPECT_NE(warnings.find("clean_crash_in_worker_while_main_joins.c:15"), std::string::npos)
      << warnings;
  std::system(("rm -rf " + dir).c_str());
}

// A signal that lands while the main thread waits in pthread_join, two calls deep: the
// handler's side of the race names the handler, then the frames it interrupted, the
// blocked call's caller at that call included (it was missing: Command came right after the
// runtime's frames).
TEST(Races, AHandlersStackHoldsTheCallItInterrupted) {
  std::string text;
  const threadlens::Report report = ReportOf("race_signal_handler_in_join", &text);
  const threadlens::Access* handler = nullptr;
  for (const auto& f : report.findings) {
    if (f.kind != "race") continue;
    for (const auto& a : f.accesses) {
      if (!a.stack.empty() && a.stack[0].function == "OnAlarm") handler = &a;
    }
  }
  ASSERT_NE(handler, nullptr) << text;
  std::vector<std::string> program;  // the frames in the program, innermost first
  for (const auto& frame : handler->stack) {
    if (frame.file.find("race_signal_handler_in_join") != std::string::npos) {
      program.push_back(frame.function);
    }
  }
  EXPECT_EQ(program, (std::vector<std::string>{"OnAlarm", "Resolve", "Command", "main"}))
      << text;
}

// A descriptor's close racing a write on it (race_fd_close_write) is said as a close, and the
// object's 8 bytes, which mean nothing to a reader, are not shown; a heap block's free
// (race_realloc_old_block, the twin) is still a free.
TEST(Races, ADescriptorIsClosedNotFreed) {
  std::string text;
  const threadlens::Report report = ReportOf("race_fd_close_write", &text);
  const threadlens::Finding* race = nullptr;
  for (const auto& f : report.findings) {
    if (f.kind == "race" && f.subkind == "use-after-free") race = &f;
  }
  ASSERT_NE(race, nullptr) << text;
  EXPECT_EQ(race->title.rfind("use after close", 0), 0u) << race->title;
  EXPECT_NE(race->title.find("its close by"), std::string::npos) << race->title;
  EXPECT_NE(race->detail.find("may already name another file"), std::string::npos)
      << race->detail;
  // "Close of" or "Previous close of", whichever side the merged order put first.
  EXPECT_NE(text.find("lose of file descriptor"), std::string::npos) << text;
  EXPECT_EQ(text.find("ree of file descriptor"), std::string::npos) << text;
  // Where it was opened, not a heap block at an address no program memory has.
  EXPECT_TRUE(std::regex_search(text, std::regex("File descriptor [0-9]+ opened by thread T1")))
      << text;
  EXPECT_EQ(text.find("Heap block"), std::string::npos) << text;
  ASSERT_TRUE(race->allocation.has_value());
  EXPECT_TRUE(race->allocation->descriptor()) << race->allocation->object;
  EXPECT_FALSE(std::regex_search(text, std::regex("file descriptor [0-9]+ \\(8 bytes\\)")))
      << text;
  // The JSON keeps the operations as they are for every object: a call on it reads it.
  for (const auto& a : race->accesses) EXPECT_TRUE(a.op == "free" || a.op == "read") << a.op;

  std::string heap_text;
  const threadlens::Report heap = ReportOf("race_realloc_old_block", &heap_text);
  bool freed = false;
  for (const auto& f : heap.findings) {
    if (f.subkind != "use-after-free") continue;
    freed = true;
    EXPECT_EQ(f.title.rfind("use after free", 0), 0u) << f.title;
  }
  EXPECT_TRUE(freed) << heap_text;
  EXPECT_EQ(heap_text.find("Close of"), std::string::npos) << heap_text;
}

// A call on a descriptor's number racing with the open that got the number back
// (race_fd_open_after_stale_use) says "open", in the title as in the text; and the finding is
// one bug whatever number the kernel handed out: three more descriptors open first, the same
// fingerprint.
TEST(Races, AnOpenRacingAStaleUseIsOneBugWhateverTheNumber) {
  std::string text;
  const threadlens::Report report = ReportOf("race_fd_open_after_stale_use", &text);
  const threadlens::Finding* race = LastRace(report);
  ASSERT_NE(race, nullptr) << text;
  ASSERT_EQ(race->variables.size(), 1u);
  EXPECT_EQ(race->variables[0].rfind("file descriptor ", 0), 0u) << race->variables[0];
  EXPECT_NE(race->title.find("open by T1"), std::string::npos) << race->title;
  EXPECT_EQ(race->title.find("allocate"), std::string::npos) << race->title;
  EXPECT_TRUE(std::regex_search(text, std::regex("(Open|Previous open) of file descriptor")))
      << text;
  ASSERT_TRUE(race->allocation.has_value());
  ASSERT_FALSE(race->allocation->stack.empty());
  EXPECT_EQ(race->allocation->stack[0].function, "main");

  setenv("THREADLENS_TEST_EXTRA_FDS", "3", 1);
  const threadlens::Report shifted = ReportOf("race_fd_open_after_stale_use");
  unsetenv("THREADLENS_TEST_EXTRA_FDS");
  const threadlens::Finding* moved = LastRace(shifted);
  ASSERT_NE(moved, nullptr);
  ASSERT_EQ(moved->variables.size(), 1u);
  EXPECT_NE(moved->variables[0], race->variables[0]);  // another number...
  EXPECT_EQ(moved->fingerprint, race->fingerprint);    // ...the same finding
}

// A virtual call racing a destructor is a race on the object's vtable pointer: named "vptr"
// (the compiler's _vptr$A is no name the user wrote), and said so in the finding's detail.
TEST(Races, AVirtualCallRacingADestructorIsOnTheVptr) {
  std::string text;
  const threadlens::Report report = ReportOf("race_vptr_destructor_vs_virtual_call", &text);
  const threadlens::Finding* race = LastRace(report);
  ASSERT_NE(race, nullptr) << text;
  ASSERT_EQ(race->variables.size(), 1u);
  EXPECT_EQ(race->variables[0].rfind("B::vptr in heap block allocated at main ", 0), 0u)
      << race->variables[0];
  EXPECT_NE(race->detail.find("vtable pointer"), std::string::npos) << race->detail;
  EXPECT_EQ(text.find("_vptr$"), std::string::npos) << text;  // clang's name for it
  // Any other race says nothing of vtables.
  const threadlens::Report plain = ReportOf("race_fd_open_after_stale_use");
  ASSERT_FALSE(plain.findings.empty());
  EXPECT_EQ(plain.findings[0].detail.find("vtable"), std::string::npos);
}

// A race in memory the program mapped is named by what it maps, not as a heap block: a file
// shared through MAP_SHARED by its path, anonymous memory by its size; both by where they
// were mapped, and the allocation section says "mapped by".
TEST(Races, AMappingIsNamedByItsFile) {
  std::string text;
  const threadlens::Report report = ReportOf("race_file_mapping", &text);
  const threadlens::Finding* race = LastRace(report);
  ASSERT_NE(race, nullptr) << text;
  ASSERT_FALSE(race->variables.empty());
  const std::regex file("(lock_table::readers in )?file /tmp/threadlens-map-[A-Za-z0-9]{6} mapped "
                        "at main race_file_mapping.c:29( \\(\\+4\\))?");
  EXPECT_TRUE(std::regex_match(race->variables[0], file)) << race->variables[0];
  ASSERT_TRUE(race->allocation.has_value()) << text;
  EXPECT_TRUE(race->allocation->mapping()) << race->allocation->object;
  EXPECT_FALSE(race->allocation->descriptor());
  const std::regex object("file /tmp/threadlens-map-[A-Za-z0-9]{6} \\(4096 bytes\\)");
  EXPECT_TRUE(std::regex_match(race->allocation->object, object)) << race->allocation->object;
  EXPECT_NE(text.find(" mapped by thread T1:"), std::string::npos) << text;
  EXPECT_EQ(text.find("Heap block"), std::string::npos) << text;
  EXPECT_EQ(text.find("heap block"), std::string::npos) << text;

  std::string anon_text;
  const threadlens::Report anon = ReportOf("race_anonymous_mapping", &anon_text);
  ASSERT_FALSE(anon.findings.empty()) << anon_text;
  ASSERT_TRUE(anon.findings[0].allocation.has_value()) << anon_text;
  EXPECT_EQ(anon.findings[0].allocation->object, "anonymous memory of 8192 bytes");
  EXPECT_TRUE(anon.findings[0].allocation->mapping());
  EXPECT_NE(anon_text.find("Anonymous memory of 8192 bytes at 0x"), std::string::npos) << anon_text;
  // Fingerprints do not carry the temporary file's name: two runs, two files, one finding.
  const threadlens::Report again = ReportOf("race_file_mapping");
  ASSERT_FALSE(again.findings.empty());
  EXPECT_EQ(again.findings[0].fingerprint, race->fingerprint);
}

// An access racing a munmap is a use after unmap, in the title, the text and SARIF's words.
TEST(Races, AnUnmapIsNotAFree) {
  std::string text;
  const threadlens::Report report = ReportOf("race_mmap_unmap", &text);
  const threadlens::Finding* race = nullptr;
  for (const auto& f : report.findings) {
    if (f.kind == "race" && f.subkind == "use-after-free") race = &f;
  }
  ASSERT_NE(race, nullptr) << text;
  EXPECT_EQ(race->title.rfind("use after unmap", 0), 0u) << race->title;
  EXPECT_NE(race->title.find("its unmap by"), std::string::npos) << race->title;
  EXPECT_NE(race->detail.find("unmap"), std::string::npos) << race->detail;
  const std::string unmap = "nmap of char[100] in anonymous memory of 65536 bytes mapped at main";
  EXPECT_NE(text.find(unmap), std::string::npos) << text;
  EXPECT_EQ(text.find("ree of"), std::string::npos) << text;
  EXPECT_NE(text.find("Anonymous memory of 65536 bytes at 0x"), std::string::npos) << text;
}

// A callback the C library calls (a std::call_once or C11 call_once routine inside
// pthread_once, a qsort comparator) keeps its caller's frames: the stack goes on through the call to main, where
// it used to stop in the library.
TEST(Races, ACallbackFromTheCLibraryKeepsItsCallersFrames) {
  auto frames_of = [](const threadlens::Report& report, const std::string& innermost) {
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
      for (const auto& a : f.accesses) {
        if (a.stack.empty() || a.stack[0].function.rfind(innermost, 0) != 0) continue;
        for (const auto& frame : a.stack) out.push_back(frame.function);
      }
    }
    return out;
  };
  auto holds = [](const std::vector<std::string>& frames, const std::string& fn) {
    for (const std::string& f : frames) {
      if (f.rfind(fn, 0) == 0) return true;
    }
    return false;
  };
  std::string text;
  const threadlens::Report once = ReportOf("race_once_routine_stack", &text);
  const std::vector<std::string> init = frames_of(once, "Init");
  ASSERT_FALSE(init.empty()) << text;
  EXPECT_TRUE(holds(init, "Setup")) << text;
  EXPECT_TRUE(holds(init, "main")) << text;

  // C11's call_once reaches pthread_once from the runtime's own wrapper: still the program's.
  const threadlens::Report c11 = ReportOf("race_c11_once_routine_stack", &text);
  const std::vector<std::string> c11_init = frames_of(c11, "Init");
  ASSERT_FALSE(c11_init.empty()) << text;
  EXPECT_TRUE(holds(c11_init, "Setup")) << text;
  EXPECT_TRUE(holds(c11_init, "main")) << text;

  const threadlens::Report sorted = ReportOf("race_local_through_library_callback", &text);
  const std::vector<std::string> compare = frames_of(sorted, "Compare");
  ASSERT_FALSE(compare.empty()) << text;
  EXPECT_TRUE(holds(compare, "main")) << text;
}

// A lock in a heap block is named as its field of the block, as a heap variable is: two
// fields of one queue (C, malloc), and two accounts made at one line (the second taken is #2).
TEST(Locks, ALockInAHeapBlockIsNamedByItsField) {
  auto cycle_locks = [](const threadlens::Report& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) {
      if (f.kind == "lock-order") out = f.locks;
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::string text;
  const threadlens::Report fields = ReportOf("lock_order_heap_fields", &text);
  EXPECT_EQ(cycle_locks(fields),
            (std::vector<std::string>{
                "queue::log_mu in heap block allocated at main lock_order_heap_fields.c:34",
                "queue::mu in heap block allocated at main lock_order_heap_fields.c:34"}))
      << text;
  const threadlens::Report accounts = ReportOf("lock_order_heap_accounts", &text);
  EXPECT_EQ(cycle_locks(accounts),
            (std::vector<std::string>{
                "Account::m in heap block allocated at main lock_order_heap_accounts.cc:24",
                "Account::m in heap block allocated at main lock_order_heap_accounts.cc:24 #2"}))
      << text;
}
