// ThreadSanitizer report import: the parser on captured report text (every report kind it
// knows, odd and truncated input), and `threadlens tsan` end to end on a program built with
// clang's real -fsanitize=thread.
#include "threadlens/analyzer/tsan_import.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <set>
#include <string>

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Captured() {
  return ReadFile(std::string(THREADLENS_SOURCE_DIR) + "/tests/instrument/data/tsan_reports.txt");
}

const threadlens::Finding* Find(const threadlens::Report& r, const std::string& kind,
                                const std::string& subkind = "", int nth = 0) {
  for (const auto& f : r.findings) {
    if (f.kind == kind && (subkind.empty() || f.subkind == subkind) && nth-- == 0) return &f;
  }
  return nullptr;
}

TEST(TsanImport, ReadsEveryReportOfACapturedRun) {
  threadlens::Report r = threadlens::ImportTsanReports(Captured(), "race");
  ASSERT_EQ(r.findings.size(), 5u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];  // TSan's own count agrees
  EXPECT_EQ(r.program, "race");
}

TEST(TsanImport, DataRaceOnGlobalHasBothSidesWithUserFrames) {
  threadlens::Report r = threadlens::ImportTsanReports(Captured());
  const auto* f = Find(r, "race");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->accesses.size(), 2u);
  EXPECT_EQ(f->variables, std::vector<std::string>{"counter"});
  EXPECT_EQ(f->title, "data race on counter (T2 write, T1 write)");
  for (const auto& a : f->accesses) {
    EXPECT_EQ(a.op, "write");
    EXPECT_EQ(a.size, 4u);
    EXPECT_EQ(a.object, "counter");
    ASSERT_FALSE(a.stack.empty());
    EXPECT_EQ(a.stack[0].function, "bump()");
    EXPECT_EQ(a.stack[0].file, "/home/dev/demo/race.cpp");
    EXPECT_EQ(a.stack[0].line, 6);
    EXPECT_EQ(a.stack[0].module, "race");
    EXPECT_EQ(a.stack[0].pc, 0xd43cfu);
  }
  EXPECT_EQ(f->accesses[0].thread, "T2");
  EXPECT_EQ(f->accesses[1].thread, "T1");
  EXPECT_EQ(f->accesses[0].address, 0x563149a216a8u);
  EXPECT_EQ(f->fingerprint.size(), 16u);
}

TEST(TsanImport, HeapRaceIsNamedByAllocationSite) {
  threadlens::Report r = threadlens::ImportTsanReports(Captured());
  const auto* f = Find(r, "race", "", 1);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->variables.size(), 1u);
  // The analysis of a trace's form: same name, same fingerprint for the same race.
  EXPECT_EQ(f->variables[0], "heap block of 4 bytes allocated at main race.cpp:21");
  EXPECT_EQ(f->accesses[0].thread, "main");
  EXPECT_EQ(f->accesses[1].thread, "T5");
  EXPECT_EQ(f->accesses[1].stack[0].function, "main::$_2::operator()() const");
}

// Memory mapped from a file has no symbol: TSan gives the file and the offset, and so does the
// import, in place of "??".
TEST(TsanImport, AMappedFilesRaceIsNamedByTheFileAndOffset) {
  const std::string text =
      "==================\n"
      "WARNING: ThreadSanitizer: data race (pid=944)\n"
      "  Write of size 4 at 0x7ff8e16cc010 by thread T2:\n"
      "    #0 claim_slot /src/db.c:310:25 (db+0x2b3c1)\n"
      "\n"
      "  Previous read of size 4 at 0x7ff8e16cc010 by thread T1:\n"
      "    #0 oldest_reader /src/db.c:243:34 (db+0x2a1f0)\n"
      "\n"
      "  Location is global '??' at 0x7ff8e16cc000 (/var/db/lock.mdb+0x10)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race /src/db.c:310:25 in claim_slot\n"
      "==================\n";
  threadlens::Report r = threadlens::ImportTsanReports(text);
  const auto* f = Find(r, "race");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variables, std::vector<std::string>{"lock.mdb+16"});
  EXPECT_EQ(f->title, "data race on lock.mdb+16 (T2 write, T1 read)");
  // sbrk's memory is no file: left for the accesses' code to name.
  std::string heap = text;
  heap.replace(heap.find("/var/db/lock.mdb"), 16, "[heap]");
  const threadlens::Report h = threadlens::ImportTsanReports(heap);
  ASSERT_NE(Find(h, "race"), nullptr);
  for (const std::string& v : Find(h, "race")->variables) {
    EXPECT_EQ(v.find("[heap]"), std::string::npos) << v;
  }
}

// A race on a descriptor: TSan names it by its number and where it was created; the import
// keeps both, with each side from the caller of the interceptor on (frame #0: epoll_ctl,
// accept), even where that caller has no line information, as the trace's sides start.
TEST(TsanImport, ADescriptorsRaceIsNamedByItsNumberAndOpening) {
  const std::string text =
      "WARNING: ThreadSanitizer: data race (pid=1606)\n"
      "  Read of size 8 at 0x7ba0000000b0 by thread T158 (mutexes: write M0):\n"
      "    #0 epoll_ctl <null> (arestest+0xd8d86)\n"
      "    #1 ares_evsys_epoll_event_del /src/ares_event_epoll.c:118:3 (arestest+0x5b8b22)\n"
      "\n"
      "  Previous write of size 8 at 0x7ba0000000b0 by main thread:\n"
      "    #0 accept <null> (arestest+0xea5b3)\n"
      "    #1 MockServer::ProcessFD(int) <null> (arestest+0x176f20)\n"
      "    #2 main <null> (arestest+0x1543b4)\n"
      "\n"
      "  Location is file descriptor 11 created by main thread at:\n"
      "    #0 accept <null> (arestest+0xea5b3)\n"
      "    #1 MockServer::ProcessFD(int) <null> (arestest+0x176f20)\n"
      "    #2 main <null> (arestest+0x1543b4)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race in epoll_ctl\n";
  const threadlens::Report r = threadlens::ImportTsanReports(text);
  const auto* f = Find(r, "race");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variables, std::vector<std::string>{"file descriptor 11"});
  ASSERT_EQ(f->accesses.size(), 2u);
  EXPECT_EQ(f->accesses[0].stack.at(0).function, "ares_evsys_epoll_event_del");
  EXPECT_EQ(f->accesses[1].stack.at(0).function, "MockServer::ProcessFD(int)");
  ASSERT_TRUE(f->allocation.has_value());
  EXPECT_EQ(f->allocation->thread, "main");
  EXPECT_EQ(f->allocation->stack.at(0).function, "MockServer::ProcessFD(int)");
  // Another run's number, the same fingerprint; another opener, another.
  std::string other = text;
  for (size_t p; (p = other.find("descriptor 11")) != std::string::npos;) {
    other.replace(p, 13, "descriptor 9");
  }
  EXPECT_EQ(threadlens::ImportTsanReports(other).findings.at(0).fingerprint, f->fingerprint);
  std::string opener = text;
  opener.replace(opener.rfind("MockServer::ProcessFD(int)"), 26, "MockServer::Accept(int)");
  EXPECT_NE(threadlens::ImportTsanReports(opener).findings.at(0).fingerprint, f->fingerprint);
  // A descriptor TSan saw closed: its name, and no opening.
  std::string closed = text;
  closed.replace(closed.find("created by"), 10, "destroyed by");
  const threadlens::Report c = threadlens::ImportTsanReports(closed);
  ASSERT_NE(Find(c, "race"), nullptr);
  EXPECT_EQ(Find(c, "race")->variables, std::vector<std::string>{"file descriptor 11"});
  EXPECT_FALSE(Find(c, "race")->allocation.has_value());
}

// A free racing an earlier access: TSan writes it as a data race whose write is free's.
TEST(TsanImport, AFreeRacingAnAccessIsAUseAfterFree) {
  const std::string text =
      "WARNING: ThreadSanitizer: data race (pid=42)\n"
      "  Write of size 8 at 0x7b0400000008 by main thread:\n"
      "    #0 operator delete(void*) <null> (prog+0xd3a3e)\n"
      "    #1 main /src/uaf.cc:26:3 (prog+0xd44c1)\n"
      "\n"
      "  Previous read of size 8 at 0x7b0400000008 by thread T1:\n"
      "    #0 Serve(Session*) /src/uaf.cc:17:18 (prog+0xd4386)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race in operator delete(void*)\n";
  threadlens::Report r = threadlens::ImportTsanReports(text);
  ASSERT_EQ(r.findings.size(), 1u);
  const threadlens::Finding& f = r.findings[0];
  EXPECT_EQ(f.kind, "race");
  EXPECT_EQ(f.subkind, "use-after-free");
  ASSERT_EQ(f.accesses.size(), 2u);
  EXPECT_EQ(f.accesses[0].op, "free");
  EXPECT_EQ(f.accesses[0].stack.at(0).function, "main");  // the program's frame, not delete's
  EXPECT_EQ(f.accesses[1].op, "read");
  // A plain data race stays one.
  EXPECT_EQ(Find(threadlens::ImportTsanReports(Captured()), "race")->subkind, "");
}

TEST(TsanImport, LockOrderInversionBecomesACycle) {
  threadlens::Report r = threadlens::ImportTsanReports(Captured());
  const auto* f = Find(r, "lock-order");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->cycle.size(), 2u);
  EXPECT_EQ(f->locks.size(), 2u);
  EXPECT_EQ(f->locks[0], "M0 (0x563149a216b0)");
  const auto& e0 = f->cycle[0];
  EXPECT_EQ(e0.from, "M0 (0x563149a216b0)");
  EXPECT_EQ(e0.to, "M1 (0x563149a216d8)");
  EXPECT_EQ(e0.thread, "main");
  // Library plumbing (pthread_mutex_lock, std::mutex::lock, lock_guard) is cut off.
  ASSERT_FALSE(e0.to_site.stack.empty());
  EXPECT_EQ(e0.to_site.stack[0].function, "main");
  EXPECT_EQ(e0.to_site.stack[0].line, 12);
  ASSERT_FALSE(e0.from_site.stack.empty());
  EXPECT_EQ(e0.from_site.stack[0].line, 12);
  EXPECT_EQ(f->cycle[1].thread, "T3");
  EXPECT_EQ(f->cycle[1].from, "M1 (0x563149a216d8)");
  EXPECT_EQ(f->cycle[1].to_site.stack[0].line, 13);
  // The report lists the locks with their addresses.
  bool listed = false;
  for (const auto& l : r.locks)
    listed |= l.name == "M1 (0x563149a216d8)" && l.address == 0x563149a216d8u;
  EXPECT_TRUE(listed);
}

TEST(TsanImport, MisuseAndLeaks) {
  threadlens::Report r = threadlens::ImportTsanReports(Captured());
  const auto* unlock = Find(r, "misuse", "unlock-not-held");
  ASSERT_NE(unlock, nullptr);
  ASSERT_FALSE(unlock->accesses.empty());
  EXPECT_EQ(unlock->accesses[0].op, "release");
  EXPECT_EQ(unlock->accesses[0].stack[0].function, "main");
  EXPECT_EQ(unlock->accesses[0].stack[0].line, 17);
  const auto* leak = Find(r, "misuse", "thread-leak");
  ASSERT_NE(leak, nullptr);
  EXPECT_EQ(leak->severity, threadlens::Severity::kWarning);
  ASSERT_EQ(leak->accesses.size(), 1u);
  EXPECT_EQ(leak->accesses[0].object, "T4");
  EXPECT_EQ(leak->accesses[0].stack[0].line, 19);
}

TEST(TsanImport, ClassifiesOtherHeadlines) {
  std::string text =
      "WARNING: ThreadSanitizer: double lock of a mutex (pid=1)\n"
      "    #0 pthread_mutex_lock <null> (a.out+0x1)\n"
      "    #1 Reenter() /src/x.cc:9:3 (a.out+0x2)\n"
      "SUMMARY: ThreadSanitizer: double lock of a mutex\n"
      "WARNING: ThreadSanitizer: destroy of a locked mutex (pid=1)\n"
      "SUMMARY: x\n"
      "WARNING: ThreadSanitizer: something new in a later release (pid=1)\n"
      "SUMMARY: x\n";
  threadlens::Report r = threadlens::ImportTsanReports(text);
  ASSERT_EQ(r.findings.size(), 3u);
  EXPECT_EQ(r.findings[0].kind, "self-deadlock");
  EXPECT_EQ(r.findings[0].accesses.at(0).stack.at(0).function, "Reenter()");
  EXPECT_EQ(r.findings[1].subkind, "destroy-locked");
  EXPECT_EQ(r.findings[2].kind, "tsan");
  EXPECT_EQ(r.findings[2].title, "something new in a later release");
}

TEST(TsanImport, GarbageAndTruncationDoNotThrow) {
  std::string all = Captured();
  for (size_t cut : {size_t{0}, size_t{1}, all.size() / 3, all.size() / 2, all.size() - 7}) {
    EXPECT_NO_THROW(threadlens::ImportTsanReports(all.substr(0, cut)));
  }
  EXPECT_TRUE(threadlens::ImportTsanReports("hello\nworld\n#0 #1 (((\n").findings.empty());
  // A count mismatch (reports lost, e.g. an interleaved log) is said.
  auto r = threadlens::ImportTsanReports("ThreadSanitizer: reported 3 warnings\n");
  EXPECT_EQ(r.warnings.size(), 1u);
}

// TSan that could not run to the end (its shadow could not be mapped beside the program, a
// CHECK of its own failed) reported nothing more: the import is incomplete, not clean.
TEST(TsanImport, TsansOwnFailureMakesTheRunIncomplete) {
  for (const char* line :
       {"FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000001000\n",
        "ThreadSanitizer: CHECK failed: tsan_rtl.cpp:100 \"((x)) != (0)\" (0x0, 0x0)\n",
        "ThreadSanitizer:DEADLYSIGNAL\n"}) {
    SCOPED_TRACE(line);
    threadlens::Report r = threadlens::ImportTsanReports(Captured() + line, "race");
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.findings.size(), 5u);  // what it reported before still counts
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("stopped the program early"), std::string::npos);
  }
  EXPECT_TRUE(threadlens::ImportTsanReports(Captured(), "race").complete);
  EXPECT_TRUE(threadlens::ImportTsanReports("", "race").complete);
}

TEST(TsanImport, OptionsKeepRunningAndLetTheUserWin) {
  std::string o = threadlens::TsanOptions("/tmp/x/log", "halt_on_error=1");
  EXPECT_NE(o.find("halt_on_error=0"), std::string::npos);
  EXPECT_NE(o.find("second_deadlock_stack=1"), std::string::npos);
  EXPECT_NE(o.find("log_path=/tmp/x/log"), std::string::npos);
  EXPECT_GT(o.rfind("halt_on_error=1"), o.find("halt_on_error=0"));
}

int Shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ThreadlensTsan, RunsRealTsanProgramAndWritesFindings) {
  char dir_template[] = "/tmp/threadlens-tsan-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string json = dir + "/findings.json";
  const std::string out = dir + "/stdout.txt";
  int rc = Shell(std::string(THREADLENS_CLI) + " tsan --json " + json + " -- " +
                 THREADLENS_REAL_TSAN_PROGRAM + " > " + out + " 2>&1");
  std::string text = ReadFile(out);
  EXPECT_EQ(rc, 1) << text;  // findings found
  EXPECT_NE(text.find("balance"), std::string::npos) << text;
  nlohmann::json j = nlohmann::json::parse(ReadFile(json), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << ReadFile(json);
  bool race = false, inversion = false;
  for (const auto& f : j["findings"]) {
    if (f["kind"] == "race") {
      race = true;
      EXPECT_EQ(f["variables"][0], "balance");
    }
    if (f["kind"] == "lock-order") inversion = true;
  }
  EXPECT_TRUE(race) << j.dump(2);
  EXPECT_TRUE(inversion) << j.dump(2);
  // The program's own output still reaches the user.
  EXPECT_NE(text.find("balance = "), std::string::npos) << text;
  std::remove(json.c_str());
  std::remove(out.c_str());
  rmdir(dir.c_str());
}

// The race findings' fingerprints in a JSON report.
std::set<std::string> RaceFingerprints(const std::string& path) {
  std::set<std::string> out;
  nlohmann::json j = nlohmann::json::parse(ReadFile(path), nullptr, false);
  if (j.is_discarded()) return out;
  for (const auto& f : j["findings"]) {
    if (f["kind"] == "race") out.insert(f["fingerprint"].get<std::string>());
  }
  return out;
}

// A heap or global race found by TSan and imported has the fingerprint the analysis of a
// trace of the same program gives it (a heap block's name: the allocation's user frame, and
// the field the allocation site's DWARF says, or else the access's code, its own or another
// reported access's into the same object; memory no allocation holds by the access's code
// alone; a global's: its field at the raced byte, through DWARF, where TSan names the
// symbol; a descriptor's: the function that opened it, not its number; a lambda's function
// however the symbolizer spells it), so one baseline serves both.
TEST(ThreadlensTsan, RacesHaveTheTraceFingerprints) {
  char dir_template[] = "/tmp/threadlens-tsan-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string bin = THREADLENS_TSAN_BIN_DIR;
  const std::string cli = THREADLENS_CLI;
  for (const char* name :
       {"race_heap_new_object", "race_heap_struct_calloc", "race_heap_vector",
        "race_heap_slab_items", "race_unseen_memory_record",
        "race_heap_field_named_by_other_access", "race_heap_field_named_by_sibling_block",
        "race_heap_field_named_through_wrapper_caller", "race_struct_member",
        "race_global_split_by_compiler", "race_fd_open_after_stale_use",
        "race_vptr_destructor_vs_virtual_call", "race_heap_field_through_pool_layers",
        "race_heap_field_through_cxx_pool_layers", "race_global_in_lambdas"}) {
    SCOPED_TRACE(name);
    const std::string imported = dir + "/" + name + ".tsan.json";
    const std::string trace = dir + "/" + name + ".tltrace";
    const std::string analyzed = dir + "/" + name + ".json";
    const std::string says = dir + "/" + name + ".tsan.txt";
    ASSERT_EQ(Shell(cli + " run -o " + trace + " -- " + bin + "/instrument_" + name +
                    " > /dev/null 2>&1"),
              0);
    Shell(cli + " analyze --format json " + trace + " > " + analyzed + " 2>/dev/null");
    const std::set<std::string> from_trace = RaceFingerprints(analyzed);
    ASSERT_FALSE(from_trace.empty()) << ReadFile(analyzed);
    // TSan may miss a race in a run (or fail to start beside this machine's address-space
    // layout): up to three runs. What it found, the trace found under the same name.
    std::set<std::string> from_tsan;
    for (int run = 0; run < 3 && from_tsan.empty(); ++run) {
      Shell(cli + " tsan --json " + imported + " -- " + bin + "/instrument_real_tsan_" + name +
            " > " + says + " 2>&1");
      from_tsan = RaceFingerprints(imported);
    }
    ASSERT_FALSE(from_tsan.empty()) << ReadFile(imported) << ReadFile(says);
    for (const std::string& fp : from_tsan) {
      EXPECT_TRUE(from_trace.count(fp)) << fp << "\n" << ReadFile(imported) << ReadFile(analyzed);
    }
    for (const std::string& p : {imported, trace, analyzed, says}) std::remove(p.c_str());
  }
  rmdir(dir.c_str());
}

// A run a fatal signal ended is no evidence of a pass: `tsan` and `check` both fail it.
TEST(ThreadlensTsan, ARunKilledBySignalFailsTheGate) {
  char dir_template[] = "/tmp/threadlens-tsan-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template, json = dir + "/killed.json";
  const std::string cli = THREADLENS_CLI;
  EXPECT_EQ(Shell(cli + " tsan --json " + json + " -- /bin/sh -c 'kill -9 $$' > /dev/null 2>&1"),
            1);
  nlohmann::json j = nlohmann::json::parse(ReadFile(json), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["complete"], false);
  EXPECT_TRUE(j["findings"].empty());
  EXPECT_EQ(Shell(cli + " check " + json + " > " + dir + "/check.txt 2>&1"), 1);
  EXPECT_NE(ReadFile(dir + "/check.txt").find("was killed by signal 9"),
            std::string::npos)
      << ReadFile(dir + "/check.txt");
  EXPECT_EQ(Shell(cli + " check --allow-incomplete " + json + " > /dev/null 2>&1"), 0);
  // Its twin: the same shell ending by itself passes.
  EXPECT_EQ(Shell(cli + " tsan --json " + json + " -- /bin/sh -c 'exit 0' > /dev/null 2>&1"), 0);
  EXPECT_EQ(Shell(cli + " check " + json + " > /dev/null 2>&1"), 0);
  for (const char* f : {"/killed.json", "/check.txt"}) std::remove((dir + f).c_str());
  rmdir(dir.c_str());
}

TEST(ThreadlensTsan, CleanRunOfAnUninstrumentedProgramExitsZero) {
  int rc = Shell(std::string(THREADLENS_CLI) + " tsan -- /bin/true > /dev/null 2>&1");
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(Shell(std::string(THREADLENS_CLI) + " tsan -- /nonexistent/program > /dev/null 2>&1"),
            2);
}

}  // namespace
