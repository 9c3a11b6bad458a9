// A clang pass plugin that completes ThreadSanitizer's instrumentation of local variables.
// clang 14's TSan pass leaves out a load or store whose address comes from a stack slot
// when that address itself is not captured. It asks about the address (the slot plus an
// offset: an array element, a struct field), not about the slot, so an element of a local
// array or a field of a local struct whose slot escapes to another thread (a lambda that
// captures it by reference, a pointer handed to a thread) is left out, while the other
// thread's accesses to it are instrumented: the race is missed, by TSan and by threadlens.
// This pass runs just before TSan's and shows it those accesses (see Expose).
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/CaptureTracking.h>
#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/PassPlugin.h>

using namespace llvm;

namespace {

// A load or store and which of its operands is the address.
struct Access {
  Instruction* inst;
  unsigned operand;
  Value* Addr() const { return inst->getOperand(operand); }
};

// The access TSan's pass would leave out though its slot escapes, or nothing.
bool Missed(Instruction& i, DenseMap<const Value*, bool>& escapes, Access& out) {
  if (auto* load = dyn_cast<LoadInst>(&i)) {
    if (load->isAtomic()) return false;
    out = {&i, load->getPointerOperandIndex()};
  } else if (auto* store = dyn_cast<StoreInst>(&i)) {
    if (store->isAtomic()) return false;
    out = {&i, store->getPointerOperandIndex()};
  } else {
    return false;
  }
  const Value* addr = out.Addr();
  if (addr->getType()->getPointerAddressSpace() != 0) return false;
  const Value* slot = getUnderlyingObject(addr);
  // The slot itself (not an offset into it) is judged right by TSan's pass.
  if (!isa<AllocaInst>(slot) || slot == addr) return false;
  if (PointerMayBeCaptured(addr, true, true)) return false;  // TSan instruments it
  auto [it, fresh] = escapes.try_emplace(slot, false);
  if (fresh) it->second = PointerMayBeCaptured(slot, true, true);
  return it->second;
}

// The address goes through an integer and back: no instruction at all in the machine code,
// but the access's underlying object is no longer the stack slot, so TSan's pass, next,
// instruments it as it does any other (the right entry point for its size and alignment).
void Expose(const DataLayout& dl, const Access& a) {
  IRBuilder<> b(a.inst);
  Value* addr = a.Addr();
  Value* bits = b.CreatePtrToInt(addr, dl.getIntPtrType(addr->getType()));
  a.inst->setOperand(a.operand, b.CreateIntToPtr(bits, addr->getType()));
}

struct EscapedLocals : PassInfoMixin<EscapedLocals> {
  PreservedAnalyses run(Function& f, FunctionAnalysisManager&) {
    if (!f.hasFnAttribute(Attribute::SanitizeThread) || f.isDeclaration()) {
      return PreservedAnalyses::all();
    }
    DenseMap<const Value*, bool> escapes;
    SmallVector<Access, 16> missed;
    for (Instruction& i : instructions(f)) {
      Access a;
      if (Missed(i, escapes, a)) missed.push_back(a);
    }
    if (missed.empty()) return PreservedAnalyses::all();
    for (const Access& a : missed) Expose(f.getParent()->getDataLayout(), a);
    return PreservedAnalyses::none();
  }
  static bool isRequired() { return true; }  // at -O0 too
};

}  // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "threadlens-escaped-locals", "1", [](PassBuilder& pb) {
            pb.registerOptimizerLastEPCallback([](ModulePassManager& mpm, OptimizationLevel) {
              mpm.addPass(createModuleToFunctionPassAdaptor(EscapedLocals()));
            });
          }};
}
