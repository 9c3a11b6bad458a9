// DwarfNames on elfutils libdw. Globals are indexed once per module by address; a field path
// is found by walking the variable's type down to the byte asked for (dwarf_types.cc). Whenever the
// DWARF does not say which member holds a byte (a union, two bitfields sharing it, padding), the
// path stops there and the rest is "+N": a name must never point at the wrong member.
#include "dwarf_names.h"
#include "libdw_names.h"

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
#include "dwarf_types.h"

namespace threadlens {

using namespace dwarf_types;   // NOLINT: the type walkers
using namespace dwarf_scopes;  // NOLINT: scopes and allocation sites

namespace {

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

// A global the compiler split into pieces at fixed places (clang's scalar replacement of a
// static struct: `DW_OP_addrx 0, DW_OP_piece 8, DW_OP_addrx 1, DW_OP_piece 8`): each piece's
// address, offset in the variable and size. A piece stored encoded at an address (a field
// that only ever holds 0 or one value, shrunk to a byte: `DW_OP_addrx 0, DW_OP_deref_size 1,
// DW_OP_lit4, DW_OP_mul, DW_OP_stack_value, DW_OP_piece 4`) is that byte. A piece held
// elsewhere (a constant, a register) or missing is skipped; empty when the location is not
// such a list.
struct Piece {
  uint64_t addr, offset, size;
};
std::vector<Piece> StaticPieces(Dwarf_Die* var) {
  Dwarf_Attribute a;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  std::vector<Piece> out;
  if (!dwarf_attr(var, DW_AT_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0) return out;
  uint64_t offset = 0;
  std::optional<uint64_t> addr;
  bool other = false;   // the piece's value is not at an address of its own
  uint64_t stored = 0;  // the bytes an encoded piece loads from its address (0: not encoded)
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].atom == DW_OP_piece) {
      if (addr && !other && ops[i].number > 0) {
        out.push_back({*addr, offset, stored ? stored : ops[i].number});
      }
      offset += ops[i].number;
      addr.reset();
      other = false;
      stored = 0;
    } else if (ops[i].atom == DW_OP_deref_size && addr && !stored && !other && i > 0 &&
               ops[i - 1].atom != DW_OP_piece && ops[i].number > 0) {
      stored = ops[i].number;  // then arithmetic on the loaded value, up to DW_OP_stack_value
    } else if (stored && ops[i].atom != DW_OP_addr && ops[i].atom != DW_OP_addrx &&
               ops[i].atom != DW_OP_GNU_addr_index && ops[i].atom != DW_OP_deref &&
               ops[i].atom != DW_OP_deref_size && ops[i].atom != DW_OP_regx &&
               !(ops[i].atom >= DW_OP_reg0 && ops[i].atom <= DW_OP_bregx)) {
      // the decoding of the stored value: constants and arithmetic only
    } else if (ops[i].atom == DW_OP_addr && !addr) {
      addr = ops[i].number;
    } else if ((ops[i].atom == DW_OP_addrx || ops[i].atom == DW_OP_GNU_addr_index) && !addr) {
      Dwarf_Attribute addr_attr;
      Dwarf_Addr at = 0;
      if (dwarf_getlocation_attr(&a, &ops[i], &addr_attr) != 0 ||
          dwarf_formaddr(&addr_attr, &at) != 0) {
        return {};
      }
      addr = at;
    } else {
      other = true;
    }
  }
  return out;
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

}  // namespace

void LibdwNames::Index() {
  indexed_ = true;
  Dwarf_CU* cu = nullptr;
  Dwarf_Die cu_die;
  while (dwarf_get_units(dwarf_, cu, &cu, nullptr, nullptr, &cu_die, nullptr) == 0) {
    IndexChildren(cu_die, "", 0);
  }
}

void LibdwNames::IndexChildren(Dwarf_Die& parent, const std::string& prefix, int depth) {
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

void LibdwNames::AddVariable(Dwarf_Die& var, const std::string& prefix) {
  bool tls = false;
  std::optional<uint64_t> addr = StaticAddress(&var, &tls);
  const std::vector<Piece> pieces = addr ? std::vector<Piece>{} : StaticPieces(&var);
  Variable v;
  if ((!addr && pieces.empty()) || !TypeOf(&var, &v.type)) return;
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
  if (addr) {
    (tls ? thread_locals_ : globals_).emplace(*addr, std::move(v));
    return;
  }
  for (const Piece& p : pieces) {
    Variable part = v;
    part.size = p.size;
    part.piece = p.offset;
    part.split = true;
    globals_.emplace(p.addr, std::move(part));
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
  // The frame base's offset from the stack pointer at entry; locals relative to the stack
  // pointer itself (DW_OP_breg7: a function that realigns its stack) or to the frame pointer
  // register (DW_OP_breg6) need no frame base.
  const std::optional<int64_t> base = FrameBaseOffset(chain[0], pc, fp_offset, Cfi());
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
          dwarf_getlocation_addr(&loc, pc, &expr, &len, 1) != 1 || len != 1) {
        continue;
      }
      std::optional<int64_t> from;  // what the location is relative to, from the stack pointer
      if (expr[0].atom == DW_OP_fbreg) {
        from = base;
      } else if (expr[0].atom == DW_OP_breg7) {  // rsp: the frame is fixed past the prologue
        from = 0;
      } else if (expr[0].atom == DW_OP_breg6 && fp_offset) {  // rbp
        from = static_cast<int64_t>(*fp_offset);
      }
      if (!from) continue;
      Dwarf_Die type;
      if (!TypeOf(&child, &type)) continue;
      const std::optional<uint64_t> size = SizeOf(type);
      const int64_t start = *from + static_cast<int64_t>(expr[0].number);
      // A type this unit only declares (std::condition_variable, defined in the library) has
      // no size here: its variable holds its first byte, which a synchronization names.
      const bool inside =
          size ? *size != 0 && static_cast<int64_t>(offset) >= start &&
                     offset - static_cast<uint64_t>(start) < *size
               : static_cast<int64_t>(offset) == start;
      if (!inside) continue;
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

std::optional<int64_t> LibdwNames::CfaAboveSp(uint64_t pc) {
  Dwarf_CFI* cfi = Cfi();
  Dwarf_Frame* frame = nullptr;
  if (!cfi || dwarf_cfi_addrframe(cfi, pc, &frame) != 0) return std::nullopt;
  Dwarf_Op* cfa = nullptr;
  size_t n = 0;
  std::optional<int64_t> out;
  if (dwarf_frame_cfa(frame, &cfa, &n) == 0 && n == 1) {
    if (cfa[0].atom == DW_OP_bregx && cfa[0].number == 7) {
      out = static_cast<int64_t>(cfa[0].number2);
    } else if (cfa[0].atom == DW_OP_breg7) {
      out = static_cast<int64_t>(cfa[0].number);
    }
  }
  free(frame);
  return out;
}

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
