// Scopes at a pc, and the type an allocation site allocates (see dwarf_scopes.h).
#include "dwarf_scopes.h"

#include <dwarf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string_view>

#include "dwarf_types.h"
#include "dwarf_unit_index.h"

namespace threadlens::dwarf_scopes {

using namespace dwarf_types;  // NOLINT: the type walkers

bool ScopeChain(Dwarf_Die& parent, uint64_t pc, std::vector<Dwarf_Die>& chain, int depth) {
  if (depth > kMaxDepth) return false;
  if (depth == 0 && dwarf_tag(&parent) == DW_TAG_compile_unit) {
    Dwarf_Die fn;
    if (!UnitScopeAt(parent, pc, fn)) return false;
    chain.push_back(fn);
    ScopeChain(fn, pc, chain, 1);
    return true;
  }
  Dwarf_Die child;
  if (dwarf_child(&parent, &child) != 0) return false;
  do {
    switch (dwarf_tag(&child)) {
      case DW_TAG_subprogram:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_lexical_block:
        if (dwarf_haspc(&child, pc) != 1) break;
        chain.push_back(child);
        ScopeChain(child, pc, chain, depth + 1);
        return true;
      case DW_TAG_namespace:
      case DW_TAG_structure_type:
      case DW_TAG_class_type:
        if (ScopeChain(child, pc, chain, depth + 1)) return true;
        break;
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

std::optional<Dwarf_Die> InnermostFunction(Dwarf_Die& cu_die, uint64_t pc) {
  std::vector<Dwarf_Die> chain;
  ScopeChain(cu_die, pc, chain, 0);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (dwarf_tag(&*it) != DW_TAG_lexical_block) return *it;
  }
  return std::nullopt;
}

bool AllocatedType(Dwarf_Die cu_die, uint64_t pc, Dwarf_Die& type, bool& single) {
  std::optional<Dwarf_Die> fn = InnermostFunction(cu_die, pc);
  if (!fn) return false;
  Dwarf_Attribute a;
  const char* linkage = dwarf_formstring(dwarf_attr_integrate(&*fn, DW_AT_linkage_name, &a));
  if (!linkage) return false;
  std::string_view l(linkage);
  // The DIE whose children are the template parameters: the function template itself, or
  // the class template a member function belongs to.
  Dwarf_Die holder = *fn;
  if (dwarf_attr(&holder, DW_AT_abstract_origin, &a)) dwarf_formref_die(&a, &holder);
  // A project's own make_unique (httplib::detail::make_unique<T>, absl::make_unique<T>)
  // allocates one T too, its first template argument. (Its array form's T[] has no size: the
  // block's size never matches it.)
  if (l.find("_ZSt11make_unique") == 0 && l.find("__single_object") != std::string_view::npos) {
    single = true;
  } else if (l.starts_with("_ZN") && l.find("11make_uniqueI") != std::string_view::npos) {
    single = true;
  } else if (l.find("_ZNSt15__new_allocatorI") == 0 || l.find("_ZNSt9allocatorI") == 0 ||
             l.find("_ZN9__gnu_cxx13new_allocatorI") == 0) {
    if (l.find("8allocateE") == std::string_view::npos) return false;
    single = false;
    Dwarf_Die decl;
    if (!dwarf_attr(&holder, DW_AT_specification, &a) || !dwarf_formref_die(&a, &decl)) {
      return false;
    }
    Dwarf_Die* decl_scopes = nullptr;
    int m = dwarf_getscopes_die(&decl, &decl_scopes);
    bool found = m >= 2;
    if (found) holder = decl_scopes[1];
    free(decl_scopes);
    if (!found) return false;
  } else {
    return false;
  }
  // The parameters hang off the definition or, failing that, its declaration.
  for (int tries = 0; tries < 2; ++tries) {
    Dwarf_Die child;
    if (dwarf_child(&holder, &child) == 0) {
      do {
        if (dwarf_tag(&child) == DW_TAG_template_type_parameter) return TypeOf(&child, &type);
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    if (!dwarf_attr(&holder, DW_AT_specification, &a) || !dwarf_formref_die(&a, &holder)) break;
  }
  return false;
}

namespace {

// Where `mov %rax, ...` right after the call puts the returned pointer: another register
// (REX.W 89 /r, register form), or a slot of an %rbp frame (-O0 code: disp8 or disp32).
struct Move {
  int reg = -1;        // DWARF register number
  bool frame = false;  // else a frame slot at `disp` from %rbp
  int64_t disp = 0;
  size_t len = 0;      // bytes of the instruction
};

Move MoveOfRax(const unsigned char* code, size_t size) {
  Move m;
  if (size < 3 || (code[0] != 0x48 && code[0] != 0x49) || code[1] != 0x89) return m;
  const unsigned modrm = code[2];
  if (((modrm >> 3) & 7) != 0) return m;  // not from %rax
  if ((modrm & 0xc0) == 0xc0) {
    m.reg = DwarfRegister(static_cast<int>(modrm & 7) + (code[0] == 0x49 ? 8 : 0));
    m.len = 3;
  } else if (code[0] == 0x48 && modrm == 0x45 && size >= 4) {  // disp8(%rbp)
    m.frame = true;
    m.disp = static_cast<int8_t>(code[3]);
    m.len = 4;
  } else if (code[0] == 0x48 && modrm == 0x85 && size >= 7) {  // disp32(%rbp)
    int32_t d;
    std::memcpy(&d, code + 3, sizeof d);
    m.frame = true;
    m.disp = d;
    m.len = 7;
  }
  return m;
}

// `var`'s location at `pc` is exactly one operation: `atom` with operand `number`.
bool LocatedAt(Dwarf_Die* var, uint64_t pc, unsigned atom, int64_t number = 0) {
  Dwarf_Attribute loc;
  Dwarf_Op* expr = nullptr;
  size_t len = 0;
  return dwarf_attr(var, DW_AT_location, &loc) &&
         dwarf_getlocation_addr(&loc, pc, &expr, &len, 1) == 1 && len == 1 &&
         expr[0].atom == atom && static_cast<int64_t>(expr[0].number) == number;
}

// How far the function's frame base lies above %rbp at `pc`: 0 for clang's -O0 base (%rbp
// itself), the CFA's distance for gcc's (DW_OP_call_frame_cfa).
std::optional<int64_t> FrameBaseAboveRbp(
    Dwarf_Die* fn, uint64_t pc,
    const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp) {
  Dwarf_Attribute a;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (!dwarf_attr(fn, DW_AT_frame_base, &a) || dwarf_getlocation(&a, &ops, &n) != 0 || n != 1) {
    return std::nullopt;
  }
  if (ops[0].atom == DW_OP_reg6) return 0;
  if (ops[0].atom == DW_OP_call_frame_cfa && cfa_above_rbp) return cfa_above_rbp(pc);
  return std::nullopt;
}

}  // namespace

bool ReceivedType(Dwarf_Die cu_die, uint64_t ret, const unsigned char* code, size_t code_size,
                  const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                  Dwarf_Die& type) {
  std::vector<Dwarf_Die> chain;
  if (!ScopeChain(cu_die, ret, chain, 0)) return false;
  const Move move = code ? MoveOfRax(code, code_size) : Move{};
  if (move.len > 0) {
    // Scopes that begin after the move hold its register too: an inlined constructor, whose
    // `this` is the new object (`new Account(7)` at -O2).
    std::vector<Dwarf_Die> after;
    ScopeChain(cu_die, ret + move.len, after, 0);
    for (Dwarf_Die& d : after) {
      bool have = false;
      for (Dwarf_Die& c : chain) have |= dwarf_dieoffset(&c) == dwarf_dieoffset(&d);
      if (!have) chain.push_back(d);
    }
  }
  // A frame slot: the variable's DW_OP_fbreg offset is the slot's, from the frame base.
  std::optional<int64_t> base;
  if (move.frame && dwarf_tag(&chain[0]) == DW_TAG_subprogram) {
    base = FrameBaseAboveRbp(&chain[0], ret + move.len, cfa_above_rbp);
  }
  const uint64_t next = ret + move.len;  // after the move (%rax still holds the pointer)
  bool found = false;
  Dwarf_Off found_type = 0;
  for (Dwarf_Die& scope : chain) {
    Dwarf_Die child;
    if (dwarf_child(&scope, &child) != 0) continue;
    do {
      const int tag = dwarf_tag(&child);
      if (tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) continue;
      // Exactly the return value's register (rax) at the return address, or the register
      // or frame slot it was moved to right after: its value is the pointer the call returned.
      if (!LocatedAt(&child, ret, DW_OP_reg0) &&
          !(move.len > 0 && LocatedAt(&child, next, DW_OP_reg0)) &&
          !(move.reg > 0 && LocatedAt(&child, next, DW_OP_reg0 + move.reg)) &&
          !(base && LocatedAt(&child, next, DW_OP_fbreg, move.disp - *base))) {
        continue;
      }
      Dwarf_Die pointer, pointee;
      Dwarf_Attribute a;
      if (!TypeOf(&child, &pointer) || !Peel(&pointer) ||
          dwarf_tag(&pointer) != DW_TAG_pointer_type ||
          !dwarf_attr(&pointer, DW_AT_type, &a) || !dwarf_formref_die(&a, &pointee)) {
        continue;
      }
      if (!Peel(&pointee)) continue;  // void *
      if (found && dwarf_dieoffset(&pointee) != found_type) return false;  // two types
      found = true;
      found_type = dwarf_dieoffset(&pointee);
      type = pointee;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return found;
}

std::optional<PointerStore> StoredPointer(const unsigned char* code, size_t size, uint64_t ret) {
  if (!code) return std::nullopt;
  // Follows the returned pointer through the few instructions compilers put between the
  // call and the store: register moves, %rbp frame slots, calls (the instrumentation's
  // write check, which keeps callee-saved registers), loads of the next call's arguments.
  // Anything else ends the search.
  constexpr uint32_t kCallerSaved = 0x0fc7;  // rax rcx rdx rsi rdi r8-r11
  uint32_t regs = 1;                         // x86 numbers holding the pointer: %rax
  std::vector<int64_t> slots;                // %rbp offsets holding it
  auto holds_slot = [&](int64_t d) { return std::find(slots.begin(), slots.end(), d) != slots.end(); };
  // A store through %rbp is a frame slot at -O0, a member where %rbp is just a register: the
  // first such store is the answer when nothing plainer follows (the debug info decides).
  std::optional<PointerStore> via_rbp;
  // -O0 keeps the object's pointer in a frame slot too: the slot each register was loaded
  // from, and the slot each copy of it came from, name the variable a member store is into.
  constexpr int64_t kNoSlot = INT64_MIN;
  int64_t loaded_from[16];
  std::fill(std::begin(loaded_from), std::end(loaded_from), kNoSlot);
  std::vector<std::pair<int64_t, int64_t>> copies;  // slot -> the slot it was copied from
  auto origin = [&](int64_t slot) {
    for (const auto& [copy, from] : copies) {
      if (copy == slot) return from;
    }
    return slot;
  };
  size_t at = 0;
  for (int steps = 0; steps < 16 && at < size && (regs || !slots.empty()); ++steps) {
    const unsigned char* c = code + at;
    const size_t left = size - at;
    if ((left >= 5 && c[0] == 0xe8) || (left >= 6 && c[0] == 0xff && c[1] == 0x15)) {
      regs &= ~kCallerSaved;  // call rel32, call *slot(%rip)
      for (int k = 0; k < 16; ++k) {
        if (kCallerSaved & (1u << k)) loaded_from[k] = kNoSlot;
      }
      at += c[0] == 0xe8 ? 5 : 6;
      continue;
    }
    if (left >= 2 && c[0] == 0xeb && static_cast<int8_t>(c[1]) >= 0) {  // jmp forward
      at += 2 + static_cast<int8_t>(c[1]);
      continue;
    }
    if (left >= 5 && c[0] == 0xe9) {  // jmp rel32 forward (-O0: the normal edge of a `new`)
      int32_t d;
      std::memcpy(&d, c + 1, sizeof d);
      if (d < 0) break;
      at += 5 + static_cast<size_t>(d);
      continue;
    }
    const bool rex = left >= 1 && (c[0] & 0xf0) == 0x40;
    const unsigned char r = rex ? c[0] : 0;
    const unsigned char* op = c + (rex ? 1 : 0);
    const size_t oleft = left - (rex ? 1 : 0);
    if (oleft >= 5 && (op[0] & 0xf8) == 0xb8) {  // mov $imm32, %reg
      const int dst = (op[0] & 7) + (r & 1 ? 8 : 0);
      regs &= ~(1u << dst);
      loaded_from[dst] = kNoSlot;
      at += (rex ? 1 : 0) + 5;
      continue;
    }
    if (oleft >= 3 && (op[0] == 0x83 || op[0] == 0x81) && (op[1] & 0xf8) == 0xc0) {
      const int dst = (op[1] & 7) + (r & 1 ? 8 : 0);  // add $imm, %reg: another address now
      regs &= ~(1u << dst);
      loaded_from[dst] = kNoSlot;
      at += (rex ? 1 : 0) + 2 + (op[0] == 0x83 ? 1 : 4);
      continue;
    }
    if (oleft < 2 || (op[0] != 0x89 && op[0] != 0x8b && op[0] != 0x8d && op[0] != 0x31)) break;
    const unsigned modrm = op[1], mod = modrm >> 6;
    const int reg = static_cast<int>((modrm >> 3) & 7) + (r & 4 ? 8 : 0);
    const int rm = static_cast<int>(modrm & 7) + (r & 1 ? 8 : 0);
    const bool wide = (r & 8) != 0;
    size_t len = (rex ? 1 : 0) + 2;
    int64_t disp = 0;
    if (mod != 3 && (modrm & 7) == 4) break;  // a SIB byte: not followed
    if (mod == 1) {
      if (oleft < 3) break;
      disp = static_cast<int8_t>(op[2]);
      len += 1;
    } else if (mod == 2 || (mod == 0 && (modrm & 7) == 5)) {
      if (oleft < 6) break;
      int32_t d;
      std::memcpy(&d, op + 2, sizeof d);
      disp = d;
      len += 4;
    }
    const bool rip = mod == 0 && (modrm & 7) == 5, reg_form = mod == 3;
    const bool rbp = mod != 0 && mod != 3 && rm == 5;  // disp(%rbp)
    const uint32_t reg_bit = 1u << reg, rm_bit = 1u << rm;
    const bool stores_it = op[0] == 0x89 && wide && (regs & reg_bit);
    if (op[0] == 0x89 && reg_form) {  // mov %reg, %rm
      regs = (regs & ~rm_bit) | (stores_it ? rm_bit : 0);
      loaded_from[rm] = wide ? loaded_from[reg] : kNoSlot;
    } else if (op[0] == 0x89 && rip) {  // mov %reg, g(%rip)
      if (stores_it) return PointerStore{PointerStore::kGlobal, ret + at + len + disp, -1, 0, 0, 0};
    } else if (op[0] == 0x89 && rbp) {  // mov %reg, slot(%rbp)
      slots.erase(std::remove(slots.begin(), slots.end(), disp), slots.end());
      if (stores_it) slots.push_back(disp);
      std::erase_if(copies, [&](const auto& c) { return c.first == disp; });
      if (wide && loaded_from[reg] != kNoSlot) copies.emplace_back(disp, loaded_from[reg]);
      if (stores_it && !via_rbp) {
        via_rbp = PointerStore{PointerStore::kMember, 0, 6, disp, ret + at, 0};
      }
    } else if (op[0] == 0x89) {  // mov %reg, disp(%base): into the object %base points to
      if (stores_it && loaded_from[rm] != kNoSlot) {  // -O0: %base came from a variable's slot
        return PointerStore{PointerStore::kMember, 0, -1, disp, ret + at, loaded_from[rm]};
      }
      if (stores_it) return PointerStore{PointerStore::kMember, 0, DwarfRegister(rm), disp, ret + at, 0};
    } else if (op[0] == 0x8b && reg_form) {  // mov %rm, %reg
      regs = (regs & ~reg_bit) | (wide && (regs & rm_bit) ? reg_bit : 0);
      loaded_from[reg] = wide ? loaded_from[rm] : kNoSlot;
    } else if (op[0] == 0x8b && rbp) {  // mov slot(%rbp), %reg
      regs = (regs & ~reg_bit) | (wide && holds_slot(disp) ? reg_bit : 0);
      loaded_from[reg] = wide ? origin(disp) : kNoSlot;
    } else if (op[0] == 0x8b || op[0] == 0x8d || (op[0] == 0x31 && reg_form)) {
      regs &= ~reg_bit;  // a load from memory, a lea or a zeroing xor: something else now
      loaded_from[reg] = kNoSlot;
    } else {
      break;
    }
    at += len;
  }
  return via_rbp;
}

bool VariablePointee(Dwarf_Die cu_die, uint64_t pc, int reg, int64_t slot,
                     const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                     Dwarf_Die& type) {
  std::vector<Dwarf_Die> chain;
  if (!ScopeChain(cu_die, pc, chain, 0)) return false;
  // -O0: the variable in the frame slot.
  std::optional<int64_t> base;
  if (reg < 0 && reg != kRspSlot) {
    if (dwarf_tag(&chain[0]) != DW_TAG_subprogram) return false;
    base = FrameBaseAboveRbp(&chain[0], pc, cfa_above_rbp);
    if (!base) return false;
  }
  bool found = false;
  Dwarf_Off found_type = 0;
  for (Dwarf_Die& scope : chain) {
    Dwarf_Die child;
    if (dwarf_child(&scope, &child) != 0) continue;
    do {
      const int tag = dwarf_tag(&child);
      const bool here = reg == kRspSlot ? LocatedAt(&child, pc, DW_OP_breg7, slot)
                        : base          ? LocatedAt(&child, pc, DW_OP_fbreg, slot - *base)
                                        : LocatedAt(&child, pc, DW_OP_reg0 + reg);
      if ((tag != DW_TAG_variable && tag != DW_TAG_formal_parameter) || !here) continue;
      Dwarf_Die pointer, object;
      Dwarf_Attribute a;
      if (!TypeOf(&child, &pointer) || !Peel(&pointer) ||
          dwarf_tag(&pointer) != DW_TAG_pointer_type || !dwarf_attr(&pointer, DW_AT_type, &a) ||
          !dwarf_formref_die(&a, &object) || !Peel(&object)) {
        continue;
      }
      // Two variables of different types there (an inlined callee's parameter and the
      // caller's variable agree when they are the same object): nothing certain.
      if (found && dwarf_dieoffset(&object) != found_type) return false;
      found = true;
      found_type = dwarf_dieoffset(&object);
      type = object;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return found;
}

bool MemberPointee(Dwarf_Die cu_die, const PointerStore& store,
                   const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                   Dwarf_Die& type) {
  Dwarf_Die object, member;
  Dwarf_Attribute a;
  if (store.kind != PointerStore::kMember || store.offset < 0 ||
      !VariablePointee(cu_die, store.pc, store.base, store.slot, cfa_above_rbp, object) ||
      !PointerMemberAt(object, static_cast<uint64_t>(store.offset), member, 0) ||
      !dwarf_attr(&member, DW_AT_type, &a) || !dwarf_formref_die(&a, &type)) {
    return false;
  }
  return Peel(&type);  // not void*
}

namespace {

// The class `fn` constructs, when it is a constructor (its declaration's name is its class's).
bool ConstructorClass(Dwarf_Die fn, Dwarf_Die& cls) {
  Dwarf_Attribute a;
  for (int i = 0; i < 4; ++i) {  // to the declaration inside the class
    if (!dwarf_attr(&fn, DW_AT_abstract_origin, &a) && !dwarf_attr(&fn, DW_AT_specification, &a)) {
      break;
    }
    if (!dwarf_formref_die(&a, &fn)) return false;
  }
  const char* name = dwarf_diename(&fn);
  if (!name || name[0] == '~') return false;
  Dwarf_Die* scopes = nullptr;
  const int n = dwarf_getscopes_die(&fn, &scopes);
  bool ok = n >= 2 && (dwarf_tag(&scopes[1]) == DW_TAG_structure_type ||
                       dwarf_tag(&scopes[1]) == DW_TAG_class_type);
  if (ok) {
    cls = scopes[1];
    const char* cname = dwarf_diename(&cls);
    const std::string_view c = cname ? std::string_view(cname) : std::string_view();
    ok = c.substr(0, c.find('<')) == name;  // Pool<int> is built by Pool
  }
  free(scopes);
  return ok;
}

// The unit's functions that start at one of `targets` (a range start: gcc splits a function
// into hot and cold ranges).
struct FindFunctions {
  const std::vector<uint64_t>& targets;
  std::vector<std::pair<uint64_t, Dwarf_Die>> found;
};

int MatchStarts(Dwarf_Die* fn, void* arg) {
  auto* f = static_cast<FindFunctions*>(arg);
  Dwarf_Addr base, start, end;
  ptrdiff_t at = 0;
  while ((at = dwarf_ranges(fn, at, &base, &start, &end)) > 0) {
    if (std::find(f->targets.begin(), f->targets.end(), start) != f->targets.end()) {
      f->found.emplace_back(start, *fn);
    }
  }
  return DWARF_CB_OK;
}

}  // namespace

bool ConstructedType(Dwarf_Die cu_die, uint64_t ret, const unsigned char* code, size_t code_size,
                     Dwarf_Die& type) {
  // Direct calls (E8 rel32), in code order. The bytes are not decoded: an E8 inside another
  // instruction would have to land exactly on a function's first byte to count, and calls
  // to anything else (the PLT) are stepped over.
  std::vector<uint64_t> targets;
  for (size_t i = 0; i + 5 <= code_size; ++i) {
    if (code[i] != 0xe8) continue;
    int32_t rel;
    std::memcpy(&rel, code + i + 1, sizeof rel);
    targets.push_back(ret + i + 5 + static_cast<uint64_t>(static_cast<int64_t>(rel)));
  }
  if (targets.empty()) return false;
  FindFunctions f{targets, {}};
  dwarf_getfuncs(&cu_die, MatchStarts, &f, 0);  // one walk of the unit for all of them
  for (uint64_t target : targets) {
    for (auto& [start, fn] : f.found) {
      if (start != target) continue;
      // The first call after the allocation: the constructor, or nothing to go by.
      Dwarf_Die cls;
      if (!ConstructorClass(fn, cls)) return false;
      type = cls;
      return true;
    }
  }
  return false;
}

}  // namespace threadlens::dwarf_scopes
