// Names for what findings refer to: threads, locks, variables, heap blocks, stacks. The
// analysis records the trace's names here as it reads them; findings are named once, at
// the end, so a symbolizer runs only for what is reported.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis_types.h"
#include "frame_bases.h"
#include "heap_object_types.h"
#include "lock_monitor.h"
#include "process_tree.h"
#include "thread_stacks.h"
#include "threadlens/analyzer/analyze.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/symbolizer.h"

namespace threadlens::analysis {

std::string Hex(uint64_t v);
// A frame of the system headers or the C++ standard library: not where the user's bug is.
bool IsSystemFrame(const Frame& f);
// The innermost frame of the user's code (outside the system headers and the standard
// library), else the innermost frame that names a function, else the site's own.
Frame UserFrameOf(const Stack& s);
// The frame of a heap block's allocating stack that names it, in the analysis and in TSan's
// import alike: the innermost of the user's code, or past the program's own allocation
// wrappers (xmalloc, zmalloc, sqlite3Malloc...) their caller (`past_wrapper`); index
// s.size() when no frame of the user's code names a function.
struct AllocationFrame {
  size_t index;
  bool past_wrapper;
};
AllocationFrame AllocationFrameOf(const Stack& s);
// The frames that say what a heap block holds, innermost first: up to AllocationFrameOf's
// frame and that frame's caller. Blocks of one size allocated there hold objects of one type,
// whatever called further out (a pool made by one function, reached from several).
size_t AllocationPathDepth(const Stack& s);
// "make_table() table.cc:12": where a heap block was allocated, from its allocating frame
// ("" when the frame has neither function nor file).
std::string AllocationWhere(const Frame& f);
// A heap block's name, in the analysis of a trace and in TSan's import alike, so that the same
// race has the same fingerprint from both: "FIELD in heap block allocated at WHERE" when the
// allocation site says the field, else "heap block of N bytes allocated at WHERE (+OFFSET)".
std::string HeapBlockName(const std::string& where, uint64_t size, uint64_t offset,
                          const std::string& field);
// A mapping's name (mmap): "file PATH mapped at WHERE (+OFFSET)", "FIELD in file PATH mapped
// at WHERE", and for anonymous memory (`file` empty) "anonymous memory of N bytes mapped
// at WHERE (+OFFSET)". Without `where`: the mapping itself, "file PATH (N bytes)".
std::string MappingName(const std::string& file, const std::string& where, uint64_t size,
                        uint64_t offset, const std::string& field);
// "pipe:[N]" or "socket:[N]", as /proc names it, for a PipeEndKey (a socket pair's socket: the
// one the waiting thread uses).
std::string PipeEndName(uint64_t key);
// "SIGUSR1" for a signal number.
std::string SignalName(int sig);
// What a wait for signal `sig` (0: any its handlers catch) waits for.
std::string SignalWaitName(uint64_t sig);
std::string JoinNames(const std::vector<std::string>& v, const char* sep);
// Sets f.title (and, for some kinds, f.detail) from the named sides.
void TitleFinding(Finding& f);

class Namer {
 public:
  Namer(EventSource& source, const AnalyzeOptions& opts, const PathTable& stacks,
        const PathTable& locksets, const std::unordered_map<uint64_t, LockState>& locks)
      : source_(source), opts_(opts), stacks_(stacks), locksets_(locksets), locks_(locks) {}

  // Starts the symbolizer's process early, when this trace will need one.
  void Prestart() {
    if (opts_.symbolize && !opts_.symbolizer && !symbolizer_ && source_.Meta().format != "std") {
      PrestartSymbolizer();
    }
  }
  // Names the trace gave.
  void SetThreadName(uint32_t tid, std::string name) {
    thread_names_[tid] = std::move(name);
    name_counts_.clear();
  }
  void SetObjectName(uint64_t obj, std::string name) { object_names_[obj] = std::move(name); }
  // Finds the heap block that holds an address (a condition variable or semaphore nothing
  // names is named by its block and field).
  void SetHeapLookup(std::function<const HeapRef*(uint64_t)> f) { heap_at_ = std::move(f); }
  // A synchronization object on the stack of thread owner.tid, whose frames were owner.stack
  // and owner.site at its first use: they place the local variable that holds it.
  void NoteOnStack(uint64_t obj, const SideRef& owner) { stack_objects_.emplace(obj, owner); }
  // The heap block that held `lock` when it was first taken, once a later block took that
  // memory (a lock is known by its address).
  void NoteFirstBlock(uint64_t lock, const HeapRef& block) { first_blocks_.emplace(lock, block); }
  // A named variable of `size` bytes at `addr`.
  void SetVariableName(uint64_t addr, uint64_t size, std::string name) {
    var_names_[addr] = {size, std::move(name)};
  }

  // "T2" or its name ("worker (T2)" when threads share it: a pool's workers); in a recording
  // of several processes "pid 4242 T2 (worker)".
  std::string ThreadName(uint32_t tid) const;
  // `addr` as thread `tid`'s process saw it: without its process's tag, and shared memory at
  // the address that process mapped it (the merged stream keeps it by object and offset).
  uint64_t SeenBy(uint32_t tid, uint64_t addr) const {
    return source_.SharedAddressIn(ProcessIndexOfTid(tid), LocalAddress(addr));
  }
  // The process of thread `tid` in a recording of several processes, else 0.
  uint32_t PidOf(uint32_t tid) const;
  // What an object is, for its name when nothing names it (cond@0x…, sem@0x…).
  enum class ObjectKind { kLock, kCond, kSem, kWord };  // kWord: a futex word
  std::string ObjectName(uint64_t obj, ObjectKind kind = ObjectKind::kLock);
  // `ts`: when the address was accessed (a stack is named by the thread that owned it then).
  // `sides`: the accesses of the finding; one made by the thread whose stack holds the
  // address places its frames, and so names a local variable there.
  std::string VariableName(uint64_t addr, const HeapRef* heap = nullptr, uint64_t ts = 0,
                           const std::vector<SideRef>* sides = nullptr);
  // Each thread's stack bounds, from the trace's thread_stack records.
  ThreadStacks& Stacks() { return thread_stacks_; }
  // Where each thread's frames lie, from the trace's func_entry records.
  FrameBases& Frames() { return frame_bases_; }
  Access Materialize(const SideRef& s, bool is_variable,
                     const std::vector<SideRef>* sides = nullptr);
  // "file.cc:12" of a side's innermost user frame ("" when unknown).
  std::string ShortSite(const SideRef& s);
  Finding Name(const RawFinding& r);
  // Before the findings are named: the races' accesses into each heap block whose code says
  // what type of object they went through. A byte of the block that its own finding's code
  // does not name is named through them when it lies in one of those objects.
  void LearnHeapObjects(const std::vector<RawFinding>& raw);
  // The symbolizer's warnings (modules changed since the trace); none without names.
  std::vector<std::string> NameWarnings() {
    Symbolizer* sym = Sym();
    return sym ? sym->Warnings() : std::vector<std::string>{};
  }

 private:
  Symbolizer* Sym();
  // The global holding `addr` by its symbol (a fork child's at its parent's address), or "":
  // no symbols, or an STD trace, whose numbers are no addresses.
  std::string DataSymbol(uint64_t addr);
  // The frames of one site, innermost first: one, or several where the compiler inlined
  // calls at a pc (a lock call inlined through std::mutex::lock into the user's function).
  const Stack& FramesOf(uint64_t site);
  Stack StackOf(uint64_t site, uint32_t node);
  // The innermost frame of the user's code (outside the system headers and the standard
  // library), else the innermost frame that names a function, else the site's own.
  Frame UserFrame(uint64_t site, uint32_t node);
  std::string FunctionOf(uint64_t site, uint32_t node);
  std::string HeapName(const HeapRef& h, uint64_t addr, const std::vector<SideRef>* sides);
  // The path of the file a mapping holds ("" for anonymous memory).
  std::string MappedFile(const HeapRef& h) const;
  // HeapObjectTypes' key of a block's call path: its size and AllocationPathDepth's frames.
  std::string HeapPathKey(const HeapRef& h);
  // What the accesses' code says byte `addr` is ("item::uses"), or "".
  std::string AccessedField(uint64_t addr, const std::vector<SideRef>* sides);
  // Thread `tid`'s frame at call path `node`, running at return address `pc`.
  FrameBase FrameAt(uint32_t tid, uint32_t node, uint64_t pc);
  // The local variable of thread `owner`'s frames that holds `addr`, as placed by side `s`
  // (an access of that thread): its site and call path say which frames were live.
  bool LocalAt(uint64_t addr, const SideRef& s, StackLocal& out);
  // "local variable buf of worker() on T2's stack": LocalAt's variable, on s.tid's stack, or
  // "" when its frames place none there.
  std::string LocalName(uint64_t addr, const SideRef& s);
  std::vector<std::string> LocksetNames(uint32_t node);
  // Names every lock that has no name of its own (lock_names.cc), once.
  void BuildLockNames();

  EventSource& source_;
  const AnalyzeOptions& opts_;
  const PathTable& stacks_;
  const PathTable& locksets_;
  const std::unordered_map<uint64_t, LockState>& locks_;
  std::unordered_map<uint32_t, std::string> thread_names_;
  mutable std::unordered_map<std::string, uint32_t> name_counts_;  // threads per name
  std::unordered_map<uint64_t, std::string> object_names_;
  std::map<uint64_t, std::pair<uint64_t, std::string>> var_names_;
  std::unordered_map<uint64_t, std::string> fallback_names_;
  std::unordered_map<uint64_t, SideRef> stack_objects_;  // NoteOnStack
  std::unordered_map<uint64_t, HeapRef> first_blocks_;   // NoteFirstBlock
  std::function<const HeapRef*(uint64_t)> heap_at_;
  // LearnHeapObjects: the objects of heap blocks that races' accesses typed.
  HeapObjectTypes heap_types_{[this](uint64_t site, uint64_t at, uint64_t addr) {
    Symbolizer* sym = Sym();
    return sym ? sym->ResolveAccessedField(site, at, addr) : std::string();
  }};
  bool lock_names_built_ = false;
  std::unordered_map<uint64_t, Stack> frames_;
  std::unique_ptr<Symbolizer> symbolizer_;
  ThreadStacks thread_stacks_;
  FrameBases frame_bases_;
};

}  // namespace threadlens::analysis
