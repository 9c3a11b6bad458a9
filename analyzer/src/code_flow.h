// Where an allocation's pointer goes, read from x86-64 machine code decoded with Capstone:
// the store that keeps it, and where that store's address came from. For the names of heap
// blocks whose pointer lands in an array element or behind a pointer loaded from a global
// (`workers[i] = malloc(...)`, `tab.slots[i] = calloc(...)`), which the debug info does not
// describe: the registers holding those addresses are temporaries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace threadlens::code_flow {

// A store of the pointer: to `disp(base, index, scale)`, or to a %rip-relative address.
struct Store {
  uint64_t pc = 0;       // the store's address
  int base = -1;         // x86 register number (rax 0 ... r15 15), -1: none
  bool indexed = false;  // an index register scales into the address
  int index = -1;        // that register (x86 number), and its scale
  int scale = 1;
  int64_t disp = 0;
  bool rip = false;      // %rip-relative: `target` is the address
  uint64_t target = 0;
};

// The first store into memory (not a %rbp frame slot) of the pointer an allocation returned,
// following it from `ret` (the call's return address; `code` its bytes) through register
// moves, frame slots, calls (callee-saved registers keep it), forward jumps and the
// fall-through of conditional ones. Nothing when it is not stored within a few dozen
// instructions.
// `frame`, when given, receives the stores into the frame met on the way (spills, or
// elements of a local array: only the debug info tells which).
// `held`, when given, receives the registers holding the pointer before each instruction
// of the walk, up to the store.
struct Held {
  uint64_t pc = 0;    // the instruction's address
  uint32_t regs = 0;  // bit k: x86 register k holds the pointer
};
std::optional<Store> PointerStore(const unsigned char* code, size_t size, uint64_t ret,
                                  std::vector<Store>* frame = nullptr,
                                  std::vector<Held>* held = nullptr);

// A function's code, decoded once for the walks below (`code`: its bytes from `start`).
class Function {
 public:
  Function(const unsigned char* code, size_t size, uint64_t start);
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;
  struct Impl;
  const Impl& impl() const { return *impl_; }
  size_t instructions() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Where a register's value came from.
struct Origin {
  enum Kind {
    kAddressOf,   // the address `address` (`lea g(%rip), %reg`), moved on by `adjusted`
    kLoadedFrom,  // the 8 bytes loaded from `address` (`mov g(%rip), %reg`)
    // The member at `member` of the object register `object` points to at `at`
    // (`mov 0x10(%rdi), %reg`); `object` -1: the register was loaded from the %rbp frame
    // slot `slot` just before (-O0).
    kLoadedFromMember,
    // An address in the frame: `member` past register `object` (%rbp 5 or %rsp 4) at `at`
    // (`lea -0x40(%rbp), %reg`: a local array).
    kFrameAddress,
  } kind = kAddressOf;
  uint64_t address = 0;
  int object = -1;
  int64_t member = 0, slot = 0;
  uint64_t at = 0;
  bool adjusted = false;  // added to since (an index, a loop's step): the offset is not known
};

// The origin of register `reg` (x86 number) at `pc`, in the function whose code starts at
// `start` (`code`, its bytes, past `pc` to cover a loop around it): the definitions before
// `pc`, in address order, back through moves, %rbp frame slots and additions; a definition
// after `pc` inside a loop that jumps back over it counts as an addition. A pointer another allocation
// returned counts as loaded from the global it was stored into. Nothing when another kind of
// definition, or a call that clobbers the register, comes first.
std::optional<Origin> RegisterOrigin(const Function& fn, uint64_t pc, int reg);
std::optional<Origin> RegisterOrigin(const unsigned char* code, size_t size, uint64_t start,
                                     uint64_t pc, int reg);

// What an access's address was computed from, for the type of the object it lies in: the
// value of register `reg` (x86 number) at `at`, or at -O0 (`reg` -1) of the %rbp frame slot
// `slot`, plus `offset`; `member` >= 0: the pointer loaded from the member at that offset of
// the object the register points to (the address is then that pointer plus `offset`);
// `global`: the pointer loaded from a global. `more`: members loaded after that, in order,
// each from the object the pointer before points to (`txn->env->info->readers`: `member`
// env's, then info's), the address being the last pointer plus `offset`.
struct AddressBase {
  int reg = -1;
  int64_t slot = 0;
  uint64_t at = 0;
  int64_t offset = 0;
  int64_t member = -1;
  uint64_t global = 0;  // else: the pointer loaded from the global at this address, plus `offset`
  uint64_t until = 0;   // a register still holds the value here (the latest such pc), or 0
  std::vector<int64_t> more;
  bool rsp = false;  // `slot` is past %rsp (a pointer spilled at -O1 and above), not %rbp
};
// Pointers loaded one from another on the way back to a base, at most.
inline constexpr size_t kMaxMemberLoads = 4;

// The bases of the address passed in register `reg` to the call that returns to `ret` (an
// instrumented access's check; `code`, the bytes of the function that starts at `start`,
// past `ret` to the access), nearest first: each register it was computed from by moves,
// constant additions and member loads (kMaxMemberLoads), back to a frame slot or a load from
// a global (an index ends the walk). Empty
// unless the instruction after the call accesses memory at one of these bases with its
// offset: a call that checks no access made right after it (memcpy's) names nothing.
std::vector<AddressBase> AddressBases(const Function& fn, uint64_t ret, int reg);
std::vector<AddressBase> AddressBases(const unsigned char* code, size_t size, uint64_t start,
                                      uint64_t ret, int reg);

}  // namespace threadlens::code_flow
