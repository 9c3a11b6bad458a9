// Code and data symbols of one ELF module, read in-process with elfutils libdwfl: the
// inlining chain at a code address from the DWARF (innermost first, each frame's function
// with its file and line), else the symbol table's function; and the symbol holding a data
// address. Addresses are link-time (file) addresses.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "threadlens/analyzer/findings.h"

namespace threadlens {

struct CodeFrame {
  std::string function;  // demangled linkage name, else the DWARF or symbol name; "" unknown
  std::string file;      // "" when the line table does not say
  int line = 0;
  Frame::Result result = Frame::Result::kOther;  // what the function returns
};

struct DataSymbol {
  std::string name;  // demangled
  uint64_t start = 0, size = 0;
};

class CodeNames {
 public:
  // The module at `path`, or nullptr when it cannot be read as ELF. `lines` false: functions
  // from the symbol table alone, without reading the module's DWARF.
  static std::unique_ptr<CodeNames> Open(const std::string& path, bool lines = true);
  virtual ~CodeNames() = default;
  // The frames at `vaddr`, innermost first; empty when nothing names it.
  virtual std::vector<CodeFrame> Code(uint64_t vaddr) = 0;
  // The symbol whose extent holds `vaddr` (a zero-sized symbol holds its own address only).
  virtual std::optional<DataSymbol> Data(uint64_t vaddr) = 0;
};

// "_ZN2ns3fooEv" -> "ns::foo()"; anything that is not a mangled name is returned as is.
std::string Demangle(const char* name);

}  // namespace threadlens
