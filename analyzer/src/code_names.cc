// CodeNames on elfutils libdwfl (one Dwfl per module, at its file addresses). The inlining
// chain follows the DIEs that contain the address: the innermost frame's place is the line
// table's row, each outer frame's place is the call site (DW_AT_call_file/line) of the
// inlined subroutine inside it, up to the out-of-line function.
#include "code_names.h"
#include "dwarf_types.h"
#include "dwarf_unit_index.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace threadlens {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// Separate debug files: by build id under the debug directory, else where the standard
// search looks for the file a debug link names. The standard search also loads the
// debuginfod client on first use (5 to 10 ms on every analysis, and it may go to the
// network), so it only runs when there is a debug link file to find or DEBUGINFOD_URLS asks.
int FindDebuginfo(Dwfl_Module* mod, void** userdata, const char* modname, Dwarf_Addr base,
                  const char* file_name, const char* debuglink_file, GElf_Word debuglink_crc,
                  char** debuginfo_file_name) {
  const int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name,
                                              debuglink_file, debuglink_crc, debuginfo_file_name);
  if (fd >= 0) return fd;
  bool wanted = false;
  if (const char* urls = std::getenv("DEBUGINFOD_URLS"); urls && *urls) wanted = true;
  if (!wanted && debuglink_file && *debuglink_file && file_name) {
    std::string dir = file_name;
    dir.erase(dir.find_last_of('/') + 1);
    wanted = Exists(dir + debuglink_file) || Exists(dir + ".debug/" + debuglink_file) ||
             Exists("/usr/lib/debug" + dir + debuglink_file);
  }
  if (!wanted) return -1;
  return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
                                      debuglink_crc, debuginfo_file_name);
}

const Dwfl_Callbacks kCallbacks = {
    .find_elf = nullptr,
    .find_debuginfo = FindDebuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

const char* StringAttr(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute a;
  // Through DW_AT_abstract_origin and DW_AT_specification: an inlined or out-of-line
  // instance names its function there.
  return dwarf_attr_integrate(die, name, &a) ? dwarf_formstring(&a) : nullptr;
}

// Whether a function returns `void *` or a pointer to a type.
Frame::Result ResultOf(Dwarf_Die* fn) {
  Dwarf_Die type, pointee;
  if (!dwarf_types::TypeOf(fn, &type) || !dwarf_types::Peel(&type) ||
      dwarf_tag(&type) != DW_TAG_pointer_type) {
    return Frame::Result::kOther;
  }
  return dwarf_types::Pointee(type, pointee) ? Frame::Result::kTypedPointer
                                             : Frame::Result::kVoidPointer;
}

std::string FunctionName(Dwarf_Die* die) {
  const char* linkage = StringAttr(die, DW_AT_linkage_name);
  if (!linkage) linkage = StringAttr(die, DW_AT_MIPS_linkage_name);
  if (linkage) return Demangle(linkage);
  const char* name = StringAttr(die, DW_AT_name);
  return name ? name : "";
}

class LibdwflCode : public CodeNames {
 public:
  LibdwflCode(Dwfl* dwfl, Dwfl_Module* mod, bool lines)
      : dwfl_(dwfl), mod_(mod), indexed_(!lines) {}
  ~LibdwflCode() override {
    dwarf_scopes::ForgetUnitIndexes();  // they may point into this module's DWARF
    dwfl_end(dwfl_);
  }

  std::vector<CodeFrame> Code(uint64_t vaddr) override {
    std::vector<CodeFrame> frames;
    Dwarf_Die cu;
    Dwarf_Addr bias = 0;
    if (FindUnit(vaddr, cu, bias)) FromDwarf(&cu, vaddr - bias, frames);
    GElf_Sym sym;
    GElf_Off off = 0;
    const char* name = dwfl_module_addrinfo(mod_, vaddr, &off, &sym, nullptr, nullptr, nullptr);
    if (frames.empty()) {
      if (name) frames.push_back({Demangle(name), "", 0});
    } else if (name && *name) {
      // The function the code lies in is named as the symbol table names it, as
      // llvm-symbolizer does: the exported name, not an internal alias the DWARF may carry.
      frames.back().function = Demangle(name);
    }
    // A dynamic symbol's version is no part of its name ("__libc_start_main@@GLIBC_2.34").
    for (CodeFrame& f : frames) {
      const size_t at = f.function.find('@');
      if (at != std::string::npos && at > 0) f.function.resize(at);
    }
    return frames;
  }

  std::optional<DataSymbol> Data(uint64_t vaddr) override {
    GElf_Sym sym;
    GElf_Off off = 0;
    const char* name = dwfl_module_addrinfo(mod_, vaddr, &off, &sym, nullptr, nullptr, nullptr);
    if (!name || !*name || off > vaddr) return std::nullopt;
    return DataSymbol{Demangle(name), vaddr - off, sym.st_size};
  }

 private:
  // The compile unit whose ranges hold `vaddr`. Not through .debug_aranges: clang does not
  // write it, so the units' own ranges are indexed on the first query.
  bool FindUnit(uint64_t vaddr, Dwarf_Die& out, Dwarf_Addr& bias) {
    if (!indexed_) Index();
    bias = bias_;
    if (!dwarf_) return false;
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), vaddr - bias,
                               [](uint64_t a, const Range& r) { return a < r.lo; });
    while (it != ranges_.begin()) {
      --it;
      if (vaddr - bias < it->hi) return dwarf_offdie(dwarf_, it->cu, &out) != nullptr;
      if (it->lo + max_span_ < vaddr - bias) break;  // no earlier range can reach
    }
    return false;
  }

  void Index() {
    indexed_ = true;
    dwarf_ = dwfl_module_getdwarf(mod_, &bias_);
    if (!dwarf_) return;
    Dwarf_Off off = 0, next = 0;
    size_t header = 0;
    while (dwarf_nextcu(dwarf_, off, &next, &header, nullptr, nullptr, nullptr) == 0) {
      Dwarf_Die cu;
      if (dwarf_offdie(dwarf_, off + header, &cu)) {
        Dwarf_Addr base = 0, lo = 0, hi = 0;
        ptrdiff_t k = 0;
        while ((k = dwarf_ranges(&cu, k, &base, &lo, &hi)) > 0) {
          if (hi > lo) ranges_.push_back({lo, hi, dwarf_dieoffset(&cu)});
        }
      }
      off = next;
    }
    std::sort(ranges_.begin(), ranges_.end(),
              [](const Range& a, const Range& b) { return a.lo < b.lo; });
    for (const Range& r : ranges_) max_span_ = std::max<uint64_t>(max_span_, r.hi - r.lo);
  }

  static void FromDwarf(Dwarf_Die* cu, Dwarf_Addr pc, std::vector<CodeFrame>& frames) {
    std::vector<Dwarf_Die> chain;
    Descend(cu, pc, chain);
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    const bool have_files = dwarf_getsrcfiles(cu, &files, &nfiles) == 0;
    CodeFrame place;  // where the frame being built is
    if (Dwarf_Line* line = dwarf_getsrc_die(cu, pc)) {
      const char* file = dwarf_linesrc(line, nullptr, nullptr);
      int lineno = 0;
      dwarf_lineno(line, &lineno);
      if (file) place.file = file;
      place.line = lineno;
    }
    for (auto s = chain.rbegin(); s != chain.rend(); ++s) {
      const int tag = dwarf_tag(&*s);
      if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram &&
          tag != DW_TAG_entry_point) {
        continue;
      }
      CodeFrame f = place;
      f.function = FunctionName(&*s);
      f.result = ResultOf(&*s);
      frames.push_back(std::move(f));
      if (tag != DW_TAG_inlined_subroutine) break;
      // The next frame out is at this inlined call.
      place = CodeFrame{};
      Dwarf_Attribute a;
      Dwarf_Word file = 0, line = 0;
      if (have_files && dwarf_attr(&*s, DW_AT_call_file, &a) && dwarf_formudata(&a, &file) == 0 &&
          file < nfiles) {
        if (const char* name = dwarf_filesrc(files, file, nullptr, nullptr)) place.file = name;
      }
      if (dwarf_attr(&*s, DW_AT_call_line, &a) && dwarf_formudata(&a, &line) == 0) {
        place.line = static_cast<int>(line);
      }
    }
  }

  // The DIEs containing `pc` below `parent`, outermost first. (dwarf_getscopes misses
  // units whose functions give their addresses as DW_AT_addrx.)
  static bool Descend(Dwarf_Die* parent, Dwarf_Addr pc, std::vector<Dwarf_Die>& chain) {
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0) return false;
    do {
      switch (dwarf_tag(&child)) {
        case DW_TAG_subprogram:
        case DW_TAG_inlined_subroutine:
        case DW_TAG_lexical_block:
        case DW_TAG_entry_point:
          if (dwarf_haspc(&child, pc) == 1) {
            chain.push_back(child);
            Descend(&child, pc, chain);
            return true;
          }
          break;
        case DW_TAG_namespace:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
          if (Descend(&child, pc, chain)) return true;
          break;
        default:
          break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
  }

  struct Range {
    uint64_t lo, hi;
    Dwarf_Off cu;
  };
  Dwfl* dwfl_;
  Dwfl_Module* mod_;
  bool indexed_;  // the DWARF's units indexed, or not to be read
  Dwarf* dwarf_ = nullptr;
  Dwarf_Addr bias_ = 0;
  std::vector<Range> ranges_;  // by start
  uint64_t max_span_ = 0;  // the longest range: how far back a lookup looks
};

}  // namespace

std::string Demangle(const char* name) {
  if (!name) return "";
  if (name[0] != '_' || name[1] != 'Z') return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || !out) return name;
  std::string s(out);
  std::free(out);
  return s;
}

std::unique_ptr<CodeNames> CodeNames::Open(const std::string& path, bool lines) {
  Dwfl* dwfl = dwfl_begin(&kCallbacks);
  if (!dwfl) return nullptr;
  // At its file addresses: base 0 plus the first segment's address.
  Dwfl_Module* mod = dwfl_report_elf(dwfl, path.c_str(), path.c_str(), -1, 0, true);
  if (!mod || dwfl_report_end(dwfl, nullptr, nullptr) != 0) {
    dwfl_end(dwfl);
    return nullptr;
  }
  return std::make_unique<LibdwflCode>(dwfl, mod, lines);
}

}  // namespace threadlens
