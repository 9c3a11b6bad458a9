// Naming: turns the ids of raw findings (thread ids, addresses, pcs, interned stacks and
// lock sets) into the names a person reads, through the trace's names, the symbolizer and
// the heap blocks' allocation sites.
#include "namer.h"

#include <string.h>  // sigabbrev_np

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>

#include "process_tree.h"
#include "threadlens/trace_format.h"

namespace threadlens::analysis {

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

bool IsSystemFrame(const Frame& f) {
  static const char* kDirs[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm",
                                "/usr/local/include/c++/"};
  for (const char* d : kDirs) {
    if (f.file.rfind(d, 0) == 0) return true;
  }
  // (__cxa_: the C++ ABI's runtime, which allocates a thrown exception and runs guards.)
  static const char* kFunctions[] = {"std::",     "__gthread", "__gnu_cxx::", "__cxxabiv1::",
                                     "__cxa_",    "__pthread", "pthread_",    "threadlens::rt::"};
  for (const char* p : kFunctions) {
    if (f.function.rfind(p, 0) == 0) return true;
  }
  return false;
}

// ---- naming ----
std::string Namer::ThreadName(uint32_t tid) const {
  auto it = thread_names_.find(tid);
  const bool named = it != thread_names_.end() && !it->second.empty();
  if (source_.Processes().empty()) {
    if (!named) return "T" + std::to_string(tid);
    if (name_counts_.empty()) {
      for (const auto& [t, name] : thread_names_) ++name_counts_[name];
    }
    return name_counts_[it->second] > 1 ? it->second + " (T" + std::to_string(tid) + ")"
                                        : it->second;
  }
  std::string s = "pid " + std::to_string(PidOf(tid)) + " T" + std::to_string(LocalTid(tid));
  return named ? s + " (" + it->second + ")" : s;
}

uint32_t Namer::PidOf(uint32_t tid) const {
  const auto& procs = source_.Processes();
  const uint32_t p = ProcessIndexOfTid(tid);
  return p < procs.size() ? procs[p].pid : 0;
}

Symbolizer* Namer::Sym() {
  if (!opts_.symbolize) return nullptr;
  if (opts_.symbolizer) return opts_.symbolizer;
  if (!symbolizer_) symbolizer_ = MakeSymbolizer(source_.Modules());
  return symbolizer_.get();
}

// The frames of one site, innermost first: one, or several where the compiler inlined
// calls at a pc (a lock call inlined through std::mutex::lock into the user's function).
const Stack& Namer::FramesOf(uint64_t site) {
  auto it = frames_.find(site);
  if (it != frames_.end()) return it->second;
  Stack frames;
  if (site & trace::kSiteIsString) {
    Frame f;
    std::string s(source_.String(static_cast<uint32_t>(site)));
    size_t colon = s.rfind(':');
    bool has_line = colon != std::string::npos && colon + 1 < s.size() &&
                    std::all_of(s.begin() + colon + 1, s.end(), ::isdigit);
    if (has_line) {
      f.file = s.substr(0, colon);
      f.line = std::atoi(s.c_str() + colon + 1);
    } else {
      f.function = s;
    }
    frames.push_back(std::move(f));
  } else if (site != 0) {
    if (Symbolizer* sym = Sym()) frames = sym->ResolveCodeInlined(site);
    if (frames.empty()) {
      Frame f;
      f.pc = site;
      frames.push_back(std::move(f));
    }
  } else {
    frames.emplace_back();
  }
  return frames_.emplace(site, std::move(frames)).first->second;
}

Stack Namer::StackOf(uint64_t site, uint32_t node) {
  Stack s;
  auto append = [&](uint64_t pc) {
    const Stack& f = FramesOf(pc);
    s.insert(s.end(), f.begin(), f.end());
  };
  if (site != 0) append(site);
  for (uint64_t pc : stacks_.Values(node)) append(pc);
  return s;
}

Frame UserFrameOf(const Stack& s) {
  for (const Frame& f : s) {
    if (!f.function.empty() && !IsSystemFrame(f)) return f;
  }
  for (const Frame& f : s) {
    if (!f.function.empty()) return f;
  }
  return s.empty() ? Frame{} : s.front();
}

Frame Namer::UserFrame(uint64_t site, uint32_t node) { return UserFrameOf(StackOf(site, node)); }

// Function of the innermost user frame that names one, for fallback names.
std::string Namer::FunctionOf(uint64_t site, uint32_t node) {
  return UserFrame(site, node).function;
}

FrameBase Namer::FrameAt(uint32_t tid, uint32_t node, uint64_t pc) {
  const FrameBase f = frame_bases_.At(tid, node);
  if (f.sp != 0) return f;
  // A frame that moved (one call site reaching several functions): its caller's stack
  // pointer is its canonical frame address, and the call frame information at `pc` places
  // its stack pointer below that, taken only when the frame was once entered there.
  const uint32_t parent = stacks_.Parent(node);
  const FrameBase caller = parent ? frame_bases_.At(tid, parent) : FrameBase{};
  Symbolizer* sym = caller.sp ? Sym() : nullptr;
  uint64_t sp = 0;
  if (!sym || pc == 0 || (pc & trace::kSiteIsString) ||
      !sym->StackPointerAt(pc - 1, caller.sp, sp) || !frame_bases_.Seen(tid, node, sp)) {
    return {};
  }
  return {sp, 0};
}

bool Namer::LocalAt(uint64_t addr, const SideRef& s, StackLocal& out) {
  // Frames innermost first: frame k runs at the call site of frame k-1 (the access itself
  // for the innermost), and lies from its own stack pointer up to its caller's.
  uint32_t node = s.stack;
  uint64_t pc = s.site;
  FrameBase frame = node ? FrameAt(s.tid, node, pc) : FrameBase{};
  if (frame.sp == 0 || addr < frame.sp) return false;
  // A frame entered with no call site (as OpenMP's fork leaves one between main and the
  // outlined body) is looked through, as its stack prints: the call site of the frame above
  // it is its caller's. A frame whose stack pointer is unknown (a library's, as libomp's
  // task runner) is looked past: the frames beyond it still bound the address, and a frame
  // the walk stops at names only a variable of its own.
  uint64_t call = 0;
  for (uint32_t below = node, parent = stacks_.Parent(below); parent != 0;
       below = parent, parent = stacks_.Parent(below)) {
    if (const uint64_t site = stacks_.Value(below)) call = site;
    const FrameBase outer = FrameAt(s.tid, parent, call);
    if (outer.sp == 0) continue;
    if (outer.sp > addr) break;
    pc = call;
    node = parent;
    frame = outer;
  }
  Symbolizer* sym = Sym();
  if (!sym || pc == 0 || (pc & trace::kSiteIsString)) return false;
  const uint64_t fp = frame.fp_offset ? frame.sp + frame.fp_offset : 0;
  // Both kinds of pc are return addresses: pc - 1 lies inside the call, in its scope.
  if (!sym->ResolveLocal(pc - 1, frame.sp, fp, addr, out.variable, out.function)) return false;
  out.offset = 0;  // the variable's field path says where inside it
  return true;
}

std::string Namer::DataSymbol(uint64_t addr) {
  Symbolizer* sym = Sym();
  if (!sym || source_.Meta().format == "std") return "";
  return sym->ResolveData(LocalAddress(addr));
}

std::string Namer::LocalName(uint64_t addr, const SideRef& s) {
  StackLocal local;
  if (!LocalAt(addr, s, local)) return "";
  return NameStackAddress(LocalAddress(addr), ThreadName(s.tid), &local);
}

std::string Namer::VariableName(uint64_t addr, const HeapRef* heap, uint64_t ts,
                                const std::vector<SideRef>* sides) {
  auto it = var_names_.upper_bound(addr);
  if (it != var_names_.begin()) {
    --it;
    uint64_t size = std::max<uint64_t>(it->second.first, 1);
    if (addr < it->first + size) {
      const std::string& name = it->second.second;
      // Inside a region named as a whole (shared memory's object, a named buffer): the field
      // the accesses' code names.
      if (addr != it->first || name.rfind("shared@", 0) == 0) {
        if (std::string field = AccessedField(addr, sides); !field.empty()) {
          return field + " in " + name;
        }
      }
      if (addr == it->first) return name;
      return name + "+" + std::to_string(addr - it->first);
    }
  }
  // A stack no thread's record covers (a fiber's, in a global array or a heap block): the
  // frames of an access made there place a local variable.
  const uint32_t stack_owner = thread_stacks_.OwnerAt(addr, ts);
  if (sides && stack_owner == 0) {
    for (const SideRef& s : *sides) {
      if (std::string name = LocalName(addr, s); !name.empty()) return name;
    }
  }
  if (std::string n = DataSymbol(addr); !n.empty()) return n;
  // A heap block may hold a thread's stack and thread-locals (pthread_attr_setstack): a
  // variable found there is the better name; else the block is.
  const bool in_heap = heap && heap->valid;
  uint64_t image = 0, offset = 0;
  if (uint32_t owner = thread_stacks_.TlsOwnerAt(addr, ts, &image, &offset)) {
    Symbolizer* sym = Sym();
    std::string variable = sym ? sym->ResolveThreadLocal(image, offset) : std::string();
    if (!in_heap || !variable.empty()) {
      return NameTlsAddress(LocalAddress(addr), ThreadName(owner), variable);
    }
  }
  if (const uint32_t owner = stack_owner) {
    for (size_t i = 0; sides && i < sides->size(); ++i) {
      const SideRef& s = (*sides)[i];
      if (s.tid != owner) continue;
      if (std::string name = LocalName(addr, s); !name.empty()) return name;
    }
    if (!in_heap) return NameStackAddress(LocalAddress(addr), ThreadName(owner));
  }
  if (in_heap) return HeapName(*heap, addr, sides);
  // Memory no allocation the trace saw holds (mmap, an uninstrumented allocator): the type
  // the accesses' code gives, at the address.
  if (std::string field = AccessedField(addr, sides); !field.empty()) {
    return field + " at " + Hex(LocalAddress(addr));
  }
  return Hex(LocalAddress(addr));
}

std::vector<std::string> Namer::LocksetNames(uint32_t node) {
  std::vector<std::string> out;
  std::vector<uint64_t> locks = locksets_.Values(node);
  // Innermost first, and a bounded list: every side of a deeply nested thread names its
  // held locks, so the names would grow with the square of the depth.
  constexpr size_t kMaxNames = 32;
  for (auto it = locks.rbegin(); it != locks.rend(); ++it) {
    if (out.size() == kMaxNames) {
      out.push_back("... " + std::to_string(locks.size() - kMaxNames) + " more");
      break;
    }
    out.push_back(ObjectName(*it));
  }
  return out;
}

Access Namer::Materialize(const SideRef& s, bool is_variable,
                          const std::vector<SideRef>* sides) {
  Access a;
  a.thread = ThreadName(s.tid);
  a.tid = s.tid;
  a.pid = PidOf(s.tid);
  a.op = s.shared && (s.op == Op::kAcquire || s.op == Op::kRequest)
             ? std::string(OpName(s.op)) + "-shared"
             : OpName(s.op);
  const bool thread_obj = s.op == Op::kJoin || s.op == Op::kCreate || s.op == Op::kDetach;
  const bool signal_obj = s.op == Op::kHandler || s.op == Op::kCall || s.op == Op::kSigWait;
  if (s.op == Op::kIgnoreBegin) {
    a.object = s.obj == trace::kIgnoreReads    ? "reads"
               : s.obj == trace::kIgnoreWrites ? "writes"
               : s.obj == trace::kIgnoreSync   ? "sync"
                                               : "accesses";
  } else if (thread_obj) {
    a.object = ThreadName(static_cast<uint32_t>(s.obj));
  } else if (s.op == Op::kWaitProcess) {
    a.object = s.obj ? "pid " + std::to_string(trace::ExitKeyPid(s.obj)) : "a child process";
  } else if (s.op == Op::kPipeRead || s.op == Op::kPipeWrite) {
    a.object = PipeEndName(s.obj);
  } else if (s.op == Op::kHandler) {
    a.object = SignalName(static_cast<int>(s.obj));
  } else if (s.op == Op::kSigWait) {
    a.object = SignalWaitName(s.obj);
  } else if (s.op == Op::kCall) {
    a.object = trace::SignalUnsafeCallName(static_cast<uint16_t>(s.obj));
  } else if (is_variable) {
    a.object = VariableName(s.obj, nullptr, s.ts, sides);
  } else if (s.op == Op::kFutexWait) {
    // A futex word is memory, named as a variable is: a local found from the wait's own
    // frames, a field of a heap block, a global.
    const std::vector<SideRef> self{s};
    const HeapRef* heap = heap_at_ ? heap_at_(s.obj) : nullptr;
    a.object = VariableName(s.obj, heap, s.ts, sides ? sides : &self);
  } else {
    a.object = ObjectName(s.obj, s.op == Op::kWait || s.op == Op::kSignal ? ObjectKind::kCond
                                 : s.op == Op::kSemWait                   ? ObjectKind::kSem
                                 : s.op == Op::kFutexWait                 ? ObjectKind::kWord
                                                                          : ObjectKind::kLock);
  }
  // The address as the thread's own process saw it (not tagged with its process).
  a.address = thread_obj || signal_obj || s.op == Op::kIgnoreBegin ||
                      s.op == Op::kWaitProcess || s.op == Op::kPipeRead || s.op == Op::kPipeWrite
                  ? 0
                  : SeenBy(s.tid, s.obj);
  a.size = s.size;
  a.atomic = s.atomic;
  a.stack = StackOf(s.site, s.stack);
  a.held = LocksetNames(s.lockset);
  a.ts = s.ts;
  a.event_index = s.index;
  return a;
}

std::string PipeEndName(uint64_t key) {
  if (trace::EventfdEnd(key)) {
    return "eventfd:[" + std::to_string(trace::PipeInode(key) & ~trace::kEventfdInode) + "]";
  }
  return (trace::SocketEnd(key) ? "socket:[" : "pipe:[") +
         std::to_string(trace::PipeInode(key)) + "]";
}

std::string SignalWaitName(uint64_t sig) {
  return sig ? SignalName(static_cast<int>(sig)) : "a signal its handlers catch";
}

std::string SignalName(int sig) {
  const char* abbrev = sig > 0 ? sigabbrev_np(sig) : nullptr;
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string JoinNames(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

static void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

Finding Namer::Name(const RawFinding& r) {
  Finding f;
  f.kind = r.kind;
  f.severity = r.severity;
  f.subkind = r.subkind;
  f.detail = r.detail;
  f.contention = r.contention;
  const bool race = r.kind == "race";
  // What places the frames of a stack: the sides, and where the stack's thread was.
  std::vector<SideRef> placed = r.sides;
  if (r.owner.tid) placed.push_back(r.owner);
  for (const SideRef& s : r.sides) f.accesses.push_back(Materialize(s, race, &placed));
  for (uint32_t tid : r.tids) AddUnique(f.threads, ThreadName(tid));
  for (uint64_t l : r.locks) AddUnique(f.locks, ObjectName(l));
  for (uint64_t v : r.vars) {
    AddUnique(f.variables,
              VariableName(v, &r.heap, r.sides.empty() ? 0 : r.sides[0].ts, &placed));
  }
  if (race && r.heap.valid && !r.vars.empty()) {
    for (Access& a : f.accesses) {
      if (a.address == LocalAddress(r.vars[0])) a.object = f.variables.back();
    }
    // Where the block came from, with the whole stack of its allocation (as TSan's
    // "Location is heap block ... allocated by").
    Access alloc;
    alloc.thread = ThreadName(r.heap.tid);
    alloc.tid = r.heap.tid;
    alloc.pid = PidOf(r.heap.tid);
    alloc.op = "allocate";
    alloc.object = f.variables.back();  // a descriptor is named as itself: it was opened
    if (r.heap.mapping) {
      alloc.object = MappingName(MappedFile(r.heap), "", r.heap.size, 0, "");
    } else if (!alloc.descriptor()) {
      alloc.object = HeapBlockName("", r.heap.size, 0, "");
    }
    alloc.address = SeenBy(r.heap.tid, r.heap.base);
    alloc.size = static_cast<uint32_t>(std::min<uint64_t>(r.heap.size, UINT32_MAX));
    alloc.stack = StackOf(r.heap.site, r.heap.stack);
    f.allocation = std::move(alloc);
  }
  // Threads stuck behind a (self-)deadlock: listed, and for a deadlock also as sides.
  for (const SideRef& w : r.waiters) {
    Access a = Materialize(w, false);
    f.detail += std::string(f.detail.empty() ? "" : " ") + a.thread + " waits " +
                (w.op == Op::kJoin           ? "for thread " + a.object + " to end"
                 : w.op == Op::kWaitProcess ? "for " + a.object + " to end"
                 : w.op == Op::kPipeRead    ? "to read " + a.object
                 : w.op == Op::kPipeWrite   ? "to write to " + a.object
                                            : "for " + a.object) +
                ", so it is stuck too.";
    if (r.kind == "deadlock") f.accesses.push_back(std::move(a));
  }
  for (const RawEdge& e : r.cycle) {
    CycleEdge c;
    if (r.wait_for) {
      c.from = ThreadName(static_cast<uint32_t>(e.from));
      c.to = ThreadName(static_cast<uint32_t>(e.to));
    } else {
      c.from = ObjectName(e.from);
      c.to = ObjectName(e.to);
    }
    c.thread = ThreadName(e.tid);
    c.tid = e.tid;
    // A wait for a thread or a process to end took no lock: no side.
    if (e.from_site.obj != 0 || e.from_site.site != 0) {
      c.from_site = Materialize(e.from_site, false);
    }
    c.to_site = Materialize(e.to_site, false);
    f.cycle.push_back(std::move(c));
  }
  f.predicted = r.predicted;
  f.relation = r.relation;
  f.witness_omitted = r.witness_omitted;
  for (const RawWitnessStep& w : r.witness) {
    WitnessStep s;
    s.thread = ThreadName(w.side.tid);
    s.tid = w.side.tid;
    s.op = w.op;
    switch (w.obj_kind) {
      case RawWitnessStep::kLock: s.object = ObjectName(w.side.obj); break;
      case RawWitnessStep::kVariable:
        s.object = VariableName(w.side.obj, nullptr, w.side.ts, &placed);
        break;
      case RawWitnessStep::kThread: s.object = ThreadName(static_cast<uint32_t>(w.side.obj)); break;
      case RawWitnessStep::kCond: s.object = ObjectName(w.side.obj, ObjectKind::kCond); break;
      case RawWitnessStep::kKey: s.object = Hex(w.side.obj & ~(0xfull << 60)); break;
      case RawWitnessStep::kSem: s.object = ObjectName(w.side.obj, ObjectKind::kSem); break;
    }
    if (w.side.site != 0) s.site = ShortSite(w.side);
    s.event_index = w.side.index;
    f.witness.push_back(std::move(s));
  }
  TitleFinding(f);
  f.fingerprint = FingerprintOf(f);
  return f;
}

}  // namespace threadlens::analysis
