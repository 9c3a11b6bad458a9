// Types from machine code (code_flow.h), where no variable the debug info describes says
// them: a heap block's, from where the code stores its pointer (an element of a global or
// local array of T*, or a T* reached through a pointer loaded from a global or from a member
// of an object a variable points to: `tab.slots[i] = calloc(...)`,
// `pool->items[i] = malloc(...)`); and
// an accessed object's, from the pointer the code computed the access's address from.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstddef>
#include <cstdint>
#include <functional>

#include "code_flow.h"

namespace threadlens::flow_types {

// Up to `n` bytes of code at link-time address `addr`; how many.
using CodeAt = std::function<size_t(uint64_t addr, unsigned char* out, size_t n)>;
// The function whose code spans [start, end), decoded (kept by the caller: one function is
// asked for again for every race in it); nullptr when its code cannot be read.
using FunctionAt = std::function<const code_flow::Function*(uint64_t start, uint64_t end)>;
// The global variable holding link-time address `addr`: its type and the offset in it.
using GlobalAt = std::function<bool(uint64_t addr, Dwarf_Die& type, uint64_t& offset)>;
// What the pointer member at `offset` of the object a variable points to points to, the
// variable being where the debug info places it at `pc`: in DWARF register `reg`, or
// (`reg` -1) in the %rbp frame slot `slot` (dwarf_scopes::MemberPointee).
using MemberPointee = std::function<bool(uint64_t pc, int reg, int64_t slot, int64_t offset,
                                         Dwarf_Die& type)>;

// T*'s T for the variable the debug info places at `pc` in DWARF register `reg`, or (`reg`
// -1) in the %rbp frame slot `slot` (dwarf_scopes::VariablePointee).
using VariablePointee = std::function<bool(uint64_t pc, int reg, int64_t slot, Dwarf_Die& type)>;

// The type of the object an instrumented access lies in, and the access's offset in it, from
// the code that computed the address passed to its check (the call returning to `ret`):
// the first register or -O0 frame slot on the way that the debug info says holds a T*
// (or a member load from such an object, or a load from a global T*). False when no such variable is on the way.
bool AccessedObject(Dwarf_Die cu_die, uint64_t ret, const FunctionAt& function_at,
                    const VariablePointee& variable_pointee, const MemberPointee& member_pointee,
                    const GlobalAt& global_at, Dwarf_Die& type, int64_t& offset);

// The local variable of the frame running at `pc` that holds `disp` past register `reg`
// (%rbp 5 or %rsp 4, x86 numbers): its type, and the offset in it.
using FrameVariable =
    std::function<bool(uint64_t pc, int reg, int64_t disp, Dwarf_Die& type, uint64_t& offset)>;

// T, for the allocation that returns to `ret` in unit `cu_die`.
bool StoredType(Dwarf_Die cu_die, uint64_t ret, const CodeAt& code_at,
                const FunctionAt& function_at, const GlobalAt& global_at,
                const MemberPointee& member_pointee, const FrameVariable& frame_variable,
                Dwarf_Die& type);
// Functions longer than this are not decoded: a decoded instruction with its details takes
// about 2 KiB, so one such function about 35 MiB.
inline constexpr uint64_t kMaxFunctionBytes = 64 << 10;

}  // namespace threadlens::flow_types
