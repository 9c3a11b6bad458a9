// Capstone's x86-64 decoding, as code_flow.cc and access_flow.cc read it: registers by their
// x86 number (rax 0 ... r15 15), frame slots, and what an instruction writes.
#pragma once

#include <capstone/capstone.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "capstone_api.h"
#include "code_flow.h"

namespace threadlens::code_flow::x86 {

constexpr uint32_t kCallerSaved = 0x0fc7;  // rax rcx rdx rsi rdi r8-r11
constexpr int kRsp = 4, kRbp = 5;

// Capstone's register to its 64-bit register's x86 number, -1 for any other register.
inline int Gpr(unsigned reg) {
  switch (reg) {
    case X86_REG_RAX: case X86_REG_EAX: case X86_REG_AX: case X86_REG_AL: case X86_REG_AH:
      return 0;
    case X86_REG_RCX: case X86_REG_ECX: case X86_REG_CX: case X86_REG_CL: case X86_REG_CH:
      return 1;
    case X86_REG_RDX: case X86_REG_EDX: case X86_REG_DX: case X86_REG_DL: case X86_REG_DH:
      return 2;
    case X86_REG_RBX: case X86_REG_EBX: case X86_REG_BX: case X86_REG_BL: case X86_REG_BH:
      return 3;
    case X86_REG_RSP: case X86_REG_ESP: case X86_REG_SP: case X86_REG_SPL: return kRsp;
    case X86_REG_RBP: case X86_REG_EBP: case X86_REG_BP: case X86_REG_BPL: return kRbp;
    case X86_REG_RSI: case X86_REG_ESI: case X86_REG_SI: case X86_REG_SIL: return 6;
    case X86_REG_RDI: case X86_REG_EDI: case X86_REG_DI: case X86_REG_DIL: return 7;
    default: break;
  }
  for (unsigned first : {X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B}) {
    if (reg >= first && reg < first + 8) return 8 + static_cast<int>(reg - first);
  }
  return -1;
}

// A Capstone handle for x86-64 with instruction details; not ok() when the library could not
// be loaded (then nothing is decoded).
class Decoder {
 public:
  Decoder() : api_(Capstone()) {
    ok_ = api_ && api_->open(CS_ARCH_X86, CS_MODE_64, &h_) == CS_ERR_OK;
    if (ok_) api_->option(h_, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Decoder() {
    if (ok_) api_->close(&h_);
  }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  bool ok() const { return ok_; }
  // All of `size` bytes at `address`, into `*out` (freed with Free); how many. Needs ok().
  size_t Disasm(const uint8_t* code, size_t size, uint64_t address, cs_insn** out) const {
    return api_->disasm(h_, code, size, address, 0, out);
  }
  // One instruction into `insn` (from Malloc), advancing the cursor. Needs ok().
  bool Next(const uint8_t** code, size_t* size, uint64_t* address, cs_insn* insn) const {
    return api_->disasm_iter(h_, code, size, address, insn);
  }
  cs_insn* Malloc() const { return api_->malloc(h_); }
  void Free(cs_insn* insns, size_t n) const { api_->free(insns, n); }
  bool InGroup(const cs_insn& insn, uint8_t group) const {
    return api_->insn_group(h_, &insn, group);
  }
  // Control never goes from `insn` on to the instruction at `next`: a jump elsewhere, a
  // return, a trap. Walking back past it, a register's value came another way.
  bool EndsFlow(const cs_insn& insn, uint64_t next) const {
    if (insn.id == X86_INS_JMP) {
      const cs_x86& x = insn.detail->x86;
      return !(x.op_count == 1 && x.operands[0].type == X86_OP_IMM &&
               static_cast<uint64_t>(x.operands[0].imm) == next);
    }
    return InGroup(insn, CS_GRP_RET) || insn.id == X86_INS_UD2;
  }
  // `insn` may change register `reg`: it writes it, or it is a call and `reg` is not
  // callee-saved.
  bool Clobbers(const cs_insn& insn, int reg) const {
    if (insn.id == X86_INS_CALL && (kCallerSaved >> reg & 1)) return true;
    return (Written(insn) >> reg & 1) != 0;
  }
  // The 64-bit registers `insn` writes, as a bit per x86 number.
  uint32_t Written(const cs_insn& insn) const {
    cs_regs read, write;
    uint8_t nread = 0, nwrite = 0;
    if (api_->regs_access(h_, &insn, read, &nread, write, &nwrite) != CS_ERR_OK) return ~0u;
    uint32_t out = 0;
    for (uint8_t i = 0; i < nwrite; ++i) {
      if (const int g = Gpr(write[i]); g >= 0) out |= 1u << g;
    }
    return out;
  }

 private:
  const CapstoneApi* api_;
  csh h_ = 0;
  bool ok_ = false;
};

// A frame slot: disp(%rbp) or disp(%rsp), without an index.
struct Slot {
  int base = -1;
  int64_t disp = 0;
  bool operator==(const Slot&) const = default;
};

inline std::optional<Slot> SlotOf(const cs_x86_op& op) {
  if (op.type != X86_OP_MEM || op.mem.index != X86_REG_INVALID) return std::nullopt;
  const int base = Gpr(op.mem.base);
  if (base != kRbp && base != kRsp) return std::nullopt;
  return Slot{base, op.mem.disp};
}

inline bool IsReg(const cs_x86_op& op, int size) {
  return op.type == X86_OP_REG && op.size == size;
}

}  // namespace threadlens::code_flow::x86

namespace threadlens::code_flow {

// A function's bytes and its instructions, decoded once, with details, in address order.
struct Function::Impl {
  x86::Decoder d;
  std::vector<unsigned char> bytes;
  uint64_t start = 0;
  cs_insn* insns = nullptr;
  size_t n = 0;
  ~Impl() {
    if (insns) d.Free(insns, n);
  }
  // The instruction at `address`, or n.
  size_t IndexOf(uint64_t address) const {
    const cs_insn* begin = insns;
    const cs_insn* end = insns + n;
    const cs_insn* it = std::lower_bound(
        begin, end, address, [](const cs_insn& i, uint64_t a) { return i.address < a; });
    return it != end && it->address == address ? static_cast<size_t>(it - begin) : n;
  }
};

}  // namespace threadlens::code_flow
