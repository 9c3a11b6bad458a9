// The bases of an instrumented access's address, read back from its check call (see
// code_flow.h).
#include <algorithm>
#include <vector>

#include "code_flow.h"
#include "x86_decode.h"

namespace threadlens::code_flow {

using namespace x86;  // NOLINT: the decoder's helpers

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
                                   uint64_t at, bool frame) {
  cs_insn* insn = d.Malloc();
  if (!insn) return std::nullopt;
  std::optional<Operand> out;
  int64_t slot_of[16];
  bool from_slot[16] = {};
  const uint8_t* p = code;
  size_t left = size;
  uint64_t addr = at;
  for (int steps = 0; steps < 6 && d.Next(&p, &left, &addr, insn); ++steps) {
    const cs_x86& x = insn->detail->x86;
    const cs_x86_op* mem = nullptr;
    for (uint8_t i = 0; i < x.op_count; ++i) {
      if (x.operands[i].type == X86_OP_MEM) mem = &x.operands[i];
    }
    const std::optional<Slot> slot = mem ? SlotOf(*mem) : std::nullopt;
    if (insn->id == X86_INS_MOV && x.op_count == 2 && IsReg(x.operands[0], 8) && slot &&
        slot->base == kRbp && frame) {
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
    if (mem->mem.index != X86_REG_INVALID || base < 0 || base == kRsp || (base == kRbp && frame)) {
      break;
    }
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
  d.Free(insn, 1);
  return out;
}

// Whether the function keeps a frame pointer (`mov %rsp,%rbp` in its prologue): else %rbp
// is a register like another (clang and gcc at -O1 and above), and an address off it no
// frame slot.
bool KeepsFramePointer(const cs_insn* insns, size_t n) {
  for (size_t k = 0; k < n && k < 8; ++k) {
    const cs_x86& x = insns[k].detail->x86;
    if (insns[k].id == X86_INS_MOV && x.op_count == 2 && x.operands[0].type == X86_OP_REG &&
        x.operands[0].reg == X86_REG_RBP && x.operands[1].type == X86_OP_REG &&
        x.operands[1].reg == X86_REG_RSP) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<AddressBase> AddressBases(const unsigned char* code, size_t size, uint64_t start,
                                      uint64_t ret, int reg) {
  if (!code) return {};
  return AddressBases(Function(code, size, start), ret, reg);
}

std::vector<AddressBase> AddressBases(const Function& fn, uint64_t ret, int reg) {
  std::vector<AddressBase> out;
  const Function::Impl& f = fn.impl();
  const Decoder& d = f.d;
  if (reg < 0 || reg > 15 || ret <= f.start || ret - f.start > f.bytes.size()) return out;
  // The check call: the instruction that ends at `ret`.
  const size_t next = ret - f.start == f.bytes.size() ? f.n : f.IndexOf(ret);
  if (next == 0 || next > f.n) return out;
  const size_t n = next;  // the instructions before `ret`
  const cs_insn* insns = f.insns;
  if (insns[n - 1].id != X86_INS_CALL || insns[n - 1].address + insns[n - 1].size != ret) {
    return out;
  }
  // The access the call checks comes right after it: its memory operand must be the
  // address computed before the call (else the call is no check, memcpy's say, whose
  // first argument is not the bytes accessed).
  const bool frame = KeepsFramePointer(insns, f.n);
  const std::optional<Operand> access = AccessAfter(
      d, f.bytes.data() + (ret - f.start), f.bytes.size() - (ret - f.start), ret, frame);
  if (!access) return out;
  // The latest pc before the call at which register `x`, as set at instruction `i`, still
  // holds that value: the debug info may say what it is only there.
  auto until = [&](size_t i, int x) {
    for (size_t j = i + 1; j + 1 < n; ++j) {
      if (d.Clobbers(insns[j], x)) return insns[j].address;
    }
    return insns[n - 1].address;
  };
  // Where other code jumps to: walking back past one, the value may have come another way.
  std::vector<uint64_t> targets;
  for (size_t k = 0; k < f.n; ++k) {
    const cs_x86& x = insns[k].detail->x86;
    if (d.InGroup(insns[k], CS_GRP_JUMP) && x.op_count == 1 && x.operands[0].type == X86_OP_IMM) {
      targets.push_back(static_cast<uint64_t>(x.operands[0].imm));
    }
  }
  std::sort(targets.begin(), targets.end());
  bool joined = false;  // the walk stepped back past a jump target
  int r = reg;
  int64_t offset = 0;        // from the last pointer loaded (or the register) to the address
  std::vector<int64_t> loads;  // the members loaded on the way, in the order the code loads them
  // What back-steps add to: the access's offset, or once a pointer was loaded, the member it
  // was loaded from.
  auto add = [&](int64_t delta) { (loads.empty() ? offset : loads.front()) += delta; };
  // A base: register `x` (or frame slot `slot` when `x` is -1) at `at`, with what was loaded
  // from the object it points to since.
  auto push = [&](int x, int64_t slot, uint64_t at, uint64_t until_pc) {
    AddressBase b{x, slot, at, offset, -1, 0, until_pc, {}};
    if (!loads.empty()) {
      b.member = loads.front();
      b.more.assign(loads.begin() + 1, loads.end());
    }
    out.push_back(std::move(b));
  };
  push(r, 0, insns[n - 1].address, 0);
  for (size_t i = n - 1, steps = 0; i-- > 0 && steps < 64; ++steps) {
    joined |= std::binary_search(targets.begin(), targets.end(), insns[i + 1].address);
    const cs_insn& in = insns[i];
    const cs_x86& x = in.detail->x86;
    // Past a jump elsewhere or a return, the code before runs on another path (nginx: an
    // error path's load of the log pointer into the register the loop after it uses).
    if (d.EndsFlow(in, insns[i + 1].address)) break;
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
        if (const std::optional<Slot> s = SlotOf(x.operands[0]); s && s->base == kRbp && frame) {
          push(-1, s->disp, in.address, 0);
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
      push(r, 0, in.address, until(i, r));
      continue;
    }
    if (in.id == X86_INS_LEA && src->type == X86_OP_MEM && src->mem.index == X86_REG_INVALID) {
      const int base = Gpr(src->mem.base);
      if (base < 0 || base == kRsp || (base == kRbp && frame)) break;
      r = base;
      add(src->mem.disp);
      push(r, 0, in.address, until(i, r));
      continue;
    }
    if ((in.id == X86_INS_ADD || in.id == X86_INS_SUB) && src->type == X86_OP_IMM) {
      add(in.id == X86_INS_ADD ? src->imm : -src->imm);
      continue;
    }
    if (in.id == X86_INS_MOV && src->type == X86_OP_MEM && src->mem.index == X86_REG_INVALID) {
      if (const std::optional<Slot> s = SlotOf(*src); s && (s->base == kRsp || frame)) {
        // -O0: the variable's %rbp slot; else reloaded from where it was spilled (%rsp),
        // only on a path that no jump joins (a slot is reused for other values).
        if (s->base == kRbp || !joined) {
          push(-1, s->disp, in.address, 0);
          out.back().rsp = s->base == kRsp;
        }
        break;
      }
      if (src->mem.base == X86_REG_RIP) {  // a pointer kept in a global
        if (!loads.empty() && joined) break;  // as for a second member load, below
        AddressBase g{-1, 0, in.address, offset, -1,
                      in.address + in.size + static_cast<uint64_t>(src->mem.disp), 0, loads};
        out.push_back(std::move(g));
        break;
      }
      // A pointer loaded from a member of the object another register points to: a base,
      // and the walk goes on back to what typed that register.
      const int base = Gpr(src->mem.base);
      if (base < 0 || base == kRsp || (base == kRbp && frame) || loads.size() >= kMaxMemberLoads) {
        break;
      }
      // A second load only on a path that no jump joins: the first is this walk's as before.
      if (!loads.empty() && joined) break;
      loads.insert(loads.begin(), src->mem.disp);
      r = base;
      push(r, 0, in.address, 0);
      continue;
    }
    break;  // an index, or anything else: no known offset
  }
  const bool checked = std::any_of(out.begin(), out.end(), [&](const AddressBase& b) {
    return b.member < 0 && b.global == 0 && !b.rsp && b.reg == access->reg &&
           b.slot == access->slot && b.offset == access->disp;
  });
  if (!checked) out.clear();
  return out;
}

}  // namespace threadlens::code_flow
