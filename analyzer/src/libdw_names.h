// The DWARF names of one module, read with elfutils libdw (dwarf_names.h): globals and locals
// in dwarf_names.cc, the fields of heap objects in dwarf_fields.cc.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "code_flow.h"
#include "dwarf_names.h"
#include "dwarf_scopes.h"
#include "dwarf_types.h"
#include "dwarf_unit_index.h"

namespace threadlens {

class LibdwNames : public DwarfNames {
 public:
  LibdwNames(int fd, Dwarf* dwarf) : fd_(fd), dwarf_(dwarf) {}
  ~LibdwNames() override {
    if (eh_cfi_) dwarf_cfi_end(eh_cfi_);
    dwarf_scopes::ForgetUnitIndexes();
    dwarf_end(dwarf_);
    close(fd_);
  }

  bool Global(uint64_t vaddr, DwarfGlobal& out) override {
    if (!indexed_) Index();
    return Find(globals_, vaddr, out);
  }

  bool ThreadLocal(uint64_t offset, DwarfGlobal& out) override {
    if (!indexed_) Index();
    return Find(thread_locals_, offset, out);
  }

  std::string AllocatedField(uint64_t pc, uint64_t block_size, uint64_t offset,
                             bool* bytes = nullptr) override;
  // AllocatedField, uncached.
  std::string FieldOfBlock(uint64_t pc, uint64_t block_size, uint64_t offset, bool* bytes);
  // The type the block allocated at `pc` holds, and whether it is one object of it (else it
  // may be an array); false when nothing says.
  bool AllocatedTypeAt(uint64_t pc, Dwarf_Die& type, bool& single);
  // dwarf_types::TypeName, once per type (naming one costs a walk of its scopes).
  const std::string& NameOfType(Dwarf_Die type) {
    auto [it, fresh] = type_names_.try_emplace(dwarf_dieoffset(&type));
    if (fresh) it->second = dwarf_types::TypeName(type);
    return it->second;
  }
  std::string AccessedField(uint64_t ret, int64_t delta) override;

  bool Local(uint64_t pc, uint64_t offset, std::optional<uint64_t> fp_offset,
             DwarfLocal& out) override;
  std::optional<int64_t> CfaAboveSp(uint64_t pc) override;

 private:
  struct Variable {
    uint64_t size = 0;
    Dwarf_Die type{};
    std::string name;
    // Of a variable split into pieces at several addresses (DW_OP_piece): this entry is the
    // piece of `size` bytes at offset `piece` in it.
    uint64_t piece = 0;
    bool split = false;
  };

  // T, for a store of the pointer into a global or a member of type T* (dwarf_fields.cc).
  bool StoredType(Dwarf_Die cu_die, const std::optional<dwarf_scopes::PointerStore>& store,
                  const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                  Dwarf_Die& type);
  // The global holding `addr`: its type, and `addr`'s offset in it.
  bool GlobalAt(uint64_t addr, Dwarf_Die& type, uint64_t& offset);
  // The CFA's distance above %rbp where the CFI defines it from %rbp (gcc's -O0 frames).
  std::optional<int64_t> CfaAboveRbp(uint64_t pc);
  // How the CFI defines the call frame address at `pc`: a DWARF register and an offset.
  std::optional<std::pair<unsigned, int64_t>> CfaRule(uint64_t pc);
  // The local variable of the frame running at `pc` holding `disp` past %rbp (reg 5) or
  // %rsp (reg 4): its type and the offset in it (dwarf_fields.cc).
  bool FrameVariable(Dwarf_Die cu_die, uint64_t pc, int reg, int64_t disp, Dwarf_Die& type,
                     uint64_t& offset);
  // The function whose code spans [start, end), decoded once (dwarf_fields.cc).
  const code_flow::Function* FunctionAt(uint64_t start, uint64_t end);
  // The registers holding the pointer an allocation returned to `ret`, instruction by
  // instruction, until it is stored (code_flow::PointerStore).
  std::vector<code_flow::Held> HeldPointer(uint64_t ret);
  void Index();
  void IndexChildren(Dwarf_Die& parent, const std::string& prefix, int depth);
  void AddVariable(Dwarf_Die& var, const std::string& prefix);



  static bool Find(std::map<uint64_t, Variable>& in, uint64_t at, DwarfGlobal& out) {
    auto it = in.upper_bound(at);
    if (it == in.begin()) return false;
    --it;
    const Variable& v = it->second;
    if (at - it->first >= std::max<uint64_t>(v.size, 1)) return false;
    out.start = it->first - v.piece;
    out.size = v.size;
    out.name = v.name;
    out.split = v.split;
    out.path.clear();
    dwarf_types::FieldPath(v.type, v.piece + (at - it->first), out.path, 0);
    return true;
  }

  // The compile unit whose code covers `pc`. Without .debug_aranges (clang emits none)
  // dwarf_addrdie finds nothing in older libdw, so the units' own ranges are searched.
  bool UnitOf(uint64_t pc, Dwarf_Die& out) {
    if (dwarf_addrdie(dwarf_, pc, &out)) return true;
    if (!units_indexed_) {
      units_indexed_ = true;
      Dwarf_CU* cu = nullptr;
      Dwarf_Die cu_die;
      while (dwarf_get_units(dwarf_, cu, &cu, nullptr, nullptr, &cu_die, nullptr) == 0) {
        Dwarf_Addr base = 0, start = 0, end = 0;
        ptrdiff_t next = 0;
        while ((next = dwarf_ranges(&cu_die, next, &base, &start, &end)) > 0) {
          if (end > start) units_.emplace(start, UnitRange{end, cu_die});
        }
      }
    }
    auto it = units_.upper_bound(pc);
    if (it == units_.begin()) return false;
    --it;
    if (pc >= it->second.end) return false;
    out = it->second.die;
    return true;
  }


  // Namespaces, classes (static members), functions (function-local statics) and blocks.


  struct UnitRange {
    uint64_t end = 0;
    Dwarf_Die die{};
  };

  // The module's call frame information (.debug_frame, else .eh_frame), read once.
  Dwarf_CFI* Cfi() {
    if (!cfi_read_) {
      cfi_read_ = true;
      cfi_ = dwarf_getcfi(dwarf_);
      if (!cfi_) {
        if (Elf* elf = dwarf_getelf(dwarf_)) cfi_ = eh_cfi_ = dwarf_getcfi_elf(elf);
      }
    }
    return cfi_;
  }

  // Up to `n` bytes of the module's code at link-time address `addr`, from the section
  // holding it (fewer at its end); how many.
  size_t CodeAt(uint64_t addr, unsigned char* out, size_t n) {
    Elf* elf = dwarf_getelf(dwarf_);
    Elf_Scn* scn = nullptr;
    while (elf && (scn = elf_nextscn(elf, scn)) != nullptr) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_PROGBITS ||
          !(shdr.sh_flags & SHF_EXECINSTR) || addr < shdr.sh_addr ||
          addr - shdr.sh_addr >= shdr.sh_size) {
        continue;
      }
      Elf_Data* data = elf_getdata(scn, nullptr);
      const uint64_t at = addr - shdr.sh_addr;
      if (!data || !data->d_buf || at >= data->d_size) return 0;
      n = std::min<size_t>(n, data->d_size - at);
      std::memcpy(out, static_cast<const unsigned char*>(data->d_buf) + at, n);
      return n;
    }
    return 0;
  }

  int fd_;
  Dwarf* dwarf_;
  Dwarf_CFI* cfi_ = nullptr;
  Dwarf_CFI* eh_cfi_ = nullptr;  // ours to end
  bool cfi_read_ = false;
  bool indexed_ = false;
  bool units_indexed_ = false;
  std::map<uint64_t, UnitRange> units_;  // by start of each address range of a unit
  std::map<uint64_t, Variable> globals_;
  std::map<uint64_t, Variable> thread_locals_;  // by offset in the module's thread-local block
  // Functions decoded for names, by start; forgotten all at once past kMaxInstructions
  // (about 2 KiB each with their details).
  static constexpr size_t kMaxInstructions = 16384;
  size_t instructions_ = 0;
  std::map<uint64_t, std::unique_ptr<code_flow::Function>> functions_;
  // AllocatedField's answers, by allocation site, block size and offset: a program that makes
  // thousands of locks or racing objects at one `new` has them named once.
  struct Named {
    std::string name;
    bool bytes = false;
  };
  std::map<std::tuple<uint64_t, uint64_t, uint64_t>, Named> fields_;
  struct SiteType {
    bool found = false;
    bool single = false;
    Dwarf_Die type{};
  };
  std::map<uint64_t, SiteType> site_types_;  // AllocatedTypeAt's, by allocation site
  std::map<Dwarf_Off, std::string> type_names_;  // NameOfType's, by the type's DIE
};

}  // namespace threadlens
