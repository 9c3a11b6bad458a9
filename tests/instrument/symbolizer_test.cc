// The Symbolizer on this very test binary (a PIE): code addresses resolve to function, file
// and line (and to the whole chain of inlined functions), data addresses to the global's
// name and element, and addresses outside every module to nothing, without crashing. The
// built-in reader (libdwfl) gives what llvm-symbolizer gives.
#include "threadlens/analyzer/symbolizer.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "code_names.h"
#include "loaded_modules.h"

long symbolizer_test_table[8] = {1, 2, 3, 4, 5, 6, 7, 8};

namespace symbolizer_test {
extern int lock_call_line;
void LockAsUserCode(std::mutex& m, int& counter);  // in symbolizer_inlined_lock.cc, -O2
}  // namespace symbolizer_test

namespace {
std::atomic<pthread_mutex_t*> watched_mutex{nullptr};
std::atomic<uintptr_t> watched_lock_site{0};
}  // namespace

// Records where the watched mutex is locked from, as the preloaded runtime does: the
// return address of the pthread_mutex_lock call. Defined in the executable, it is what the
// -O2 code calls. No function-local static: its guard may take a lock itself.
extern "C" int pthread_mutex_lock(pthread_mutex_t* m) {
  using LockFn = int (*)(pthread_mutex_t*);
  static std::atomic<LockFn> real{nullptr};
  if (m == watched_mutex.load()) {
    watched_lock_site = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  }
  LockFn fn = real.load();
  if (!fn) {
    fn = reinterpret_cast<LockFn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
    real = fn;
  }
  return fn(m);
}

namespace {

__attribute__((noinline)) uintptr_t ReturnAddressInsideMe() {
  // The line of the call below is what a trace site (a return address) resolves to.
  return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

__attribute__((noinline)) uintptr_t CallSiteInCaller(int* line) {
  *line = __LINE__ + 1;
  uintptr_t pc = ReturnAddressInsideMe();
  return pc;
}

std::vector<threadlens::ModuleInfo> Modules() { return LoadedModules(); }

// The path of llvm-symbolizer, or "" when it is not installed.
std::string LlvmSymbolizer() {
  FILE* p = popen("command -v llvm-symbolizer 2>/dev/null", "r");
  if (!p) return "";
  char buf[512] = {};
  std::string path = fgets(buf, sizeof buf, p) ? buf : "";
  pclose(p);
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
  return path;
}

TEST(Symbolizer, ResolvesReturnAddressToCallersLine) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  int line = 0;
  uintptr_t pc = CallSiteInCaller(&line);
  threadlens::Frame f = sym->ResolveCode(pc);
  EXPECT_NE(f.function.find("CallSiteInCaller"), std::string::npos) << f.Describe();
  EXPECT_NE(f.file.find("symbolizer_test.cc"), std::string::npos) << f.Describe();
  EXPECT_EQ(f.line, line) << f.Describe();
  EXPECT_EQ(f.pc, pc);
  EXPECT_FALSE(f.module.empty());
  // Cached: the same answer again.
  EXPECT_EQ(sym->ResolveCode(pc).line, line);
}

std::string Describe(const threadlens::Stack& frames) {
  std::string out;
  for (const auto& f : frames) out += "  " + f.Describe() + "\n";
  return out;
}

// The preload-only case: an optimized std::mutex::lock records just the pthread call's
// return address. Its inlining chain must reach the user's function and line.
TEST(Symbolizer, InlinedLockCallResolvesToTheUsersFunction) {
  std::mutex m;
  int counter = 0;
  watched_mutex = m.native_handle();
  symbolizer_test::LockAsUserCode(m, counter);
  watched_mutex = nullptr;
  uintptr_t site = watched_lock_site;
  ASSERT_NE(site, 0u) << "the -O2 code did not call pthread_mutex_lock";

  auto sym = threadlens::MakeSymbolizer(Modules());
  threadlens::Stack frames = sym->ResolveCodeInlined(site);
  ASSERT_GE(frames.size(), 3u) << Describe(frames);
  EXPECT_NE(frames[0].function.find("__gthread_mutex_lock"), std::string::npos) << Describe(frames);
  EXPECT_NE(frames[1].function.find("std::mutex::lock"), std::string::npos) << Describe(frames);
  const threadlens::Frame& user = frames.back();
  EXPECT_NE(user.function.find("LockAsUserCode"), std::string::npos) << Describe(frames);
  EXPECT_NE(user.file.find("symbolizer_inlined_lock.cc"), std::string::npos) << Describe(frames);
  EXPECT_EQ(user.line, symbolizer_test::lock_call_line) << Describe(frames);
  for (const auto& f : frames) {
    EXPECT_EQ(f.pc, site);
    EXPECT_FALSE(f.module.empty());
    // "/usr/bin/../lib/gcc/..." comes back as the same file's normal path.
    EXPECT_EQ(f.file.find("/../"), std::string::npos) << Describe(frames);
  }
  // ResolveCode is the innermost frame of the same answer.
  EXPECT_EQ(sym->ResolveCode(site).function, frames[0].function);
  EXPECT_EQ(sym->ResolveCodeInlined(site).size(), frames.size());
}

TEST(Symbolizer, CallWithoutInliningIsOneFrame) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  int line = 0;
  uintptr_t pc = CallSiteInCaller(&line);
  threadlens::Stack frames = sym->ResolveCodeInlined(pc);
  ASSERT_EQ(frames.size(), 1u) << Describe(frames);
  EXPECT_EQ(frames[0].line, line);
}

TEST(Symbolizer, NamesGlobalsWithOffsets) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  auto base = reinterpret_cast<uintptr_t>(&symbolizer_test_table[0]);
  // With DWARF an array's bytes are named by element (symbol+offset without it).
  EXPECT_EQ(sym->ResolveData(base), "symbolizer_test_table[0]");
  EXPECT_EQ(sym->ResolveData(base + 3 * sizeof(long)), "symbolizer_test_table[3]");
  EXPECT_EQ(sym->ResolveData(base + 3 * sizeof(long) + 2), "symbolizer_test_table[3]+2");
}

// A library without DWARF (the C++ library as Debian ships it) is named from its symbol
// table, demangled: no file, no line, but the function.
TEST(Symbolizer, ModuleWithoutDwarfNamesFunctionsFromItsSymbols) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  void* fn = dlsym(RTLD_DEFAULT, "_ZNSt6thread4joinEv");
  ASSERT_NE(fn, nullptr);
  // A site is a return address: the frame is looked up one byte before it.
  threadlens::Frame f = sym->ResolveCode(reinterpret_cast<uintptr_t>(fn) + 9);
  EXPECT_EQ(f.function, "std::thread::join()") << f.Describe();
  EXPECT_NE(f.module.find("libstdc++"), std::string::npos) << f.Describe();
}

// The C library is named from its symbol table even where its DWARF is installed (libc6-dbg):
// the function, with neither file nor line.
TEST(Symbolizer, CLibraryIsNamedFromItsSymbolsAlone) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  void* fn = dlsym(RTLD_DEFAULT, "getenv");
  ASSERT_NE(fn, nullptr);
  threadlens::Frame f = sym->ResolveCode(reinterpret_cast<uintptr_t>(fn) + 9);
  EXPECT_EQ(f.function, "getenv") << f.Describe();
  EXPECT_EQ(f.file, "") << f.Describe();
  EXPECT_EQ(f.line, 0) << f.Describe();
  EXPECT_NE(f.module.find("libc.so"), std::string::npos) << f.Describe();
  EXPECT_EQ(sym->ResolveCodeInlined(reinterpret_cast<uintptr_t>(fn) + 9).size(), 1u);
}

// Its twin: read with lines, the same address has a file and line wherever the C library's
// debug information is installed.
TEST(Symbolizer, CLibraryDwarfWouldGiveLines) {
  void* fn = dlsym(RTLD_DEFAULT, "getenv");
  ASSERT_NE(fn, nullptr);
  for (const threadlens::ModuleInfo& m : Modules()) {
    if (m.path.find("libc.so") == std::string::npos) continue;
    auto code = threadlens::CodeNames::Open(m.path, true);
    ASSERT_NE(code, nullptr);
    auto frames = code->Code(reinterpret_cast<uintptr_t>(fn) + 8 - m.base);
    ASSERT_FALSE(frames.empty());
    if (frames.front().file.empty()) GTEST_SKIP() << "the C library's DWARF is not installed";
    EXPECT_GT(frames.front().line, 0);
    return;
  }
  FAIL() << "no C library loaded";
}

TEST(Symbolizer, UnknownAddressesStayUnnamed) {
  auto sym = threadlens::MakeSymbolizer(Modules());
  int local = 0;
  EXPECT_EQ(sym->ResolveData(reinterpret_cast<uintptr_t>(&local)), "");
  threadlens::Frame f = sym->ResolveCode(0x10);
  EXPECT_EQ(f.pc, 0x10u);
  EXPECT_TRUE(f.function.empty());
}

TEST(Symbolizer, MissingToolFallsBackToModuleAndPc) {
  setenv("THREADLENS_SYMBOLIZER", "/nonexistent/llvm-symbolizer", 1);
  auto sym = threadlens::MakeSymbolizer(Modules());
  unsetenv("THREADLENS_SYMBOLIZER");
  int line = 0;
  uintptr_t pc = CallSiteInCaller(&line);
  threadlens::Frame f = sym->ResolveCode(pc);
  EXPECT_TRUE(f.function.empty());
  EXPECT_FALSE(f.module.empty());
  threadlens::Stack frames = sym->ResolveCodeInlined(pc);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].pc, pc);
  // Data names come from the DWARF, which needs no tool.
  EXPECT_EQ(sym->ResolveData(reinterpret_cast<uintptr_t>(&symbolizer_test_table[1])),
            "symbolizer_test_table[1]");
}

// Both readers name every frame of the same chains alike: the inlined lock call's and a
// plain call's (function, file and line of each frame).
TEST(Symbolizer, BuiltInAgreesWithLlvmSymbolizer) {
  const std::string llvm = LlvmSymbolizer();
  if (llvm.empty()) GTEST_SKIP() << "llvm-symbolizer not installed";
  std::mutex m;
  int counter = 0;
  watched_mutex = m.native_handle();
  symbolizer_test::LockAsUserCode(m, counter);
  watched_mutex = nullptr;
  int line = 0;
  const uintptr_t pcs[] = {watched_lock_site, CallSiteInCaller(&line)};
  auto built_in = threadlens::MakeSymbolizer(Modules());
  setenv("THREADLENS_SYMBOLIZER", llvm.c_str(), 1);
  auto external = threadlens::MakeSymbolizer(Modules());
  unsetenv("THREADLENS_SYMBOLIZER");
  for (uintptr_t pc : pcs) {
    threadlens::Stack a = built_in->ResolveCodeInlined(pc), b = external->ResolveCodeInlined(pc);
    ASSERT_EQ(a.size(), b.size()) << Describe(a) << "vs\n" << Describe(b);
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].function, b[i].function);
      EXPECT_EQ(a[i].file, b[i].file);
      EXPECT_EQ(a[i].line, b[i].line);
    }
    EXPECT_FALSE(a[0].function.empty());
  }
  auto table = reinterpret_cast<uintptr_t>(&symbolizer_test_table[2]);
  EXPECT_EQ(built_in->ResolveData(table), external->ResolveData(table));
}

}  // namespace
