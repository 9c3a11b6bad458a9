// Following an allocation's pointer through x86-64 code (see code_flow.h).
#include "code_flow.h"

#include <capstone/capstone.h>

#include <algorithm>
#include <vector>

namespace threadlens::code_flow {

namespace {

constexpr uint32_t kCallerSaved = 0x0fc7;  // rax rcx rdx rsi rdi r8-r11
constexpr int kRsp = 4, kRbp = 5;

// Capstone's register to its 64-bit register's x86 number, -1 for any other register.
int Gpr(unsigned reg) {
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

class Decoder {
 public:
  Decoder() {
    ok_ = cs_open(CS_ARCH_X86, CS_MODE_64, &h_) == CS_ERR_OK;
    if (ok_) cs_option(h_, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~Decoder() {
    if (ok_) cs_close(&h_);
  }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;
  bool ok() const { return ok_; }
  csh handle() const { return h_; }
  // The 64-bit registers `insn` writes, as a bit per x86 number.
  uint32_t Written(const cs_insn& insn) const {
    cs_regs read, write;
    uint8_t nread = 0, nwrite = 0;
    if (cs_regs_access(h_, &insn, read, &nread, write, &nwrite) != CS_ERR_OK) return ~0u;
    uint32_t out = 0;
    for (uint8_t i = 0; i < nwrite; ++i) {
      if (const int g = Gpr(write[i]); g >= 0) out |= 1u << g;
    }
    return out;
  }

 private:
  csh h_ = 0;
  bool ok_ = false;
};

// A frame slot: disp(%rbp) or disp(%rsp), without an index.
struct Slot {
  int base = -1;
  int64_t disp = 0;
  bool operator==(const Slot&) const = default;
};

std::optional<Slot> SlotOf(const cs_x86_op& op) {
  if (op.type != X86_OP_MEM || op.mem.index != X86_REG_INVALID) return std::nullopt;
  const int base = Gpr(op.mem.base);
  if (base != kRbp && base != kRsp) return std::nullopt;
  return Slot{base, op.mem.disp};
}

bool IsReg(const cs_x86_op& op, int size) { return op.type == X86_OP_REG && op.size == size; }

}  // namespace

std::optional<Store> PointerStore(const unsigned char* code, size_t size, uint64_t ret) {
  Decoder d;
  if (!code || !d.ok()) return std::nullopt;
  cs_insn* insn = cs_malloc(d.handle());
  if (!insn) return std::nullopt;
  uint32_t holds = 1;        // registers holding the pointer: %rax
  std::vector<Slot> slots;   // frame slots holding it
  std::optional<Store> out;
  size_t off = 0;
  for (int steps = 0; steps < 48 && off < size && (holds || !slots.empty()); ++steps) {
    const uint8_t* p = code + off;
    size_t left = size - off;
    uint64_t at = ret + off;
    if (!cs_disasm_iter(d.handle(), &p, &left, &at, insn)) break;
    const cs_x86& x = insn->detail->x86;
    const size_t next = off + insn->size;
    if (insn->id == X86_INS_CALL) {
      holds &= ~kCallerSaved;
      off = next;
      continue;
    }
    if (insn->id == X86_INS_JMP) {
      // Forward only, within the bytes at hand (-O0's jump to the normal edge of `new`).
      if (x.op_count != 1 || x.operands[0].type != X86_OP_IMM) break;
      const uint64_t target = static_cast<uint64_t>(x.operands[0].imm);
      if (target <= insn->address || target - ret >= size) break;
      off = target - ret;
      continue;
    }
    if (cs_insn_group(d.handle(), insn, CS_GRP_JUMP)) {  // conditional: the fall-through
      off = next;
      continue;
    }
    if (cs_insn_group(d.handle(), insn, CS_GRP_RET) || cs_insn_group(d.handle(), insn, CS_GRP_INT)) {
      break;
    }
    if (insn->id == X86_INS_MOV && x.op_count == 2) {
      const cs_x86_op &dst = x.operands[0], &src = x.operands[1];
      if (dst.type == X86_OP_REG && src.type == X86_OP_REG) {
        const int to = Gpr(dst.reg), from = Gpr(src.reg);
        if (to >= 0) holds = (holds & ~(1u << to)) | (dst.size == 8 && from >= 0 && (holds >> from & 1) ? 1u << to : 0);
        off = next;
        continue;
      }
      if (dst.type == X86_OP_REG && src.type == X86_OP_MEM) {
        const int to = Gpr(dst.reg);
        const std::optional<Slot> s = SlotOf(src);
        const bool held = dst.size == 8 && s && std::find(slots.begin(), slots.end(), *s) != slots.end();
        if (to >= 0) holds = (holds & ~(1u << to)) | (held ? 1u << to : 0);
        off = next;
        continue;
      }
      if (dst.type == X86_OP_MEM && src.type == X86_OP_REG) {
        const int from = Gpr(src.reg);
        const bool stores_it = src.size == 8 && from >= 0 && (holds >> from & 1);
        if (const std::optional<Slot> s = SlotOf(dst)) {
          std::erase(slots, *s);
          if (stores_it) slots.push_back(*s);
          off = next;
          continue;
        }
        if (stores_it && Gpr(dst.mem.base) != kRsp) {
          Store st;
          st.pc = insn->address;
          if (dst.mem.base == X86_REG_RIP) {
            st.rip = true;
            st.target = insn->address + insn->size + static_cast<uint64_t>(dst.mem.disp);
          } else {
            st.base = Gpr(dst.mem.base);
            if (st.base < 0) break;
          }
          st.indexed = dst.mem.index != X86_REG_INVALID;
          st.index = st.indexed ? Gpr(dst.mem.index) : -1;
          st.scale = dst.mem.scale;
          st.disp = dst.mem.disp;
          out = st;
          break;
        }
        off = next;
        continue;
      }
    }
    // Anything else: what it writes no longer holds the pointer.
    holds &= ~d.Written(*insn);
    for (uint8_t i = 0; i < x.op_count; ++i) {
      if (!(x.operands[i].access & CS_AC_WRITE)) continue;
      if (const std::optional<Slot> s = SlotOf(x.operands[i])) std::erase(slots, *s);
    }
    off = next;
  }
  cs_free(insn, 1);
  return out;
}

namespace {

// Definitions walked back from a use, in a function's instructions in address order.
class BackWalk {
 public:
  BackWalk(const Decoder& d, const cs_insn* insns, size_t n, const unsigned char* code,
           size_t size, uint64_t start)
      : d_(d), insns_(insns), n_(n), code_(code), size_(size), start_(start) {}

  // The origin of register `reg` at instruction `k`.
  std::optional<Origin> From(size_t k, int reg) {
    Origin o;
    o.adjusted = SteppedInLoop(k, reg);
    int r = reg;  // the register followed, or -1 while a frame slot is
    std::optional<Slot> slot;
    for (size_t i = k, steps = 0; i-- > 0 && steps < 4096; ++steps) {
      const cs_insn& in = insns_[i];
      const cs_x86& x = in.detail->x86;
      if (r < 0) {  // a frame slot, back to the register stored in it
        if (in.id == X86_INS_MOV && x.op_count == 2 && SlotOf(x.operands[0]) == slot &&
            IsReg(x.operands[1], 8)) {
          r = Gpr(x.operands[1].reg);
          slot.reset();
          if (r < 0) return std::nullopt;
          continue;
        }
        bool clobbered = slot->base == kRsp && (d_.Written(in) >> kRsp & 1);  // slots move
        for (uint8_t j = 0; j < x.op_count; ++j) {
          clobbered |= (x.operands[j].access & CS_AC_WRITE) && SlotOf(x.operands[j]) == slot;
        }
        if (clobbered) return std::nullopt;
        continue;
      }
      if (in.id == X86_INS_CALL) {
        if (r == 0) return FromAllocation(i, k, o);
        if (kCallerSaved >> r & 1) return std::nullopt;
        continue;
      }
      const bool defines = x.op_count >= 1 && x.operands[0].type == X86_OP_REG &&
                           Gpr(x.operands[0].reg) == r;
      if (!defines) {
        if (d_.Written(in) >> r & 1) return std::nullopt;  // an implicit definition
        continue;
      }
      const cs_x86_op& dst = x.operands[0];
      const cs_x86_op* src = x.op_count >= 2 ? &x.operands[1] : nullptr;
      const bool rip = src && src->type == X86_OP_MEM && src->mem.base == X86_REG_RIP &&
                       src->mem.index == X86_REG_INVALID;
      const uint64_t target = rip ? in.address + in.size + static_cast<uint64_t>(src->mem.disp) : 0;
      if (in.id == X86_INS_MOV && dst.size == 8 && src) {
        if (src->type == X86_OP_REG) {
          r = Gpr(src->reg);
          if (r < 0) return std::nullopt;
          continue;
        }
        if (rip) {
          o.kind = Origin::kLoadedFrom;
          o.address = target;
          return o;
        }
        if ((slot = SlotOf(*src))) {
          r = -1;
          continue;
        }
        const int object = Gpr(src->mem.base);
        if (src->type != X86_OP_MEM || src->mem.index != X86_REG_INVALID || object < 0 ||
            object == kRsp || object == kRbp) {
          return std::nullopt;
        }
        o.kind = Origin::kLoadedFromMember;
        o.member = src->mem.disp;
        ObjectOf(i, object, o);
        return o;
      }
      if (in.id == X86_INS_LEA && dst.size == 8 && src && src->type == X86_OP_MEM) {
        if (rip) {
          o.kind = Origin::kAddressOf;
          o.address = target;
          return o;
        }
        // Into the object another register points to, at an offset or an index.
        const int base = Gpr(src->mem.base);
        if (base < 0 || base == kRsp || base == kRbp) return std::nullopt;
        r = base;
        o.adjusted = true;
        continue;
      }
      if ((in.id == X86_INS_ADD || in.id == X86_INS_SUB || in.id == X86_INS_INC ||
           in.id == X86_INS_DEC) && dst.size == 8) {
        o.adjusted = true;  // a step, or an index added to the base
        if (in.id == X86_INS_ADD && rip) {
          // `add g(%rip), %reg`: the index plus the pointer kept in the global.
          o.kind = Origin::kLoadedFrom;
          o.address = target;
          return o;
        }
        continue;
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  // A loop around instruction `k` that writes `reg` after it, in code after it: the jump
  // back marks the loop's end (the definitions before `k` are walked by From).
  bool SteppedInLoop(size_t k, int reg) const {
    const uint64_t pc = insns_[k].address;
    uint64_t loop_end = 0;
    for (size_t i = k + 1; i < n_; ++i) {
      const cs_x86& x = insns_[i].detail->x86;
      if (cs_insn_group(d_.handle(), &insns_[i], CS_GRP_JUMP) && x.op_count == 1 &&
          x.operands[0].type == X86_OP_IMM && static_cast<uint64_t>(x.operands[0].imm) <= pc &&
          static_cast<uint64_t>(x.operands[0].imm) >= start_) {
        loop_end = insns_[i].address;
      }
    }
    bool stepped = false;
    for (size_t i = k + 1; i < n_ && insns_[i].address <= loop_end; ++i) {
      stepped |= (d_.Written(insns_[i]) >> reg & 1) != 0;
    }
    return stepped;
  }

  // The register held another allocation's result (the call at `call`, before the use at
  // `k`): what that result was stored into, a global or a member of an object.
  std::optional<Origin> FromAllocation(size_t call, size_t k, Origin o) const {
    const uint64_t ret = insns_[call].address + insns_[call].size;
    const std::optional<Store> kept = PointerStore(code_ + (ret - start_), size_ - (ret - start_), ret);
    if (!kept || kept->pc >= insns_[k].address) return std::nullopt;
    if (kept->rip) {
      o.kind = Origin::kLoadedFrom;
      o.address = kept->target;
      return o;
    }
    if (kept->indexed || kept->base < 0 || kept->base == kRbp) return std::nullopt;
    size_t at = call;
    while (at < k && insns_[at].address != kept->pc) ++at;
    if (at == k) return std::nullopt;
    o.kind = Origin::kLoadedFromMember;
    o.member = kept->disp;
    ObjectOf(at, kept->base, o);
    return o;
  }

  // The object a member access at instruction `use` reaches through register `reg`: the
  // register there, or at -O0 the frame slot of the variable it was loaded from (through
  // the copies -O0 makes of it in other slots).
  void ObjectOf(size_t use, int reg, Origin& o) const {
    o.object = reg;
    o.at = insns_[use].address;
    for (size_t j = use, seen = 0; j-- > 0 && seen < 16; ++seen) {
      if (!Defines(j, reg)) continue;
      std::optional<Slot> s = LoadedSlot(j);
      if (!s || s->base != kRbp) return;
      o.object = -1;
      o.slot = s->disp;
      o.at = insns_[j].address;
      // Copies: the register stored into that slot, loaded from another.
      for (size_t i = j; i-- > 0 && j - i < 64;) {
        const cs_x86& x = insns_[i].detail->x86;
        if (!(insns_[i].id == X86_INS_MOV && x.op_count == 2 && SlotOf(x.operands[0]) == s &&
              IsReg(x.operands[1], 8))) {
          continue;
        }
        const int from = Gpr(x.operands[1].reg);
        for (size_t m = i, seen2 = 0; m-- > 0 && seen2 < 16; ++seen2) {
          if (from < 0 || !Defines(m, from)) continue;
          const std::optional<Slot> earlier = LoadedSlot(m);
          if (earlier && earlier->base == kRbp) {
            o.slot = earlier->disp;
            o.at = insns_[m].address;
          }
          break;
        }
        break;
      }
      return;
    }
  }

  // Instruction `j` writes register `reg` (a call, the registers it may clobber).
  bool Defines(size_t j, int reg) const {
    if (insns_[j].id == X86_INS_CALL && (kCallerSaved >> reg & 1)) return true;
    return (d_.Written(insns_[j]) >> reg & 1) != 0;
  }

  // The frame slot instruction `j` loads 8 bytes from into a register, if it does.
  std::optional<Slot> LoadedSlot(size_t j) const {
    const cs_x86& x = insns_[j].detail->x86;
    if (insns_[j].id != X86_INS_MOV || x.op_count != 2 || !IsReg(x.operands[0], 8)) {
      return std::nullopt;
    }
    return SlotOf(x.operands[1]);
  }

  const Decoder& d_;
  const cs_insn* insns_;
  size_t n_;
  const unsigned char* code_;
  size_t size_;
  uint64_t start_;
};

}  // namespace

std::optional<Origin> RegisterOrigin(const unsigned char* code, size_t size, uint64_t start,
                                     uint64_t pc, int reg) {
  Decoder d;
  if (!code || !d.ok() || pc < start || pc - start >= size || reg < 0 || reg > 15) {
    return std::nullopt;
  }
  // The function's instructions, in address order.
  cs_insn* insns = nullptr;
  const size_t n = cs_disasm(d.handle(), code, size, start, 0, &insns);
  std::optional<Origin> out;
  size_t k = 0;
  while (k < n && insns[k].address < pc) ++k;
  if (k < n && insns[k].address == pc) out = BackWalk(d, insns, n, code, size, start).From(k, reg);
  if (insns) cs_free(insns, n);
  return out;
}

namespace {

// An access's memory operand: disp(reg), or at -O0 disp off a register just loaded from the
// %rbp frame slot `slot` (reg -1).
struct Operand {
  int reg = -1;
  int64_t slot = 0;
  int64_t disp = 0;
};

// The memory operand of the first instruction from `at` that has one, past register moves
// and loads of frame slots (which at -O0 reload the object's pointer).
std::optional<Operand> AccessAfter(const Decoder& d, const unsigned char* code, size_t size,
                                   uint64_t at) {
  cs_insn* insn = cs_malloc(d.handle());
  if (!insn) return std::nullopt;
  std::optional<Operand> out;
  int64_t slot_of[16];
  bool from_slot[16] = {};
  const uint8_t* p = code;
  size_t left = size;
  uint64_t addr = at;
  for (int steps = 0; steps < 6 && cs_disasm_iter(d.handle(), &p, &left, &addr, insn); ++steps) {
    const cs_x86& x = insn->detail->x86;
    const cs_x86_op* mem = nullptr;
    for (uint8_t i = 0; i < x.op_count; ++i) {
      if (x.operands[i].type == X86_OP_MEM) mem = &x.operands[i];
    }
    const std::optional<Slot> slot = mem ? SlotOf(*mem) : std::nullopt;
    if (insn->id == X86_INS_MOV && x.op_count == 2 && IsReg(x.operands[0], 8) && slot &&
        slot->base == kRbp) {
      const int r = Gpr(x.operands[0].reg);  // -O0 reloads the pointer
      if (r >= 0) {
        from_slot[r] = true;
        slot_of[r] = slot->disp;
      }
      continue;
    }
    if (!mem) {
      if (insn->id == X86_INS_MOV || insn->id == X86_INS_MOVZX || insn->id == X86_INS_MOVSX) {
        continue;  // the value's registers
      }
      break;
    }
    const int base = Gpr(mem->mem.base);
    if (mem->mem.index != X86_REG_INVALID || base < 0 || base == kRsp || base == kRbp) break;
    Operand o;
    o.disp = mem->mem.disp;
    if (from_slot[base]) {
      o.slot = slot_of[base];
    } else {
      o.reg = base;
    }
    out = o;
    break;
  }
  cs_free(insn, 1);
  return out;
}

}  // namespace

std::vector<AddressBase> AddressBases(const unsigned char* code, size_t size, uint64_t start,
                                      uint64_t ret, int reg) {
  std::vector<AddressBase> out;
  Decoder d;
  if (!code || !d.ok() || ret <= start || ret - start > size || reg < 0 || reg > 15) return out;
  cs_insn* insns = nullptr;
  const size_t n = cs_disasm(d.handle(), code, ret - start, start, 0, &insns);
  if (n == 0 || insns[n - 1].id != X86_INS_CALL || insns[n - 1].address + insns[n - 1].size != ret) {
    if (insns) cs_free(insns, n);
    return out;
  }
  // The access the call checks comes right after it: its memory operand must be the
  // address computed before the call (else the call is no check, memcpy's say, whose
  // first argument is not the bytes accessed).
  const std::optional<Operand> access = AccessAfter(d, code + (ret - start), size - (ret - start), ret);
  if (!access) {
    cs_free(insns, n);
    return out;
  }
  int r = reg;
  int64_t offset = 0;
  out.push_back({r, 0, insns[n - 1].address, 0, -1});
  for (size_t i = n - 1, steps = 0; i-- > 0 && steps < 64; ++steps) {
    const cs_insn& in = insns[i];
    const cs_x86& x = in.detail->x86;
    if (in.id == X86_INS_CALL) {
      if (kCallerSaved >> r & 1) break;
      continue;
    }
    const bool defines = x.op_count >= 1 && x.operands[0].type == X86_OP_REG &&
                         Gpr(x.operands[0].reg) == r;
    if (!defines) {
      if (d.Written(in) >> r & 1) break;
      // -O0 copies the pointer into frame slots: each holds the same value.
      if (in.id == X86_INS_MOV && x.op_count == 2 && IsReg(x.operands[1], 8) &&
          Gpr(x.operands[1].reg) == r) {
        if (const std::optional<Slot> s = SlotOf(x.operands[0]); s && s->base == kRbp) {
          out.push_back({-1, s->disp, in.address, offset, -1});
        }
      }
      continue;
    }
    const cs_x86_op& dst = x.operands[0];
    const cs_x86_op* src = x.op_count >= 2 ? &x.operands[1] : nullptr;
    if (!src || dst.size != 8) break;
    if (in.id == X86_INS_MOV && src->type == X86_OP_REG) {
      r = Gpr(src->reg);
      if (r < 0) break;
      out.push_back({r, 0, in.address, offset, -1});
      continue;
    }
    if (in.id == X86_INS_LEA && src->type == X86_OP_MEM && src->mem.index == X86_REG_INVALID) {
      const int base = Gpr(src->mem.base);
      if (base < 0 || base == kRsp || base == kRbp) break;
      r = base;
      offset += src->mem.disp;
      out.push_back({r, 0, in.address, offset, -1});
      continue;
    }
    if ((in.id == X86_INS_ADD || in.id == X86_INS_SUB) && src->type == X86_OP_IMM) {
      offset += in.id == X86_INS_ADD ? src->imm : -src->imm;
      continue;
    }
    if (in.id == X86_INS_MOV && src->type == X86_OP_MEM && src->mem.index == X86_REG_INVALID) {
      if (const std::optional<Slot> s = SlotOf(*src); s && s->base == kRbp) {
        out.push_back({-1, s->disp, in.address, offset, -1});  // -O0: the variable's slot
        break;
      }
      if (src->mem.base == X86_REG_RIP) {  // a pointer kept in a global
        out.push_back({-1, 0, in.address, offset, -1,
                       in.address + in.size + static_cast<uint64_t>(src->mem.disp)});
        break;
      }
      const int base = Gpr(src->mem.base);
      if (base >= 0 && base != kRsp && base != kRbp) {
        out.push_back({base, 0, in.address, offset, src->mem.disp});
      }
      break;
    }
    break;  // an index, or anything else: no known offset
  }
  cs_free(insns, n);
  const bool checked = std::any_of(out.begin(), out.end(), [&](const AddressBase& b) {
    return b.member < 0 && b.global == 0 && b.reg == access->reg && b.slot == access->slot &&
           b.offset == access->disp;
  });
  if (!checked) out.clear();
  return out;
}

}  // namespace threadlens::code_flow
