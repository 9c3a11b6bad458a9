// DwarfNames on elfutils libdw. Globals are indexed once per module by address; a field path
// is found by walking the variable's type down to the byte asked for (dwarf_types.cc). Whenever the
// DWARF does not say which member holds a byte (a union, two bitfields sharing it, padding), the
// path stops there and the rest is "+N": a name must never point at the wrong member.
#include "dwarf_names.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "dwarf_scopes.h"
#include "flow_types.h"
#include "dwarf_types.h"

namespace threadlens {
namespace {

using namespace dwarf_types;   // NOLINT: the type walkers
using namespace dwarf_scopes;  // NOLINT: scopes and allocation sites

// The address of a variable stored at a fixed place: a location of exactly one DW_OP_addr
// (or DW_OP_addrx); or, for a thread-local (`tls` set), its offset in the module's
// thread-local block: a constant then DW_OP_GNU_push_tls_address or DW_OP_form_tls_address.
// Locals are neither.
std::optional<uint64_t> StaticAddress(Dwarf_Die* var, bool* tls) {
  Dwarf_Attribute a;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  *tls = false;
  if (!dwarf_attr(var, DW_AT_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0) {
    return std::nullopt;
  }
  if (n == 2 &&
      (ops[1].atom == DW_OP_GNU_push_tls_address || ops[1].atom == DW_OP_form_tls_address)) {
    switch (ops[0].atom) {
      case DW_OP_const1u:
      case DW_OP_const2u:
      case DW_OP_const4u:
      case DW_OP_const8u:
      case DW_OP_constu:
        *tls = true;
        return ops[0].number;
      default:
        return std::nullopt;
    }
  }
  if (n != 1) return std::nullopt;
  if (ops[0].atom == DW_OP_addr) return ops[0].number;
  if (ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) {
    Dwarf_Attribute addr_attr;
    Dwarf_Addr addr = 0;
    if (dwarf_getlocation_attr(&a, &ops[0], &addr_attr) == 0 &&
        dwarf_formaddr(&addr_attr, &addr) == 0) {
      return addr;
    }
  }
  return std::nullopt;
}

// "ns::Class::" for the scopes that hold a DIE (the DIE itself excluded).
std::string ScopePrefixOf(Dwarf_Die* die) {
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes_die(die, &scopes);
  std::string prefix;
  for (int i = n - 1; i >= 1; --i) {
    int tag = dwarf_tag(&scopes[i]);
    if (tag == DW_TAG_compile_unit || tag == DW_TAG_lexical_block) continue;
    const char* name = dwarf_diename(&scopes[i]);
    prefix += std::string(name ? name : "(anonymous namespace)") + "::";
  }
  free(scopes);
  return prefix;
}

class LibdwNames : public DwarfNames {
 public:
  LibdwNames(int fd, Dwarf* dwarf) : fd_(fd), dwarf_(dwarf) {}
  ~LibdwNames() override {
    if (eh_cfi_) dwarf_cfi_end(eh_cfi_);
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

  std::string AllocatedField(uint64_t pc, uint64_t block_size, uint64_t offset) override;

  bool Local(uint64_t pc, uint64_t offset, std::optional<uint64_t> fp_offset,
             DwarfLocal& out) override;

 private:
  struct Variable {
    uint64_t size = 0;
    Dwarf_Die type{};
    std::string name;
  };

  // T, for a store of the pointer into a global or a member of type T*.
  bool StoredType(Dwarf_Die cu_die, const std::optional<PointerStore>& store,
                  const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                  Dwarf_Die& type) {
    if (!store) return false;
    if (store->kind == PointerStore::kMember) {
      return MemberPointee(cu_die, *store, cfa_above_rbp, type);
    }
    if (!indexed_) Index();
    auto it = globals_.find(store->global);
    if (it == globals_.end()) return false;
    Dwarf_Die pointer = it->second.type;
    Dwarf_Attribute a;
    if (!Peel(&pointer) || dwarf_tag(&pointer) != DW_TAG_pointer_type ||
        !dwarf_attr(&pointer, DW_AT_type, &a) || !dwarf_formref_die(&a, &type)) {
      return false;
    }
    return Peel(&type);  // not void*
  }

  // The global holding `addr`: its type, and `addr`'s offset in it.
  bool GlobalAt(uint64_t addr, Dwarf_Die& type, uint64_t& offset) {
    if (!indexed_) Index();
    auto it = globals_.upper_bound(addr);
    if (it == globals_.begin()) return false;
    --it;
    if (addr - it->first >= std::max<uint64_t>(it->second.size, 1)) return false;
    type = it->second.type;
    offset = addr - it->first;
    return true;
  }

  static bool Find(std::map<uint64_t, Variable>& in, uint64_t at, DwarfGlobal& out) {
    auto it = in.upper_bound(at);
    if (it == in.begin()) return false;
    --it;
    const Variable& v = it->second;
    if (at - it->first >= std::max<uint64_t>(v.size, 1)) return false;
    out.start = it->first;
    out.size = v.size;
    out.name = v.name;
    out.path.clear();
    FieldPath(v.type, at - it->first, out.path, 0);
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

  void Index() {
    indexed_ = true;
    Dwarf_CU* cu = nullptr;
    Dwarf_Die cu_die;
    while (dwarf_get_units(dwarf_, cu, &cu, nullptr, nullptr, &cu_die, nullptr) == 0) {
      IndexChildren(cu_die, "", 0);
    }
  }

  // Namespaces, classes (static members), functions (function-local statics) and blocks.
  void IndexChildren(Dwarf_Die& parent, const std::string& prefix, int depth) {
    if (depth > kMaxDepth) return;
    Dwarf_Die child;
    if (dwarf_child(&parent, &child) != 0) return;
    do {
      int tag = dwarf_tag(&child);
      const char* name = dwarf_diename(&child);
      switch (tag) {
        case DW_TAG_variable:
          AddVariable(child, prefix);
          break;
        case DW_TAG_namespace:
          IndexChildren(child, prefix + (name ? name : "(anonymous namespace)") + "::", depth + 1);
          break;
        case DW_TAG_structure_type:
        case DW_TAG_class_type:
        case DW_TAG_union_type:
        case DW_TAG_subprogram:
          IndexChildren(child, prefix + (name ? std::string(name) + "::" : ""), depth + 1);
          break;
        case DW_TAG_lexical_block:
          IndexChildren(child, prefix, depth + 1);
          break;
        default:
          break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }

  void AddVariable(Dwarf_Die& var, const std::string& prefix) {
    bool tls = false;
    std::optional<uint64_t> addr = StaticAddress(&var, &tls);
    Variable v;
    if (!addr || !TypeOf(&var, &v.type)) return;
    const char* name = dwarf_diename(&var);
    if (!name) return;
    // A static data member defined outside its class names the class through its declaration.
    Dwarf_Attribute spec;
    Dwarf_Die decl;
    if (dwarf_attr(&var, DW_AT_specification, &spec) && dwarf_formref_die(&spec, &decl)) {
      v.name = ScopePrefixOf(&decl) + name;
    } else {
      v.name = prefix + name;
    }
    v.size = SizeOf(v.type).value_or(0);
    (tls ? thread_locals_ : globals_).emplace(*addr, std::move(v));
  }

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
};

std::string LibdwNames::AllocatedField(uint64_t pc, uint64_t block_size, uint64_t offset) {
  Dwarf_Die type, cu_die;
  bool single = false;
  // A library allocator's type argument, else the pointer variable the result lands in.
  if (!UnitOf(pc, cu_die)) return "";
  if (!AllocatedType(cu_die, pc, type, single)) {
    unsigned char code[64];  // the moves, the constructor call or the store to a global
    const size_t have = CodeAt(pc + 1, code, sizeof code);
    // The CFA's distance above %rbp where the CFI defines it from %rbp (gcc's -O0 frames).
    auto cfa_above_rbp = [this](uint64_t at) -> std::optional<int64_t> {
      Dwarf_Frame* frame = nullptr;
      Dwarf_Op* ops = nullptr;
      size_t n = 0;
      if (!Cfi() || dwarf_cfi_addrframe(Cfi(), at, &frame) != 0) return std::nullopt;
      std::optional<int64_t> out;
      if (dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_bregx &&
          ops[0].number == 6) {
        out = static_cast<int64_t>(ops[0].number2);
      }
      free(frame);
      return out;
    };
    if (!ReceivedType(cu_die, pc + 1, have ? code : nullptr, have, cfa_above_rbp, type) &&
        !ConstructedType(cu_die, pc + 1, code, have, type) &&
        !StoredType(cu_die, StoredPointer(have ? code : nullptr, have, pc + 1), cfa_above_rbp,
                    type) &&
        !flow_types::StoredType(
            cu_die, pc + 1,
            [this](uint64_t a, unsigned char* out, size_t n) { return CodeAt(a, out, n); },
            [this](uint64_t a, Dwarf_Die& t, uint64_t& o) { return GlobalAt(a, t, o); },
            [&](uint64_t at, int reg, int64_t slot, int64_t offset, Dwarf_Die& t) {
              const PointerStore member{PointerStore::kMember, 0, reg, offset, at, slot};
              return MemberPointee(cu_die, member, cfa_above_rbp, t);
            },
            type)) {
      return "";
    }
    // One T only: a block a multiple of T's size may be a T with a payload after it.
    single = true;
  }
  // std::make_shared: the block is its control block, the object inside it.
  Dwarf_Die object;
  uint64_t object_at = 0;
  if (SizeOf(type) == block_size && InplaceObject(type, object, object_at)) {
    std::optional<uint64_t> osize = SizeOf(object);
    if (!osize || offset < object_at || offset - object_at >= *osize) return "";
    type = object;
    offset -= object_at;
    block_size = *osize;
    single = true;
  }
  std::optional<uint64_t> size = SizeOf(type);
  Dwarf_Die peeled = type;
  if (!size || *size == 0 || !Peel(&peeled) || offset >= block_size) return "";
  const char* name = TypeName(type);
  // The library's own node types (_Sp_counted_ptr_inplace, _Rb_tree_node) name nothing a
  // user wrote.
  if (!name || name[0] == '_') return "";
  uint64_t count = block_size / *size;
  // A block sized for several ints or doubles is an array of them: only a struct may be one
  // object with a payload after it.
  const int tag = dwarf_tag(&peeled);
  if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) single = false;
  if (block_size % *size != 0 || (single && count != 1)) return "";
  std::string path;
  FieldPath(type, offset % *size, path, 0);
  if (count == 1) {
    // "Account::balance": the member of the one object; a scalar is just its type.
    if (!path.empty() && path[0] == '.') return std::string(name) + "::" + path.substr(1);
    return name + path;
  }
  return std::string(name) + "[" + std::to_string(offset / *size) + "]" + path;
}

// "ns::Pool::run()" for a subprogram or an inlined subroutine (through its abstract origin
// and the declaration of an out-of-class definition).
std::string FunctionName(Dwarf_Die fn) {
  Dwarf_Attribute a;
  for (int i = 0; i < 4; ++i) {
    if (dwarf_attr(&fn, DW_AT_abstract_origin, &a) || dwarf_attr(&fn, DW_AT_specification, &a)) {
      if (!dwarf_formref_die(&a, &fn)) break;
    } else {
      break;
    }
  }
  const char* name = dwarf_diename(&fn);
  if (!name) return "";
  return ScopePrefixOf(&fn) + name + "()";
}

// Where the frame base lies above the stack pointer: DW_OP_reg7 (rsp) is the stack pointer,
// DW_OP_breg7 N N above it; DW_OP_reg6 (rbp) and DW_OP_breg6 N are the frame pointer (N
// above it), when `fp_offset` says where that was; DW_OP_call_frame_cfa (gcc) is the CFA the
// call frame information gives at `pc`, from one of the two. Nothing for any other base.
std::optional<int64_t> FrameBaseOffset(Dwarf_Die& fn, uint64_t pc,
                                       std::optional<uint64_t> fp_offset, Dwarf_CFI* cfi) {
  Dwarf_Attribute a;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (!dwarf_attr(&fn, DW_AT_frame_base, &a) || dwarf_getlocation(&a, &ops, &n) != 0 || n != 1) {
    return std::nullopt;
  }
  // Register 7 (rsp) or 6 (rbp), plus `off`.
  auto from = [&](uint64_t reg, int64_t off) -> std::optional<int64_t> {
    if (reg == 7) return off;
    if (reg == 6 && fp_offset) return static_cast<int64_t>(*fp_offset) + off;
    return std::nullopt;
  };
  switch (ops[0].atom) {
    case DW_OP_reg7:
    case DW_OP_reg6:
      return from(ops[0].atom - DW_OP_reg0, 0);
    case DW_OP_breg7:
    case DW_OP_breg6:
      return from(ops[0].atom - DW_OP_breg0, static_cast<int64_t>(ops[0].number));
    case DW_OP_call_frame_cfa: {
      Dwarf_Frame* frame = nullptr;
      if (!cfi || dwarf_cfi_addrframe(cfi, pc, &frame) != 0) return std::nullopt;
      Dwarf_Op* cfa = nullptr;
      size_t m = 0;
      std::optional<int64_t> out;
      if (dwarf_frame_cfa(frame, &cfa, &m) == 0 && m == 1) {
        if (cfa[0].atom == DW_OP_bregx) {
          out = from(cfa[0].number, static_cast<int64_t>(cfa[0].number2));
        } else if (cfa[0].atom >= DW_OP_breg0 && cfa[0].atom <= DW_OP_breg31) {
          out = from(cfa[0].atom - DW_OP_breg0, static_cast<int64_t>(cfa[0].number));
        }
      }
      free(frame);
      return out;
    }
    default:
      return std::nullopt;
  }
}

bool LibdwNames::Local(uint64_t pc, uint64_t offset, std::optional<uint64_t> fp_offset,
                       DwarfLocal& out) {
  Dwarf_Die cu_die;
  std::vector<Dwarf_Die> chain;
  if (!UnitOf(pc, cu_die) || !ScopeChain(cu_die, pc, chain, 0) || chain.empty() ||
      dwarf_tag(&chain[0]) != DW_TAG_subprogram) {
    return false;
  }
  const std::optional<int64_t> base = FrameBaseOffset(chain[0], pc, fp_offset, Cfi());
  if (!base) return false;
  // Innermost scope first: a slot reused by two scopes belongs to the one that runs.
  for (size_t i = chain.size(); i-- > 0;) {
    Dwarf_Die child;
    if (dwarf_child(&chain[i], &child) != 0) continue;
    do {
      const int tag = dwarf_tag(&child);
      if (tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) continue;
      Dwarf_Attribute loc;
      Dwarf_Op* expr = nullptr;
      size_t len = 0;
      if (!dwarf_attr(&child, DW_AT_location, &loc) ||
          dwarf_getlocation_addr(&loc, pc, &expr, &len, 1) != 1 || len != 1 ||
          expr[0].atom != DW_OP_fbreg) {
        continue;
      }
      Dwarf_Die type;
      if (!TypeOf(&child, &type)) continue;
      const std::optional<uint64_t> size = SizeOf(type);
      const int64_t start = *base + static_cast<int64_t>(expr[0].number);
      if (!size || *size == 0 || static_cast<int64_t>(offset) < start ||
          offset - static_cast<uint64_t>(start) >= *size) {
        continue;
      }
      Dwarf_Attribute name_attr;
      const char* name = dwarf_formstring(dwarf_attr_integrate(&child, DW_AT_name, &name_attr));
      if (!name) return false;
      out.name = name;
      out.path.clear();
      FieldPath(type, offset - static_cast<uint64_t>(start), out.path, 0);
      // The function that declares it: the scope's own, or the nearest one around a block.
      size_t f = i;
      while (f > 0 && dwarf_tag(&chain[f]) == DW_TAG_lexical_block) --f;
      out.function = FunctionName(chain[f]);
      return true;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return false;
}

}  // namespace

std::unique_ptr<DwarfNames> DwarfNames::Open(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  Dwarf* dwarf = dwarf_begin(fd, DWARF_C_READ);
  if (!dwarf) {
    close(fd);
    return nullptr;
  }
  return std::make_unique<LibdwNames>(fd, dwarf);
}

}  // namespace threadlens
