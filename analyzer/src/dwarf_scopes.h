// Scopes at a pc and what an allocation site says about the type it allocates (libdw), for
// the names of locals and of heap blocks' fields (dwarf_names.cc).
#pragma once

#include <elfutils/libdw.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace threadlens::dwarf_scopes {

// DWARF's number of x86-64 register `x86` (rax 0 rcx 1 rdx 2 rbx 3 rsp 4 rbp 5 rsi 6 rdi 7
// to DWARF's rax 0 rdx 1 rcx 2 rbx 3 rsi 4 rdi 5 rbp 6 rsp 7; r8-r15 are 8-15 in both).
inline int DwarfRegister(int x86) {
  static constexpr int kDwarf[8] = {0, 2, 1, 3, 7, 6, 4, 5};
  return x86 >= 0 && x86 < 8 ? kDwarf[x86] : x86;
}

// The scopes that hold `pc`, outermost first: the function, then its lexical blocks and the
// subroutines inlined into it, down to the innermost. Searched through namespaces and
// classes too: dwarf_getscopes does not look inside namespaces.
bool ScopeChain(Dwarf_Die& parent, uint64_t pc, std::vector<Dwarf_Die>& chain, int depth);
// The innermost function (subprogram or inlined subroutine) whose code covers `pc`.
std::optional<Dwarf_Die> InnermostFunction(Dwarf_Die& cu_die, uint64_t pc);
// The type argument T of the allocating library function at `pc`, and whether it allocates
// one T (make_unique) or an array of T (allocator<T>::allocate).
bool AllocatedType(Dwarf_Die cu_die, uint64_t pc, Dwarf_Die& type, bool& single);
// The type T of the pointer variable that receives an allocation's result: at `ret`, the
// call's return address, the debug info places a variable of type T* in the return value's
// register (`c = calloc(1, sizeof(conn))` at -O1 and above), or, when `code` (the bytes at
// `ret`) starts with a move of that register into another or into a slot of an %rbp frame
// (-O0), there right after it.
// False when no variable, or variables of different types, are there.
// `cfa_above_rbp(pc)`: how far the call frame address lies above %rbp at `pc`, from the
// module's CFI (gcc's frame base), when it is known.
bool ReceivedType(Dwarf_Die cu_die, uint64_t ret, const unsigned char* code, size_t code_size,
                  const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                  Dwarf_Die& type);

// Where the code at `ret` (an allocation's return address; `code` its bytes) stores the
// returned pointer: into a global (`mov %rax, g(%rip)`), or into a member of an object a
// register points to (`mov %rbp, 0x8(%rbx)`), at once or after the few moves, frame slots
// and calls compilers put first (instrumented code checks the store with a call). Nothing
// when other code comes before such a store.
struct PointerStore {
  enum Kind { kGlobal, kMember } kind = kGlobal;
  uint64_t global = 0;  // kGlobal: the global's link-time address
  int base = -1;        // kMember: DWARF number of the register holding the object's address;
                        // -1: the register was loaded from the %rbp frame slot `slot` (-O0)
  int64_t offset = 0;   // kMember: the member's offset in the object
  uint64_t pc = 0;      // kMember: the store's link-time address
  int64_t slot = 0;
};
std::optional<PointerStore> StoredPointer(const unsigned char* code, size_t code_size, uint64_t ret);
// `reg` kRspSlot: the variable is at `slot` past %rsp (where clang at -O1 and above spills
// a pointer it reloads: DW_OP_breg7).
inline constexpr int kRspSlot = -2;
// T, for the variable of type T* the debug info places at `pc` in DWARF register `reg`, or
// (`reg` -1) in the %rbp frame slot `slot` (-O0; `cfa_above_rbp` as for ReceivedType), or
// (`reg` kRspSlot) at `slot` past %rsp.
// False when none, or variables of different types, are there.
bool VariablePointee(Dwarf_Die cu_die, uint64_t pc, int reg, int64_t slot,
                     const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                     Dwarf_Die& type);
// T, for a store into a member of type T* of an object whose pointer variable the debug
// info places in the store's base register at the store (-O1 and above), or in the frame
// slot it was loaded from (-O0; `cfa_above_rbp` as for ReceivedType).
bool MemberPointee(Dwarf_Die cu_die, const PointerStore& store,
                   const std::function<std::optional<int64_t>(uint64_t)>& cfa_above_rbp,
                   Dwarf_Die& type);

// The class whose constructor is the first function of the unit that `code` (the bytes at
// `ret`, an allocation's return address) calls directly: `new Account(7)` where the
// constructor is not inlined (-O0). False when that first call is no constructor.
bool ConstructedType(Dwarf_Die cu_die, uint64_t ret, const unsigned char* code, size_t code_size,
                     Dwarf_Die& type);

}  // namespace threadlens::dwarf_scopes
