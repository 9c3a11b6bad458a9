// The llvm-symbolizer backed Symbolizer on this very test binary (a PIE): code addresses
// resolve to function, file and line, data addresses to the global's name plus offset, and
// addresses outside every module to nothing, without crashing.
#include "threadlens/analyzer/symbolizer.h"

#include <gtest/gtest.h>
#include <link.h>

#include <cstdint>
#include <cstring>
#include <string>

long symbolizer_test_table[8] = {1, 2, 3, 4, 5, 6, 7, 8};

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

std::vector<threadlens::ModuleInfo> Modules() {
  std::vector<threadlens::ModuleInfo> modules;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* out = static_cast<std::vector<threadlens::ModuleInfo>*>(data);
        uint64_t hi = 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && ph.p_vaddr + ph.p_memsz > hi) hi = ph.p_vaddr + ph.p_memsz;
        }
        std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.empty()) {
          if (!out->empty()) return 0;
          char exe[4096];
          ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
          if (n <= 0) return 0;
          name.assign(exe, static_cast<size_t>(n));
        }
        out->push_back({info->dlpi_addr, hi, name});
        return 0;
      },
      &modules);
  return modules;
}

bool HaveLlvmSymbolizer() {
  return system("command -v llvm-symbolizer >/dev/null 2>&1") == 0 ||
         getenv("THREADLENS_SYMBOLIZER") != nullptr;
}

TEST(Symbolizer, ResolvesReturnAddressToCallersLine) {
  if (!HaveLlvmSymbolizer()) GTEST_SKIP() << "llvm-symbolizer not installed";
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

TEST(Symbolizer, NamesGlobalsWithOffsets) {
  if (!HaveLlvmSymbolizer()) GTEST_SKIP() << "llvm-symbolizer not installed";
  auto sym = threadlens::MakeSymbolizer(Modules());
  auto base = reinterpret_cast<uintptr_t>(&symbolizer_test_table[0]);
  EXPECT_EQ(sym->ResolveData(base), "symbolizer_test_table");
  EXPECT_EQ(sym->ResolveData(base + 3 * sizeof(long)), "symbolizer_test_table+24");
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
  EXPECT_EQ(sym->ResolveData(reinterpret_cast<uintptr_t>(&symbolizer_test_table[0])), "");
}

}  // namespace
