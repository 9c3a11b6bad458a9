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

// The link-time address of the global that the code at `ret` (an allocation's return
// address; `code` its bytes) stores the returned pointer into: `mov %rax, g(%rip)` at once,
// or after the few moves, frame slots and calls compilers put first (instrumented code
// checks the store with a call). Nothing when other code comes before such a store.
std::optional<uint64_t> StoredGlobal(const unsigned char* code, size_t code_size, uint64_t ret);

// The class whose constructor is the first function of the unit that `code` (the bytes at
// `ret`, an allocation's return address) calls directly: `new Account(7)` where the
// constructor is not inlined (-O0). False when that first call is no constructor.
bool ConstructedType(Dwarf_Die cu_die, uint64_t ret, const unsigned char* code, size_t code_size,
                     Dwarf_Die& type);

}  // namespace threadlens::dwarf_scopes
