// Resolves program counters and data addresses of a trace to names, at analysis time (never
// in the traced program), from the modules' DWARF and symbol tables (elfutils), or by an
// llvm-symbolizer named by THREADLENS_SYMBOLIZER.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens {

class Symbolizer {
 public:
  virtual ~Symbolizer() = default;
  // Function, file and line of a code address. Never throws; unknown parts stay empty and
  // Frame::pc/module are filled.
  virtual Frame ResolveCode(uint64_t pc) = 0;
  // Name of the global variable that contains `addr`, or "". With DWARF the name goes down
  // to the member or element: "counter", "stats.errors", "g.inner.count", "table[3].count";
  // without it, the symbol and offset ("prices+8").
  virtual std::string ResolveData(uint64_t addr) = 0;
  // Name of the thread_local variable at byte `offset` of a thread's block of the module
  // whose thread-local image lies at `image` (a kThreadTls record's site), or "": "tl",
  // "stats.errors" as for globals. With the module's DWARF only.
  virtual std::string ResolveThreadLocal(uint64_t image, uint64_t offset) {
    (void)image, (void)offset;
    return "";
  }
  // What byte `offset` of a heap block of `size` bytes is, from the type its allocation site
  // allocates, or "" when the site does not tell it soundly. `alloc_site` is the allocating
  // call's return address (HeapRef::site). "Account::balance" (one object),
  // "Account[3].balance", "int[50]" (an array). `bytes`, when given, is set when the site
  // allocates bytes (`char *arena = malloc(n)`): the name is then "char[N]", and what the
  // program carves from the block is better told by its accesses.
  virtual std::string ResolveHeapField(uint64_t alloc_site, uint64_t size, uint64_t offset,
                                       bool* bytes = nullptr) {
    (void)alloc_site, (void)size, (void)offset, (void)bytes;
    return "";
  }
  // What byte `addr` is, for an access made at `access_addr` by the instrumented check that
  // returns to `site`, from the type of the pointer the code computed the address from
  // ("item::uses"), or "" when the code and its debug info do not say.
  virtual std::string ResolveAccessedField(uint64_t site, uint64_t access_addr, uint64_t addr) {
    (void)site, (void)access_addr, (void)addr;
    return "";
  }
  // The local variable that holds stack address `addr` in the frame running at code address
  // `pc`, whose stack pointer was `sp` (<= addr) and frame pointer register `fp` (0: not
  // known) when it was entered: `variable` is "buf", "acct.balance" or "table[3]",
  // `function` the function declaring it ("worker()"). False when the module's DWARF places
  // no local there.
  virtual bool ResolveLocal(uint64_t pc, uint64_t sp, uint64_t fp, uint64_t addr,
                            std::string& variable, std::string& function) {
    (void)pc, (void)sp, (void)fp, (void)addr, (void)variable, (void)function;
    return false;
  }
  // The stack pointer at code address `pc` of a frame whose canonical frame address (its
  // caller's stack pointer at the call) is `cfa`, from the module's call frame information;
  // false unless the CFA there is the stack pointer plus an offset.
  virtual bool StackPointerAt(uint64_t pc, uint64_t cfa, uint64_t& sp) {
    (void)pc, (void)cfa, (void)sp;
    return false;
  }
  // The inlining chain at a code address, innermost first: a lock call inlined through
  // std::mutex::lock into worker() yields [__gthread_mutex_lock, std::mutex::lock, worker].
  // The default is the single frame of ResolveCode.
  virtual Stack ResolveCodeInlined(uint64_t pc) { return {ResolveCode(pc)}; }
  // What the report should say about the names: modules whose file changed since the trace
  // was recorded (their build id differs), and so are not named.
  virtual std::vector<std::string> Warnings() const { return {}; }
};

// Starts the llvm-symbolizer THREADLENS_SYMBOLIZER names, if any, for the next
// MakeSymbolizer to use (it loads meanwhile).
void PrestartSymbolizer();
// A symbolizer for the modules recorded in a trace.
std::unique_ptr<Symbolizer> MakeSymbolizer(const std::vector<ModuleInfo>& modules);

}  // namespace threadlens
