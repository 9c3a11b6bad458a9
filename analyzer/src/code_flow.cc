// Following an allocation's pointer through x86-64 code (see code_flow.h).
#include "code_flow.h"

#include <algorithm>
#include <vector>

#include "x86_decode.h"

namespace threadlens::code_flow {

using namespace x86;  // NOLINT: the decoder's helpers

std::optional<Store> PointerStore(const unsigned char* code, size_t size, uint64_t ret,
                                  std::vector<Store>* frame, std::vector<Held>* held) {
  Decoder d;
  if (!code || !d.ok()) return std::nullopt;
  cs_insn* insn = d.Malloc();
  if (!insn) return std::nullopt;
  uint32_t holds = 1;        // registers holding the pointer: %rax
  std::vector<Slot> slots;   // frame slots holding it
  std::optional<Store> out;
  size_t off = 0;
  for (int steps = 0; steps < 48 && off < size && (holds || !slots.empty()); ++steps) {
    const uint8_t* p = code + off;
    size_t left = size - off;
    uint64_t at = ret + off;
    if (held && holds) held->push_back({at, holds});
    if (!d.Next(&p, &left, &at, insn)) break;
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
    if (d.InGroup(*insn, CS_GRP_JUMP)) {  // conditional: the fall-through
      off = next;
      continue;
    }
    if (d.InGroup(*insn, CS_GRP_RET) || d.InGroup(*insn, CS_GRP_INT)) {
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
        Store st;
        st.pc = insn->address;
        st.base = Gpr(dst.mem.base);
        st.indexed = dst.mem.index != X86_REG_INVALID;
        st.index = st.indexed ? Gpr(dst.mem.index) : -1;
        st.scale = dst.mem.scale;
        st.disp = dst.mem.disp;
        const std::optional<Slot> s = SlotOf(dst);
        // Into the frame: a spill, or an element of a local array (the debug info tells).
        if (stores_it && frame && (s || st.base == kRsp)) frame->push_back(st);
        if (s) {
          std::erase(slots, *s);
          if (stores_it) slots.push_back(*s);
          off = next;
          continue;
        }
        if (stores_it && st.base != kRsp) {
          if (dst.mem.base == X86_REG_RIP) {
            st.rip = true;
            st.base = -1;
            st.target = insn->address + insn->size + static_cast<uint64_t>(dst.mem.disp);
          } else if (st.base < 0) {
            break;
          }
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
  d.Free(insn, 1);
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
      if (d_.EndsFlow(in, insns_[i + 1].address)) return std::nullopt;  // another path's
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
          // `mov %rsp, %reg`: a local's address (gcc -O2). (%rbp may be just a register.)
          if (r == kRsp) {
            o.kind = Origin::kFrameAddress;
            o.object = r;
            o.member = 0;
            o.at = in.address;
            return o;
          }
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
        if (base < 0) return std::nullopt;
        if (base == kRsp || base == kRbp) {  // a local's address
          o.kind = Origin::kFrameAddress;
          o.object = base;
          o.member = src->mem.disp;
          o.at = in.address;
          o.adjusted |= src->mem.index != X86_REG_INVALID;
          return o;
        }
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
      if (d_.InGroup(insns_[i], CS_GRP_JUMP) && x.op_count == 1 &&
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
      if (!d_.Clobbers(insns_[j], reg)) continue;
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
          if (from < 0 || !d_.Clobbers(insns_[m], from)) continue;
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

Function::Function(const unsigned char* code, size_t size, uint64_t start)
    : impl_(std::make_unique<Impl>()) {
  impl_->bytes.assign(code, code + size);
  impl_->start = start;
  if (impl_->d.ok() && size > 0) {
    impl_->n = impl_->d.Disasm(impl_->bytes.data(), size, start, &impl_->insns);
  }
}

Function::~Function() = default;

size_t Function::instructions() const { return impl_->n; }

std::optional<Origin> RegisterOrigin(const Function& fn, uint64_t pc, int reg) {
  const Function::Impl& f = fn.impl();
  if (reg < 0 || reg > 15) return std::nullopt;
  const size_t k = f.IndexOf(pc);
  if (k == f.n) return std::nullopt;
  return BackWalk(f.d, f.insns, f.n, f.bytes.data(), f.bytes.size(), f.start).From(k, reg);
}

std::optional<Origin> RegisterOrigin(const unsigned char* code, size_t size, uint64_t start,
                                     uint64_t pc, int reg) {
  if (!code) return std::nullopt;
  return RegisterOrigin(Function(code, size, start), pc, reg);
}

}  // namespace threadlens::code_flow
