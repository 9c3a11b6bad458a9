// Capstone, loaded on first use: names of heap fields are the only thing that decodes code,
// and linking the library would cost every run its relocations (3 MiB of memory).
#pragma once

#include <capstone/capstone.h>

#include <string>

namespace threadlens::code_flow::x86 {

struct CapstoneApi {
  decltype(&cs_open) open = nullptr;
  decltype(&cs_option) option = nullptr;
  decltype(&cs_close) close = nullptr;
  decltype(&cs_disasm) disasm = nullptr;
  decltype(&cs_disasm_iter) disasm_iter = nullptr;
  decltype(&cs_malloc) malloc = nullptr;
  decltype(&cs_free) free = nullptr;
  decltype(&cs_regs_access) regs_access = nullptr;
  decltype(&cs_insn_group) insn_group = nullptr;
};

// The library this build's headers describe (the same major version: `libcapstone.so.4`,
// or the file THREADLENS_CAPSTONE names), or nullptr when it cannot be loaded: code is then
// not decoded, and names fall back to offsets.
const CapstoneApi* Capstone();
// Why a name needed the library and it could not be loaded, or "" (not needed, or loaded).
std::string CapstoneProblem();

}  // namespace threadlens::code_flow::x86
