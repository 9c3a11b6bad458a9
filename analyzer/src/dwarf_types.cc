// Walking DWARF types (see dwarf_types.h).
#include "dwarf_types.h"

#include <dwarf.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace threadlens::dwarf_types {

bool TypeOf(Dwarf_Die* die, Dwarf_Die* type) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

// Strips typedefs and qualifiers; false for void or a broken reference.
bool Peel(Dwarf_Die* die) {
  for (int i = 0; i < kMaxDepth; ++i) {
    switch (dwarf_tag(die)) {
      case DW_TAG_typedef:
      case DW_TAG_const_type:
      case DW_TAG_volatile_type:
      case DW_TAG_restrict_type:
      case DW_TAG_atomic_type:
        if (!TypeOf(die, die)) return false;
        break;
      default:
        return true;
    }
  }
  return false;
}

std::string TypeName(Dwarf_Die type) {
  if (!Peel(&type)) return "";
  if (const char* name = dwarf_diename(&type)) {
    // The standard library's classes say so (the DWARF name has no scope).
    Dwarf_Die* scopes = nullptr;
    const int n = dwarf_getscopes_die(&type, &scopes);
    bool in_std = false;
    for (int i = n - 1; i >= 1; --i) {
      if (dwarf_tag(&scopes[i]) != DW_TAG_namespace) continue;
      const char* ns = dwarf_diename(&scopes[i]);  // the outermost namespace
      in_std = ns && std::strcmp(ns, "std") == 0;
      break;
    }
    free(scopes);
    return in_std ? std::string("std::") + name : std::string(name);
  }
  // Anonymous: the typedef of its unit that names it.
  Dwarf_Die cu, child;
  if (!dwarf_diecu(&type, &cu, nullptr, nullptr) || dwarf_child(&cu, &child) != 0) return "";
  const Dwarf_Off want = dwarf_dieoffset(&type);
  do {
    Dwarf_Attribute a;
    Dwarf_Die target;
    if (dwarf_tag(&child) == DW_TAG_typedef && dwarf_attr(&child, DW_AT_type, &a) &&
        dwarf_formref_die(&a, &target) && dwarf_dieoffset(&target) == want) {
      const char* name = dwarf_diename(&child);
      return name ? name : "";
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return "";
}

std::optional<uint64_t> SizeOf(Dwarf_Die type) {
  if (!Peel(&type)) return std::nullopt;
  Dwarf_Word size = 0;
  if (dwarf_aggregate_size(&type, &size) == 0) return size;
  // Pointers and references carry no byte size in clang's DWARF: the address size.
  switch (dwarf_tag(&type)) {
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
    case DW_TAG_ptr_to_member_type: {
      Dwarf_Die cu;
      uint8_t address_size = 0;
      if (dwarf_diecu(&type, &cu, &address_size, nullptr) && address_size) return address_size;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<uint64_t> Unsigned(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute a;
  Dwarf_Word v = 0;
  if (!dwarf_attr(die, name, &a) || dwarf_formudata(&a, &v) != 0) return std::nullopt;
  return v;
}

// Byte range [first, last] of a data member inside its parent; nullopt for a static member.
struct Extent {
  uint64_t first = 0;
  uint64_t end = 0;  // one past the last byte; UINT64_MAX for a flexible array
};

std::optional<Extent> MemberExtent(Dwarf_Die* member, bool in_union) {
  if (dwarf_hasattr(member, DW_AT_declaration) || dwarf_hasattr(member, DW_AT_external)) {
    return std::nullopt;
  }
  Dwarf_Die type;
  if (!TypeOf(member, &type)) return std::nullopt;
  if (auto bits = Unsigned(member, DW_AT_bit_size)) {
    uint64_t bit_offset = 0;
    if (auto b = Unsigned(member, DW_AT_data_bit_offset)) {
      bit_offset = *b;
    } else if (auto loc = Unsigned(member, DW_AT_data_member_location)) {
      bit_offset = *loc * 8;  // DWARF 2-3 style bitfields are not described finer: give up
      if (dwarf_hasattr(member, DW_AT_bit_offset)) return std::nullopt;
    }
    return Extent{bit_offset / 8, (bit_offset + *bits + 7) / 8};
  }
  uint64_t loc = 0;
  Dwarf_Attribute a;
  if (dwarf_attr(member, DW_AT_data_member_location, &a)) {
    Dwarf_Word v = 0;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (dwarf_formudata(&a, &v) == 0) {
      loc = v;
    } else if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst) {
      loc = ops[0].number;
    } else {
      return std::nullopt;
    }
  } else if (!in_union) {
    return std::nullopt;
  }
  std::optional<uint64_t> size = SizeOf(type);
  Dwarf_Die peeled = type;
  if (!size) {
    // A trailing `T items[]`: it extends past its parent's size.
    if (Peel(&peeled) && dwarf_tag(&peeled) == DW_TAG_array_type) return Extent{loc, UINT64_MAX};
    return std::nullopt;
  }
  return Extent{loc, loc + *size};
}

// Identifiers reserved for the implementation: "__x" and "_X".
bool IsReserved(const char* name) {
  return name[0] == '_' && (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z'));
}

// The vtable pointer the compiler adds to a polymorphic class (clang's `_vptr$Base`, gcc's
// `_vptr.Base`): no name the user wrote; "vptr", as ThreadSanitizer says it.
bool IsVptr(const char* name) {
  return std::strncmp(name, "_vptr$", 6) == 0 || std::strncmp(name, "_vptr.", 6) == 0;
}

void AppendOffset(std::string& path, uint64_t off) {
  if (off) path += "+" + std::to_string(off);
}

void FieldPath(Dwarf_Die type, uint64_t off, std::string& path, int depth);

// An array of bytes (char, unsigned char, std::byte): in a union, a raw view of the bytes
// beside what they hold (`char pad[64]` padding a struct to a cache line, as LMDB's reader
// slots and many lock-free queues do), which says nothing of what a byte is.
bool IsByteArray(Dwarf_Die* member) {
  Dwarf_Die t, element;
  if (!TypeOf(member, &t) || !Peel(&t) || dwarf_tag(&t) != DW_TAG_array_type) return false;
  if (!TypeOf(&t, &element) || !Peel(&element)) return false;
  const int tag = dwarf_tag(&element);
  if (tag != DW_TAG_base_type && tag != DW_TAG_enumeration_type) return false;
  const std::optional<uint64_t> size = SizeOf(element);
  return size && *size == 1;
}

// A struct, class or union: the one member holding byte `off`. A data member wins over a
// base class subobject that overlaps it (an empty base shares the first member's offset); in
// a union, a member that is not a byte array over one that is.
void MemberPath(Dwarf_Die& type, uint64_t off, std::string& path, int depth) {
  const bool is_union = dwarf_tag(&type) == DW_TAG_union_type;
  Dwarf_Die child, member, base, raw;
  int members = 0, bases = 0, raws = 0;
  uint64_t member_first = 0, base_first = 0;
  if (dwarf_child(&type, &child) == 0) {
    do {
      int tag = dwarf_tag(&child);
      if (tag != DW_TAG_member && tag != DW_TAG_inheritance) continue;
      std::optional<Extent> e = MemberExtent(&child, is_union);
      if (!e || off < e->first || off >= e->end) continue;
      if (is_union && tag == DW_TAG_member && IsByteArray(&child)) {
        if (raws++ == 0) raw = child;  // named only when no other member holds the byte
        continue;
      }
      if (tag == DW_TAG_member) {
        member = child;
        member_first = e->first;
        ++members;
      } else {
        base = child;
        base_first = e->first;
        ++bases;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  Dwarf_Die* chosen = nullptr;
  uint64_t first = 0;
  if (members == 1) {
    chosen = &member;
    first = member_first;
  } else if (members == 0 && bases == 0 && raws == 1) {
    chosen = &raw;  // a union of one byte array here: its element
  } else if (members == 0 && bases == 1) {
    chosen = &base;
    first = base_first;
  }
  Dwarf_Die member_type;
  if (!chosen || !TypeOf(chosen, &member_type)) return AppendOffset(path, off);
  // Base classes and anonymous members add no name: their fields read as the parent's.
  const char* name = dwarf_tag(chosen) == DW_TAG_member ? dwarf_diename(chosen) : nullptr;
  // The standard library's insides (std::mutex::_M_mutex, std::atomic's _M_i) are reserved
  // names no user wrote: the object is named, as the user declared it; but a type of the
  // user's inside a named class (the T of std::atomic<T>, std::array's elements) names its
  // fields and elements, as if the object were one. (The C library's types hide theirs in
  // structs of no name: a sigset_t's words stay unnamed.)
  if (name && IsReserved(name)) {
    const char* outer_name = dwarf_diename(&type);
    if (!outer_name || IsReserved(outer_name)) return AppendOffset(path, off);
    Dwarf_Die inner = member_type;
    const int tag = Peel(&inner) ? dwarf_tag(&inner) : 0;
    const char* inner_name = dwarf_diename(&inner);
    const bool record = (tag == DW_TAG_structure_type || tag == DW_TAG_class_type ||
                         tag == DW_TAG_union_type) &&
                        inner_name && !IsReserved(inner_name);
    if (!record && tag != DW_TAG_array_type) return AppendOffset(path, off);
    return FieldPath(member_type, off - first, path, depth + 1);
  }
  if (name && IsVptr(name)) name = "vptr";
  if (name && *name) path += std::string(".") + name;
  // A bitfield names the member; a byte inside it has no finer name.
  if (dwarf_hasattr(chosen, DW_AT_bit_size)) return;
  FieldPath(member_type, off - first, path, depth + 1);
}

// An array: "[i]" per dimension, row-major, then the element's path.
void ElementPath(Dwarf_Die& type, uint64_t off, std::string& path, int depth) {
  Dwarf_Die element;
  std::optional<uint64_t> element_size;
  if (TypeOf(&type, &element)) element_size = SizeOf(element);
  if (!element_size || *element_size == 0) return AppendOffset(path, off);
  std::vector<std::optional<uint64_t>> counts;
  Dwarf_Die child;
  if (dwarf_child(&type, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
      std::optional<uint64_t> count = Unsigned(&child, DW_AT_count);
      if (!count) {
        if (auto upper = Unsigned(&child, DW_AT_upper_bound)) count = *upper + 1;
      }
      counts.push_back(count);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (counts.empty()) counts.emplace_back();
  uint64_t index = off / *element_size;
  // Every dimension but the first must have a count, or the split is unknown.
  std::vector<uint64_t> indices(counts.size());
  for (size_t d = counts.size(); d-- > 1;) {
    if (!counts[d] || *counts[d] == 0) return AppendOffset(path, off);
    indices[d] = index % *counts[d];
    index /= *counts[d];
  }
  indices[0] = index;
  if (counts[0] && index >= *counts[0]) return AppendOffset(path, off);
  for (uint64_t i : indices) path += "[" + std::to_string(i) + "]";
  FieldPath(element, off % *element_size, path, depth + 1);
}

namespace {

// The member of struct `type` that holds byte `off`, and where it starts.
bool MemberHolding(Dwarf_Die type, uint64_t off, Dwarf_Die& member_type, uint64_t& first) {
  Dwarf_Die child;
  if (dwarf_child(&type, &child) != 0) return false;
  do {
    if (dwarf_tag(&child) != DW_TAG_member) continue;
    const std::optional<Extent> e = MemberExtent(&child, false);
    if (!e || off < e->first || off >= e->end) continue;
    first = e->first;
    return TypeOf(&child, &member_type);
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

}  // namespace

bool PointerMemberAt(Dwarf_Die type, uint64_t off, Dwarf_Die& member, int depth) {
  if (depth > kMaxDepth || !Peel(&type)) return false;
  const int tag = dwarf_tag(&type);
  if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type) return false;
  Dwarf_Die t;
  uint64_t first;
  if (!MemberHolding(type, off, t, first) || !Peel(&t)) return false;
  if (off == first && dwarf_tag(&t) == DW_TAG_pointer_type) {
    member = t;
    return true;
  }
  return PointerMemberAt(t, off - first, member, depth + 1);
}

namespace {

// An array's element type and size.
bool Element(Dwarf_Die array, Dwarf_Die& element, uint64_t& size) {
  if (!TypeOf(&array, &element)) return false;
  const std::optional<uint64_t> s = SizeOf(element);
  if (!s || *s == 0) return false;
  size = *s;
  return true;
}

}  // namespace

bool PointerAt(Dwarf_Die type, uint64_t off, Dwarf_Die& pointer, int depth) {
  if (depth > kMaxDepth || !Peel(&type)) return false;
  Dwarf_Die inner;
  uint64_t first = 0;
  switch (dwarf_tag(&type)) {
    case DW_TAG_pointer_type:
      if (off != 0) return false;
      pointer = type;
      return true;
    case DW_TAG_array_type:
      return Element(type, inner, first) && PointerAt(inner, off % first, pointer, depth + 1);
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
      return MemberHolding(type, off, inner, first) &&
             PointerAt(inner, off - first, pointer, depth + 1);
    default:
      return false;
  }
}

bool ElementPointerAt(Dwarf_Die type, uint64_t off, Dwarf_Die& pointer, int depth) {
  if (depth > kMaxDepth || !Peel(&type)) return false;
  Dwarf_Die inner;
  uint64_t first = 0;
  switch (dwarf_tag(&type)) {
    case DW_TAG_array_type: {
      if (!Element(type, inner, first)) return false;
      Dwarf_Die peeled = inner;
      if (Peel(&peeled) && dwarf_tag(&peeled) == DW_TAG_pointer_type) {
        pointer = peeled;
        return true;
      }
      return ElementPointerAt(inner, off % first, pointer, depth + 1);
    }
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
      return MemberHolding(type, off, inner, first) &&
             ElementPointerAt(inner, off - first, pointer, depth + 1);
    default:
      return false;
  }
}

bool Pointee(Dwarf_Die pointer, Dwarf_Die& type) {
  Dwarf_Attribute a;
  if (!Peel(&pointer) || dwarf_tag(&pointer) != DW_TAG_pointer_type ||
      !dwarf_attr(&pointer, DW_AT_type, &a) || !dwarf_formref_die(&a, &type)) {
    return false;
  }
  return Peel(&type);
}

void FieldPath(Dwarf_Die type, uint64_t off, std::string& path, int depth) {
  if (depth > kMaxDepth || !Peel(&type)) return AppendOffset(path, off);
  switch (dwarf_tag(&type)) {
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
      return MemberPath(type, off, path, depth);
    case DW_TAG_array_type:
      return ElementPath(type, off, path, depth);
    default:
      return AppendOffset(path, off);
  }
}

namespace {

// The member of struct `type` named `name`, and its offset.
bool Member(Dwarf_Die type, const char* name, Dwarf_Die& member, uint64_t& offset) {
  if (!Peel(&type)) return false;
  Dwarf_Die child;
  if (dwarf_child(&type, &child) != 0) return false;
  do {
    const char* n = dwarf_diename(&child);
    if (dwarf_tag(&child) != DW_TAG_member || !n || std::strcmp(n, name) != 0) continue;
    std::optional<Extent> e = MemberExtent(&child, false);
    if (!e) return false;
    member = child;
    offset = e->first;
    return true;
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

}  // namespace

bool InplaceObject(Dwarf_Die block, Dwarf_Die& object, uint64_t& offset) {
  if (!Peel(&block)) return false;
  const char* name = dwarf_diename(&block);
  if (!name || std::strncmp(name, "_Sp_counted_ptr_inplace<", 24) != 0) return false;
  // libstdc++: the object lives in _M_impl._M_storage; its type is the first template
  // argument.
  Dwarf_Die impl, storage, child;
  uint64_t impl_at = 0, storage_at = 0;
  if (!Member(block, "_M_impl", impl, impl_at)) return false;
  Dwarf_Die impl_type;
  if (!TypeOf(&impl, &impl_type) || !Member(impl_type, "_M_storage", storage, storage_at)) {
    return false;
  }
  if (dwarf_child(&block, &child) != 0) return false;
  do {
    if (dwarf_tag(&child) == DW_TAG_template_type_parameter) {
      if (!TypeOf(&child, &object)) return false;
      offset = impl_at + storage_at;
      return true;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
  return false;
}

}  // namespace threadlens::dwarf_types
