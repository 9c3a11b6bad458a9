// Walking the DWARF type of a variable (libdw): sizes, and the path to the member or element
// that holds a byte ("stats.errors", "table[3].count"). Where the DWARF does not say which
// member holds a byte (a union, two bitfields sharing it, padding), the path stops with
// "+N": a name must never point at the wrong member.
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>
#include <optional>
#include <string>

namespace threadlens::dwarf_types {

// Types nest by value only finitely, but damaged DWARF can loop.
inline constexpr int kMaxDepth = 64;

bool TypeOf(Dwarf_Die* die, Dwarf_Die* type);
// Strips typedefs and qualifiers; false for void or a broken reference.
bool Peel(Dwarf_Die* die);
std::optional<uint64_t> SizeOf(Dwarf_Die type);
// The name of `type` past typedefs and qualifiers ("std::" before the standard library's);
// for an anonymous struct, the typedef of its unit that names it (C's
// `typedef struct { ... } cache_t;`). "" when it has none.
std::string TypeName(Dwarf_Die type);
// Appends to `path` the member/element path of byte `off` inside `type`.
void FieldPath(Dwarf_Die type, uint64_t off, std::string& path, int depth);
// The pointer type of the member that starts at byte `off` of `type` (inside nested members
// too): `struct stats *` for `conn.st` at 8. False when no pointer member starts there.
bool PointerMemberAt(Dwarf_Die type, uint64_t off, Dwarf_Die& member, int depth);
// The pointer type at byte `off` of `type`: `type` itself at 0 when it is a pointer, else the
// pointer member or array element that starts there (`struct slot **` for `tab.slots` at 8).
bool PointerAt(Dwarf_Die type, uint64_t off, Dwarf_Die& pointer, int depth);
// The pointer type of the elements of the array of pointers that holds byte `off` of `type`
// (`struct worker *` for `workers`, whatever the element).
bool ElementPointerAt(Dwarf_Die type, uint64_t off, Dwarf_Die& pointer, int depth);
// What `pointer` points to, typedefs stripped; false for void.
bool Pointee(Dwarf_Die pointer, Dwarf_Die& type);
// The object std::make_shared built inside the control block of type `block` (libstdc++'s
// _Sp_counted_ptr_inplace<T, ...>): T, and where it starts in the block.
bool InplaceObject(Dwarf_Die block, Dwarf_Die& object, uint64_t& offset);

}  // namespace threadlens::dwarf_types
