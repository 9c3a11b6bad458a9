// The text report's stacks: the program's own frames shown, runs of library frames folded
// into one line, paths normalized; --full-stacks shows everything.
#include "threadlens/reports/text_report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace threadlens {
namespace {

// How clang's driver names libstdc++'s headers in debug info on Debian.
const std::string kGcc = "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/";

Frame At(std::string function, std::string file, int line) {
  Frame f;
  f.function = std::move(function);
  f.file = std::move(file);
  f.line = line;
  return f;
}

// A lock taken through std::lock_guard in a thread started by std::thread, as the
// symbolizer expands it (inlined frames included), down to glibc's thread start.
Stack LockGuardInThread() {
  Frame lib;
  lib.pc = 0x7f7910ed44a3;
  lib.module = "/lib/x86_64-linux-gnu/libstdc++.so.6";
  return {
      At("__gthread_mutex_lock(pthread_mutex_t*)",
         kGcc + "x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749),
      At("std::mutex::lock()", kGcc + "c++/12/bits/std_mutex.h", 100),
      At("std::lock_guard<std::mutex>::lock_guard(std::mutex&)", kGcc + "c++/12/bits/std_mutex.h",
         229),
      At("ThreadB()", "scenarios/ab_ba_deadlock.cc", 40),
      At("void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)())",
         kGcc + "c++/12/bits/invoke.h", 61),
      At("std::__invoke_result<void (*)()>::type std::__invoke<void (*)()>(void (*&&)())",
         kGcc + "c++/12/bits/invoke.h", 96),
      At("std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()> > >::_M_run()",
         kGcc + "c++/12/bits/std_thread.h", 210),
      lib,
      At("start_thread", "./nptl/pthread_create.c", 442),
      At("clone3", "./misc/../sysdeps/unix/sysv/linux/x86_64/clone3.S", 81),
  };
}

Report OneSide(Stack stack) {
  Report r;
  Finding f;
  f.kind = "misuse";
  f.subkind = "unlock-not-held";
  f.title = "unlock of b_lock, which ThreadB does not hold";
  f.fingerprint = "0123456789abcdef";
  Access a;
  a.thread = "ThreadB";
  a.op = "release";
  a.object = "b_lock";
  a.stack = std::move(stack);
  f.accesses.push_back(a);
  r.findings.push_back(f);
  return r;
}

std::string Sides(const Report& r, const reports::TextOptions& o = {}) {
  std::string text = reports::FindingText(r.findings[0], r, o);
  return text.substr(text.find('\n') + 1);  // without the headline
}

// The first line counts the processes of a recording of several, with their pids.
TEST(TextReport, FirstLineNamesTheProcesses) {
  Report r;
  r.trace = "t.tltrace";
  r.events = 9;
  r.pids = {41, 42};
  std::string text = reports::RenderText(r, {});
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "threadlens: t.tltrace: 9 events, 0 threads, 0 locks, 2 processes (pid 41 42)");
  // A child that called exec left two images of one process.
  r.pids = {41, 42, 42};
  text = reports::RenderText(r, {});
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "threadlens: t.tltrace: 9 events, 0 threads, 0 locks, 2 processes (pid 41 42) "
            "running 3 program images (exec starts one)");
  r.pids.clear();
  text = reports::RenderText(r, {});
  EXPECT_EQ(text.substr(0, text.find('\n')), "threadlens: t.tltrace: 9 events, 0 threads, 0 locks");
}

TEST(TextReport, FoldsLibraryFramesAroundTheProgramsOwn) {
  EXPECT_EQ(Sides(OneSide(LockGuardInThread())),
            "  ThreadB release b_lock at:\n"
            "    ... 3 frames in the C++ standard library\n"
            "    #3 ThreadB() at scenarios/ab_ba_deadlock.cc:40\n"
            "    ... 6 frames in the C++ standard library and the C library\n"
            "    locks held: none\n");
}

// A thread's exit recorded once its start routine returned has no frame left: said so, not
// shown as a missing site.
TEST(TextReport, AnExitWithNoFrameLeftSaysTheStartRoutineReturned) {
  Report r = OneSide({});
  r.findings[0].subkind = "thread-leak";
  r.findings[0].accesses[0].op = "exit";
  r.findings[0].accesses[0].thread = "T2";
  EXPECT_EQ(Sides(r), "  T2 exits: its start routine returned\n    locks held: none\n");
  r.findings[0].accesses[0].stack = {At("worker", "leak.c", 3)};
  EXPECT_EQ(Sides(r), "  T2 exits at:\n    #0 worker at leak.c:3\n    locks held: none\n");
  // Other sides without a site still say so.
  r.findings[0].accesses[0].op = "release";
  r.findings[0].accesses[0].stack.clear();
  EXPECT_EQ(Sides(r), "  T2 release b_lock at:\n    #0 (no site recorded)\n    locks held: none\n");
}

TEST(TextReport, FoldedLinesAreDimInColor) {
  reports::TextOptions o;
  o.color = true;
  EXPECT_NE(Sides(OneSide(LockGuardInThread()), o)
                .find("\x1b[2m... 3 frames in the C++ standard library\x1b[0m"),
            std::string::npos);
}

TEST(TextReport, FullStacksShowEveryFrameWithNormalizedPaths) {
  reports::TextOptions o;
  o.fold_library_frames = false;
  o.max_frames = SIZE_MAX;
  std::string text = Sides(OneSide(LockGuardInThread()), o);
  EXPECT_NE(text.find("    #1 std::mutex::lock() at /usr/include/c++/12/bits/std_mutex.h:100\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    #7 0x7f7910ed44a3 (/lib/x86_64-linux-gnu/libstdc++.so.6)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    #9 clone3 at ./sysdeps/unix/sysv/linux/x86_64/clone3.S:81\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("..."), std::string::npos) << text;
  EXPECT_EQ(text.find("/../"), std::string::npos) << text;
}

// A C-library function named from its symbol table alone (no file), which no list of
// library functions knows, is folded by its module; the same name in the program's own
// module stays.
TEST(TextReport, FileLessFramesAreFoldedByTheirModule) {
  Frame lib = At("msort_with_tmp.part.0", "", 0);
  lib.module = "/lib/x86_64-linux-gnu/libc.so.6";
  const Stack stack = {At("cmp(void const*, void const*)", "q.cc", 5), lib};
  EXPECT_EQ(Sides(OneSide(stack)),
            "  ThreadB release b_lock at:\n"
            "    #0 cmp(void const*, void const*) at q.cc:5\n"
            "    ... 1 frame in the C library\n"
            "    locks held: none\n");
  Frame own = lib;
  own.module = "/home/me/q";
  EXPECT_EQ(Sides(OneSide({stack[0], own})),
            "  ThreadB release b_lock at:\n"
            "    #0 cmp(void const*, void const*) at q.cc:5\n"
            "    #1 msort_with_tmp.part.0\n"
            "    locks held: none\n");
}

// Without a frame of the program's there is nothing to fold around: a pthread call site in
// an inlined std::mutex::lock, as preloading alone records it, stays readable.
TEST(TextReport, StackOfLibraryFramesOnlyIsShownWhole) {
  Stack stack = {At("__gthread_mutex_lock(pthread_mutex_t*)",
                    kGcc + "x86_64-linux-gnu/c++/12/bits/gthr-default.h", 749)};
  EXPECT_EQ(Sides(OneSide(stack)),
            "  ThreadB release b_lock at:\n"
            "    #0 __gthread_mutex_lock(pthread_mutex_t*) at "
            "/usr/include/x86_64-linux-gnu/c++/12/bits/gthr-default.h:749\n"
            "    locks held: none\n");
}

// Function names alone (STD traces) and sources under /usr/src (a common home for a
// program in a container) are the program's.
TEST(TextReport, ProgramFramesWithoutFilesOrUnderUsrSrcStay) {
  Frame bare;
  bare.function = "transfer";
  Frame std_only;
  std_only.function = "std::mutex::lock()";
  Stack stack = {std_only, bare, At("main", "/usr/src/app/main.cc", 7)};
  EXPECT_EQ(Sides(OneSide(stack)),
            "  ThreadB release b_lock at:\n"
            "    ... 1 frame in the C++ standard library\n"
            "    #1 transfer\n"
            "    #2 main at /usr/src/app/main.cc:7\n"
            "    locks held: none\n");
}

TEST(TextReport, FrameLimitCountsShownLines) {
  reports::TextOptions o;
  o.max_frames = 2;
  EXPECT_EQ(Sides(OneSide(LockGuardInThread()), o),
            "  ThreadB release b_lock at:\n"
            "    ... 3 frames in the C++ standard library\n"
            "    #3 ThreadB() at scenarios/ab_ba_deadlock.cc:40\n"
            "    ... 6 more frames\n"
            "    locks held: none\n");
}

}  // namespace
}  // namespace threadlens
