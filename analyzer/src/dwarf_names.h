// Names for data from one module's DWARF, read with elfutils libdw: the global variable at a
// link-time address with the path of the field inside it ("stats.errors", "table[3].count"),
// and the type a library allocation function allocates ("Account", "int[100]").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace threadlens {

// A global (or function-local static) variable that contains a queried address.
struct DwarfGlobal {
  uint64_t start = 0;  // link-time address of the variable
  uint64_t size = 0;
  std::string name;  // as written in the source, qualified by namespaces and classes
  std::string path;  // field path from the variable to the address: ".errors", "[3].count",
                     // "" at a scalar's start; "+N" when no member covers the byte
  // The compiler split the variable into pieces at several addresses (a static struct whose
  // fields became globals of their own): the symbols there ("impl.1") are not its name.
  bool split = false;
};

// A local variable (or parameter) of a frame that covers a queried stack address.
struct DwarfLocal {
  std::string name;      // "buf"
  std::string path;      // field path inside it, as for globals: "[3]", ".count", ""
  std::string function;  // the function that declares it: "worker", "Pool::run"
};

class DwarfNames {
 public:
  // The DWARF of the ELF file at `path`, or nullptr when it has none (stripped, or kept in a
  // separate debug file). Global variables are indexed on the first query.
  static std::unique_ptr<DwarfNames> Open(const std::string& path);
  virtual ~DwarfNames() = default;

  // The variable whose storage holds link-time address `vaddr`, or false.
  virtual bool Global(uint64_t vaddr, DwarfGlobal& out) = 0;
  // The thread_local variable at `offset` in the module's thread-local block (each thread
  // has its own block; `start` is then the variable's offset), or false.
  virtual bool ThreadLocal(uint64_t offset, DwarfGlobal& out) = 0;
  // The local variable at byte `offset` above the stack pointer of the frame that runs at
  // link-time `pc`, or false. `fp_offset`: where the frame pointer register was above the
  // stack pointer, when known. Only locals the DWARF places at a fixed offset from the frame
  // base (DW_OP_fbreg at `pc`), in functions whose frame base is the stack pointer or the
  // frame pointer; only scopes that hold `pc`.
  virtual bool Local(uint64_t pc, uint64_t offset, std::optional<uint64_t> fp_offset,
                     DwarfLocal& out) = 0;

  // The offset of the canonical frame address above the stack pointer at link-time `pc`,
  // when the call frame information gives the CFA as the stack pointer plus a constant.
  virtual std::optional<int64_t> CfaAboveSp(uint64_t pc) = 0;

  // The field path at `offset` inside the type the function inlined at `pc` allocates, when
  // that function is a standard library allocator whose template argument names the type:
  // std::make_unique<Account> (one object: "Account::balance") and
  // std::allocator<T>::allocate (an array of T sized by the block: "Account[3].balance",
  // "int[50]"); else the type T of a T* variable the debug info places in the call's
  // return value register at its return address (`c = calloc(1, sizeof(conn))`:
  // "conn::transport"; only a block of one T: a larger one may hold a payload after it,
  // but an int* or double* block is an array, "int[3]").
  // "" when the allocation site tells nothing sound about the type. `pc` is link-time and
  // lies inside the allocating call, which is its last instruction.
  // `bytes`: set when the type is one byte (char, unsigned char, std::byte): raw memory.
  virtual std::string AllocatedField(uint64_t pc, uint64_t block_size, uint64_t offset,
                                     bool* bytes = nullptr) = 0;
  // What byte `delta` past the address an instrumented access made is, from the type of the
  // pointer the code computed that address from ("item::uses"): `ret` is the link-time
  // return address of the access's check call. "" when the code and debug info do not say.
  virtual std::string AccessedField(uint64_t ret, int64_t delta) = 0;
};

}  // namespace threadlens
