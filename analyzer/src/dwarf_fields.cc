// The fields of heap objects (LibdwNames, libdw_names.h): what byte of a heap block is, from
// the type its allocation site allocates or stores the pointer as, or from the type of the
// pointer an access's address was computed from.
#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "dwarf_scopes.h"
#include "dwarf_types.h"
#include "flow_types.h"
#include "libdw_names.h"

namespace threadlens {

using namespace dwarf_types;   // NOLINT: the type walkers
using namespace dwarf_scopes;  // NOLINT: scopes and allocation sites

namespace {

// A type name a user wrote or knows: not one of the library's reserved ones.
bool Nameable(const std::string& name) {
  return !name.empty() && name[0] != '_' && name.rfind("std::_", 0) != 0;
}

// T, for a variable of type T* the debug info places in a register holding the pointer an
// allocation returned, at the first instruction of its way on (`held`) where there is one:
// later than ReceivedType looks (`Slot* s = new Slot{}` at -O1 moves the pointer into a
// callee-saved register, and `s` lives there only from after the memset that zeroes the
// block). False when none, or variables of different types, are there.
bool HeldType(Dwarf_Die cu_die, const std::vector<code_flow::Held>& held, Dwarf_Die& type) {
  for (const code_flow::Held& h : held) {
    bool found = false;
    Dwarf_Off found_type = 0;
    for (int reg = 0; reg < 16; ++reg) {
      Dwarf_Die t;
      if (!(h.regs >> reg & 1) ||
          !VariablePointee(cu_die, h.pc, DwarfRegister(reg), 0, nullptr, t)) {
        continue;
      }
      if (found && dwarf_dieoffset(&t) != found_type) return false;
      found = true;
      found_type = dwarf_dieoffset(&t);
      type = t;
    }
    if (found) return true;
  }
  return false;
}

}  // namespace

bool LibdwNames::FrameVariable(Dwarf_Die cu_die, uint64_t pc, int reg, int64_t disp,
                               Dwarf_Die& type, uint64_t& offset) {
  std::vector<Dwarf_Die> chain;
  if ((reg != 4 && reg != 5) || !ScopeChain(cu_die, pc, chain, 0) || chain.empty() ||
      dwarf_tag(&chain[0]) != DW_TAG_subprogram) {
    return false;
  }
  // Where the frame base lies from the register: the register itself, or the call frame
  // address as the CFI defines it from that register at `pc`.
  const unsigned dwarf_reg = static_cast<unsigned>(DwarfRegister(reg));
  Dwarf_Attribute a;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (!dwarf_attr(&chain[0], DW_AT_frame_base, &a) || dwarf_getlocation(&a, &ops, &n) != 0 ||
      n != 1) {
    return false;
  }
  int64_t base = 0;
  if (ops[0].atom == DW_OP_call_frame_cfa) {
    const auto rule = CfaRule(pc);
    if (!rule || rule->first != dwarf_reg) return false;
    base = rule->second;
  } else if (ops[0].atom != DW_OP_reg0 + dwarf_reg) {
    return false;
  }
  const int64_t want = disp - base;  // the address's DW_OP_fbreg offset
  for (Dwarf_Die& scope : chain) {
    Dwarf_Die child;
    if (dwarf_child(&scope, &child) != 0) continue;
    do {
      if (dwarf_tag(&child) != DW_TAG_variable) continue;
      Dwarf_Attribute loc;
      Dwarf_Op* expr = nullptr;
      size_t len = 0;
      Dwarf_Die t;
      if (!dwarf_attr(&child, DW_AT_location, &loc) ||
          dwarf_getlocation_addr(&loc, pc, &expr, &len, 1) != 1 || len != 1 ||
          expr[0].atom != DW_OP_fbreg || !TypeOf(&child, &t)) {
        continue;
      }
      const int64_t first = static_cast<int64_t>(expr[0].number);
      const std::optional<uint64_t> size = SizeOf(t);
      if (!size || want < first || want - first >= static_cast<int64_t>(*size)) continue;
      type = t;
      offset = static_cast<uint64_t>(want - first);
      return true;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return false;
}

std::optional<std::pair<unsigned, int64_t>> LibdwNames::CfaRule(uint64_t pc) {
  Dwarf_Frame* frame = nullptr;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (!Cfi() || dwarf_cfi_addrframe(Cfi(), pc, &frame) != 0) return std::nullopt;
  std::optional<std::pair<unsigned, int64_t>> out;
  if (dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_bregx) {
    out.emplace(static_cast<unsigned>(ops[0].number), static_cast<int64_t>(ops[0].number2));
  }
  free(frame);
  return out;
}

std::optional<int64_t> LibdwNames::CfaAboveRbp(uint64_t pc) {
  const auto rule = CfaRule(pc);
  if (!rule || rule->first != 6) return std::nullopt;  // DWARF's %rbp
  return rule->second;
}

// T, for a store of the pointer into a global or a member of type T*.
bool LibdwNames::StoredType(Dwarf_Die cu_die, const std::optional<PointerStore>& store,
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
bool LibdwNames::GlobalAt(uint64_t addr, Dwarf_Die& type, uint64_t& offset) {
  if (!indexed_) Index();
  auto it = globals_.upper_bound(addr);
  if (it == globals_.begin()) return false;
  --it;
  if (addr - it->first >= std::max<uint64_t>(it->second.size, 1)) return false;
  type = it->second.type;
  offset = it->second.piece + (addr - it->first);
  return true;
}

std::string LibdwNames::AllocatedField(uint64_t pc, uint64_t block_size, uint64_t offset,
                                       bool* bytes) {
  auto [it, fresh] = fields_.try_emplace({pc, block_size, offset});
  if (fresh) it->second.name = FieldOfBlock(pc, block_size, offset, &it->second.bytes);
  if (bytes) *bytes = it->second.bytes;
  return it->second.name;
}

bool LibdwNames::AllocatedTypeAt(uint64_t pc, Dwarf_Die& type, bool& single) {
  auto [it, fresh] = site_types_.try_emplace(pc);
  SiteType& site = it->second;
  if (!fresh) {
    type = site.type;
    single = site.single;
    return site.found;
  }
  Dwarf_Die cu_die;
  single = false;
  // A library allocator's type argument, else the pointer variable the result lands in.
  if (!UnitOf(pc, cu_die)) return false;
  if (!AllocatedType(cu_die, pc, type, single)) {
    unsigned char code[64];  // the moves, the constructor call or the store to a global
    const size_t have = CodeAt(pc + 1, code, sizeof code);
    auto cfa_above_rbp = [this](uint64_t at) { return CfaAboveRbp(at); };
    if (!ReceivedType(cu_die, pc + 1, have ? code : nullptr, have, cfa_above_rbp, type) &&
        !ConstructedType(cu_die, pc + 1, code, have, type) &&
        !HeldType(cu_die, HeldPointer(pc + 1), type) &&
        !StoredType(cu_die, StoredPointer(have ? code : nullptr, have, pc + 1), cfa_above_rbp,
                    type) &&
        !flow_types::StoredType(
            cu_die, pc + 1,
            [this](uint64_t a, unsigned char* out, size_t n) { return CodeAt(a, out, n); },
            [this](uint64_t start, uint64_t end) { return FunctionAt(start, end); },
            [this](uint64_t a, Dwarf_Die& t, uint64_t& o) { return GlobalAt(a, t, o); },
            [&](uint64_t at, int reg, int64_t slot, int64_t offset, Dwarf_Die& t) {
              const PointerStore member{PointerStore::kMember, 0, reg, offset, at, slot};
              return MemberPointee(cu_die, member, cfa_above_rbp, t);
            },
            [&](uint64_t at, int reg, int64_t disp, Dwarf_Die& t, uint64_t& o) {
              return FrameVariable(cu_die, at, reg, disp, t, o);
            },
            type)) {
      return false;
    }
    // One T only: a block a multiple of T's size may be a T with a payload after it.
    single = true;
  }
  site = {true, single, type};
  return true;
}

std::string LibdwNames::FieldOfBlock(uint64_t pc, uint64_t block_size, uint64_t offset,
                                     bool* bytes) {
  Dwarf_Die type;
  bool single = false;
  if (!AllocatedTypeAt(pc, type, single)) return "";
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
  const std::string& name = NameOfType(type);
  // The library's own node types (_Sp_counted_ptr_inplace, _Rb_tree_node) name nothing a
  // user wrote.
  if (!Nameable(name)) return "";
  uint64_t count = block_size / *size;
  // A block sized for several ints or doubles is an array of them: only a struct may be one
  // object with a payload after it.
  const int tag = dwarf_tag(&peeled);
  if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) single = false;
  if (bytes) *bytes = !single && *size == 1;
  if (block_size % *size != 0 || (single && count != 1)) return "";
  std::string path;
  FieldPath(type, offset % *size, path, 0);
  if (count == 1) {
    // "Account::balance": the member of the one object; a scalar is just its type.
    if (!path.empty() && path[0] == '.') return name + "::" + path.substr(1);
    return name + path;
  }
  return name + "[" + std::to_string(offset / *size) + "]" + path;
}

std::vector<code_flow::Held> LibdwNames::HeldPointer(uint64_t ret) {
  unsigned char code[256];
  const size_t have = CodeAt(ret, code, sizeof code);
  std::vector<code_flow::Held> held;
  if (have) code_flow::PointerStore(code, have, ret, nullptr, &held);
  return held;
}

const code_flow::Function* LibdwNames::FunctionAt(uint64_t start, uint64_t end) {
  if (auto it = functions_.find(start); it != functions_.end()) return it->second.get();
  std::vector<unsigned char> bytes(end - start);
  const size_t got = CodeAt(start, bytes.data(), bytes.size());
  if (got == 0) return nullptr;
  auto fn = std::make_unique<code_flow::Function>(bytes.data(), got, start);
  if (instructions_ + fn->instructions() > kMaxInstructions) {
    functions_.clear();
    instructions_ = 0;
  }
  instructions_ += fn->instructions();
  return functions_.emplace(start, std::move(fn)).first->second.get();
}

std::string LibdwNames::AccessedField(uint64_t ret, int64_t delta) {
  Dwarf_Die cu_die, type;
  int64_t offset = 0;
  if (ret == 0 || !UnitOf(ret - 1, cu_die)) return "";
  auto cfa_above_rbp = [this](uint64_t at) { return CfaAboveRbp(at); };
  if (!flow_types::AccessedObject(
          cu_die, ret, [this](uint64_t start, uint64_t end) { return FunctionAt(start, end); },
          [&](uint64_t at, int reg, int64_t slot, Dwarf_Die& t) {
            return VariablePointee(cu_die, at, reg, slot, cfa_above_rbp, t);
          },
          [&](uint64_t at, int reg, int64_t slot, int64_t member, Dwarf_Die& t) {
            const PointerStore store{PointerStore::kMember, 0, reg, member, at, slot};
            return MemberPointee(cu_die, store, cfa_above_rbp, t);
          },
          [this](uint64_t a, Dwarf_Die& t, uint64_t& o) { return GlobalAt(a, t, o); }, type,
          offset)) {
    return "";
  }
  // Only an aggregate says more than the offset does: a `long *` into a struct names no field.
  Dwarf_Die peeled = type;
  if (!Peel(&peeled)) return "";
  const int tag = dwarf_tag(&peeled);
  if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type &&
      tag != DW_TAG_array_type) {
    return "";
  }
  // The byte must lie in the one object the pointer points to.
  const std::optional<uint64_t> size = SizeOf(type);
  const int64_t at = offset + delta;
  const std::string& name = NameOfType(type);
  if (!size || at < 0 || static_cast<uint64_t>(at) >= *size || !Nameable(name)) return "";
  std::string path;
  FieldPath(type, static_cast<uint64_t>(at), path, 0);
  if (!path.empty() && path[0] == '.') return name + "::" + path.substr(1);
  return name + path;
}

}  // namespace threadlens
