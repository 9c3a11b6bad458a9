// Types from machine code: stores of allocations' pointers, and accesses' addresses (see
// flow_types.h).
#include "flow_types.h"

#include <algorithm>
#include <vector>

#include "code_flow.h"
#include "dwarf_scopes.h"
#include "dwarf_types.h"

namespace threadlens::flow_types {

using dwarf_types::ElementPointerAt;
using dwarf_types::PointerAt;
using dwarf_types::Pointee;
using dwarf_scopes::DwarfRegister;

namespace {

// Where the function holding `pc` begins and ends (its range that holds `pc`).
bool FunctionRange(Dwarf_Die cu_die, uint64_t pc, uint64_t& start, uint64_t& end) {
  std::vector<Dwarf_Die> chain;
  if (!dwarf_scopes::ScopeChain(cu_die, pc, chain, 0) || chain.empty()) return false;
  Dwarf_Addr base, lo, hi;
  ptrdiff_t at = 0;
  while ((at = dwarf_ranges(&chain[0], at, &base, &lo, &hi)) > 0) {
    if (pc >= lo && pc < hi) {
      start = lo;
      end = hi;
      return true;
    }
  }
  return false;
}

// What a store at `disp` (into some element when `some_element`) of what a register points
// to, an `object`, keeps: an array of T* (`object` is T*: any element is one), or an object
// with a T* member there.
bool PointeeAt(Dwarf_Die object, bool some_element, int64_t disp, Dwarf_Die& type) {
  Dwarf_Die pointer;
  if (dwarf_tag(&object) == DW_TAG_pointer_type) return Pointee(object, type);
  if (disp < 0) return false;
  const uint64_t at = static_cast<uint64_t>(disp);
  if (some_element) return ElementPointerAt(object, at, pointer, 0) && Pointee(pointer, type);
  return PointerAt(object, at, pointer, 0) && Pointee(pointer, type);
}

}  // namespace

bool StoredType(Dwarf_Die cu_die, uint64_t ret, const CodeAt& code_at,
                const FunctionAt& function_at, const GlobalAt& global_at,
                const MemberPointee& member_pointee, const FrameVariable& frame_variable,
                Dwarf_Die& type) {
  unsigned char code[256];
  const size_t have = code_at(ret, code, sizeof code);
  std::vector<code_flow::Store> frame;
  const std::optional<code_flow::Store> store =
      code_flow::PointerStore(have ? code : nullptr, have, ret, &frame);
  Dwarf_Die global, pointer;
  uint64_t off = 0;
  // A store into a local array on the way (-O1 and above keep it at %rsp): the first whose
  // frame location the debug info gives to a variable with a pointer there.
  for (const code_flow::Store& f : frame) {
    if (frame_variable(f.pc, f.base, f.disp, global, off) &&
        (f.indexed ? ElementPointerAt(global, off, pointer, 0)
                   : PointerAt(global, off, pointer, 0)) &&
        Pointee(pointer, type)) {
      return true;
    }
  }
  if (!store) return false;
  if (store->rip) {  // into a global: a member or an element of one (`workers+8`)
    return global_at(store->target, global, off) && PointerAt(global, off, pointer, 0) &&
           Pointee(pointer, type);
  }
  constexpr int kRsp = 4, kRbp = 5;
  if (store->base == kRsp || store->base == kRbp) {  // into a local array (-O0)
    return frame_variable(store->pc, store->base, store->disp, global, off) &&
           (store->indexed ? ElementPointerAt(global, off, pointer, 0)
                           : PointerAt(global, off, pointer, 0)) &&
           Pointee(pointer, type);
  }
  // Through a register: where its address came from, in the function's code before the store.
  uint64_t start = 0, end = 0;
  if (store->base < 0 || !FunctionRange(cu_die, store->pc, start, end) ||
      end - start > kMaxFunctionBytes) {
    return false;
  }
  const code_flow::Function* fn = function_at(start, end);
  if (!fn) return false;
  std::optional<code_flow::Origin> origin = code_flow::RegisterOrigin(*fn, store->pc, store->base);
  // `(%rdx,%rax,1)`: either register may hold the object's address (gcc -O0 puts it second).
  if (!origin && store->index >= 0 && store->scale == 1) {
    origin = code_flow::RegisterOrigin(*fn, store->pc, store->index);
  }
  if (!origin) return false;
  // An index or a step since: some element, not a known offset.
  const bool some_element = origin->adjusted || store->indexed;
  Dwarf_Die object;
  if (origin->kind == code_flow::Origin::kFrameAddress) {  // a local array (gcc -O2)
    if (!frame_variable(origin->at, origin->object, origin->member, global, off)) return false;
    if (some_element) return ElementPointerAt(global, off, pointer, 0) && Pointee(pointer, type);
    const int64_t at = static_cast<int64_t>(off) + store->disp;
    return at >= 0 && PointerAt(global, static_cast<uint64_t>(at), pointer, 0) &&
           Pointee(pointer, type);
  }
  if (origin->kind == code_flow::Origin::kLoadedFromMember) {
    // The register holds what a member of a variable's object points to.
    if (!member_pointee(origin->at, origin->object >= 0 ? DwarfRegister(origin->object) : -1,
                        origin->slot, origin->member, object)) {
      return false;
    }
    return PointeeAt(object, some_element, store->disp, type);
  }
  if (!global_at(origin->address, global, off)) return false;
  if (origin->kind == code_flow::Origin::kAddressOf) {
    if (some_element) return ElementPointerAt(global, off, pointer, 0) && Pointee(pointer, type);
    return store->disp >= 0 &&
           PointerAt(global, off + static_cast<uint64_t>(store->disp), pointer, 0) &&
           Pointee(pointer, type);
  }
  // The register holds the pointer kept in the global.
  return PointerAt(global, off, pointer, 0) && Pointee(pointer, object) &&
         PointeeAt(object, some_element, store->disp, type);
}

namespace {

// What the pointers loaded one from another point to, from the object of type `type`: the
// pointer member at each offset of `more` in turn.
bool FollowLoads(Dwarf_Die& type, const std::vector<int64_t>& more) {
  for (const int64_t m : more) {
    Dwarf_Die pointer;
    if (m < 0 || !PointerAt(type, static_cast<uint64_t>(m), pointer, 0) ||
        !Pointee(pointer, type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool AccessedObject(Dwarf_Die cu_die, uint64_t ret, const FunctionAt& function_at,
                    const VariablePointee& variable_pointee, const MemberPointee& member_pointee,
                    const GlobalAt& global_at, Dwarf_Die& type, int64_t& offset) {
  uint64_t start = 0, end = 0;
  if (ret == 0 || !FunctionRange(cu_die, ret - 1, start, end) || end - start > kMaxFunctionBytes) {
    return false;
  }
  const code_flow::Function* fn = function_at(start, end);
  if (!fn) return false;
  constexpr int kRdi = 7;  // the check's argument
  for (const code_flow::AddressBase& b : code_flow::AddressBases(*fn, ret, kRdi)) {
    const int reg = b.reg >= 0 ? DwarfRegister(b.reg) : b.rsp ? dwarf_scopes::kRspSlot : -1;
    Dwarf_Die global, pointer;
    uint64_t off = 0;
    const bool typed =
        b.global ? global_at(b.global, global, off) && PointerAt(global, off, pointer, 0) &&
                       Pointee(pointer, type) && FollowLoads(type, b.more)
        : b.member >= 0 ? member_pointee(b.at, reg, b.slot, b.member, type) &&
                              FollowLoads(type, b.more)
                        : (b.until && variable_pointee(b.until, reg, b.slot, type)) ||
                              variable_pointee(b.at, reg, b.slot, type);
    if (!typed) continue;
    if ((b.member >= 0 || !b.more.empty()) && dwarf_tag(&type) == DW_TAG_pointer_type) {
      return false;
    }
    offset = b.offset;
    return true;
  }
  return false;
}

}  // namespace threadlens::flow_types
