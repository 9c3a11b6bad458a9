// Internal types shared by the detectors: vector clocks, interned stacks and lock sets, the
// per-thread state the driver keeps, and raw findings (ids, not names) before naming.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ring.h"
#include "threadlens/analyzer/findings.h"

namespace threadlens::analysis {

// A vector clock indexed by dense thread index. Missing entries are 0.
class VectorClock {
 public:
  uint32_t Get(uint32_t t) const { return t < c_.size() ? c_[t] : 0; }
  void Set(uint32_t t, uint32_t v) {
    if (t >= c_.size()) c_.resize(t + 1, 0);
    c_[t] = v;
  }
  void Tick(uint32_t t) { Set(t, Get(t) + 1); }
  void Join(const VectorClock& o) {
    if (o.c_.size() > c_.size()) c_.resize(o.c_.size(), 0);
    for (size_t i = 0; i < o.c_.size(); ++i) c_[i] = std::max(c_[i], o.c_[i]);
  }
  bool LessOrEqual(const VectorClock& o) const {
    for (size_t i = 0; i < c_.size(); ++i) {
      if (c_[i] > o.Get(static_cast<uint32_t>(i))) return false;
    }
    return true;
  }
  size_t size() const { return c_.size(); }
  // Empty again, keeping its room (a pool's clock reused soon).
  void Clear() { c_.clear(); }

 private:
  std::vector<uint32_t> c_;
};

// Interned paths: a trie of (parent, value) so a call stack or an ordered lock set is one
// uint32. Node 0 is the empty path. Grows with distinct paths, not with trace length.
// Every call event looks a child up: the index is one flat array probed linearly (a node
// per entry cost two dependent cache misses per call).
class PathTable {
 public:
  PathTable() {
    nodes_.push_back({0, 0, 0});
    slots_.resize(64);
  }
  uint32_t Child(uint32_t parent, uint64_t value) {
    for (size_t i = Home(parent, value);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.id == 0) break;  // node 0 is never a child: 0 marks an empty slot
      if (s.parent == parent && s.value == value) return s.id;
    }
    const uint32_t id = static_cast<uint32_t>(nodes_.size());
    nodes_.push_back({parent, value, nodes_[parent].depth + 1});
    if (nodes_.size() * 4 > slots_.size() * 3) Grow();
    Insert({value, parent, id});
    return id;
  }
  uint32_t Parent(uint32_t node) const { return nodes_[node].parent; }
  uint64_t Value(uint32_t node) const { return nodes_[node].value; }
  uint32_t Depth(uint32_t node) const { return nodes_[node].depth; }
  // Innermost (last pushed) first.
  std::vector<uint64_t> Values(uint32_t node) const {
    std::vector<uint64_t> out;
    for (; node != 0; node = nodes_[node].parent) out.push_back(nodes_[node].value);
    return out;
  }

 private:
  struct Node {
    uint32_t parent;
    uint64_t value;
    uint32_t depth;
  };
  struct Slot {
    uint64_t value = 0;
    uint32_t parent = 0, id = 0;
  };
  size_t Home(uint32_t parent, uint64_t value) const {
    const uint64_t h = (value * 0x9E3779B97F4A7C15ull) ^ (parent * 0xC2B2AE3D27D4EB4Full);
    return static_cast<size_t>(h ^ (h >> 29)) & (slots_.size() - 1);
  }
  void Insert(const Slot& n) {
    size_t i = Home(n.parent, n.value);
    while (slots_[i].id != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = n;
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.id != 0) Insert(s);
    }
  }
  std::vector<Node> nodes_;
  std::vector<Slot> slots_;  // a power of two, at most three quarters full
};

enum class Op : uint8_t {
  kRead,
  kWrite,
  kRequest,
  kAcquire,
  kRelease,
  kWait,
  kJoin,
  kSemWait,
  kDestroy,
  kExit,
  kSignal,
  kAlloc,
  kFree,
  kCreate,
  kDetach,
  kHandler,  // a signal handler ran (obj = signal number)
  kCall,     // a call inside a signal handler (obj = trace::SignalUnsafeCall)
  kIgnoreBegin,  // obj = trace::IgnoreKind
  kFutexWait,    // an untimed wait on a futex word (obj = the word)
  kWaitProcess,  // a wait for a child process to end (obj = its exit key, trace::ExitKeyPid)
  // A read (write) of a pipe blocked for want of data (room); obj = the trace::PipeEndKey of
  // the other end, whose holders could write (read) or close it.
  kPipeRead,
  kPipeWrite,
  kSigWait,  // a wait for a signal (obj = its number, 0 = any a handler catches)
};
const char* OpName(Op op);

// One side of a finding, by ids. Resolved to an Access when the analysis ends.
struct SideRef {
  uint64_t obj = 0;
  uint64_t site = 0;
  uint64_t ts = 0;
  uint64_t index = 0;  // position in the merged stream
  uint32_t tid = 0;    // the trace's thread id
  uint32_t stack = 0;  // PathTable node of the call stack (without the site)
  uint32_t lockset = 0;  // PathTable node of the locks held
  uint32_t size = 0;  // bytes (at most 65535); 32 bits, so a load of it is one store's
  Op op = Op::kRead;
  bool atomic = false;
  bool shared = false;  // read side of an rwlock
};

struct RawEdge {
  uint64_t from = 0, to = 0;  // locks (lock-order) or thread ids (wait-for)
  uint32_t tid = 0;
  SideRef from_site, to_site;
};

// A heap block (kAlloc ... kFree) a racing address fell in, kept with the finding because
// the block may be freed before the findings are named.
struct HeapRef {
  uint64_t base = 0, size = 0;
  uint64_t site = 0;    // the allocating call's pc (or string site)
  uint32_t stack = 0;   // the allocating thread's shadow stack then
  bool valid = false;
  bool freed = false;
  uint32_t slack = 0;   // the allocator's bytes past `size`, the block's too
  uint32_t tid = 0;     // the allocating thread
  uint64_t index = 0;   // the allocation's position in the merged stream
  // A mapping (mmap) rather than an allocator's block: of the file whose path is string
  // `file` of the trace, or of anonymous memory (file 0).
  uint32_t file = 0;
  bool mapping = false;
  // The bytes the block holds (at least one).
  uint64_t Extent() const { return size + slack > 0 ? size + slack : 1; }
};

// One step of a predicted schedule: an event of the trace, or one of the final blocked requests.
struct RawWitnessStep {
  enum ObjKind : uint8_t { kLock, kVariable, kThread, kCond, kKey, kSem };
  SideRef side;
  const char* op = "";  // "acquire", "release", "read", "write", "create", "join", "request"...
  ObjKind obj_kind = kLock;
};

struct RawFinding {
  std::string kind;
  Severity severity = Severity::kError;
  std::string subkind;
  std::string detail;
  std::vector<SideRef> sides;
  std::vector<SideRef> waiters;  // (self-)deadlock: threads blocked behind it (e.g. joiners)
  HeapRef heap;                  // race: the live heap block of vars[0], if any
  std::vector<RawEdge> cycle;
  bool wait_for = false;  // cycle edges are thread -> thread
  std::vector<uint64_t> locks;
  std::vector<uint64_t> vars;
  std::vector<uint32_t> tids;
  std::optional<ContentionStats> contention;
  uint64_t sort_key = 0;  // order among findings of the same kind and severity
  // Prediction (predict_deadlock.h): set when it ran on this finding; true with a schedule of
  // this trace's events that shows it, false when no such schedule exists.
  std::optional<bool> predicted;
  std::string relation;  // "sync-preserving"
  std::vector<RawWitnessStep> witness;
  uint64_t witness_omitted = 0;  // earliest steps left out of `witness`
  // Race on a thread's stack that neither side made: where that thread was at the later
  // access (its call path, and `site` in its innermost frame), to name the local there;
  // tid 0 when it is not known for sure.
  SideRef owner;
};

// A lock a thread holds.
struct Held {
  uint64_t lock = 0;
  uint32_t depth = 1;   // recursion depth
  bool shared = false;
  SideRef acquired;     // where and when it was taken
};

// What a thread is blocked on, when it is between a request and its completion.
struct Pending {
  enum Kind : uint8_t {
    kNone, kLock, kCond, kJoin, kSem, kFutex, kFileLock,
    kProcess,  // a wait for a child process to end (obj: its exit key, 0 for any of several)
    kPipe,     // a read or write of a pipe (obj: trace::PipeEndKey of the end waited on)
    kSignal,   // a wait for a signal holding a lock another thread waits on (obj: its number)
  } kind = kNone;
  uint64_t obj = 0;
  SideRef where;
  uint8_t flags = 0;
  bool lock_held_by_other = false;  // at request time: the acquisition is contended
  uint64_t mutex = 0;  // a condition wait: the mutex it released
};

// Per-thread state kept by the driver and read by the detectors.
struct ThreadCtx {
  uint32_t tid = 0;      // the trace's id
  uint32_t dense = 0;    // index into vector clocks
  uint32_t parent = 0;
  bool has_parent = false;
  bool started = false;
  bool exited = false;
  bool detached = false;  // no thread will join it
  bool blocked_at_end = false;
  uint64_t start_ts = 0, end_ts = 0;
  uint32_t stack = 0;    // current shadow stack node
  uint32_t lockset = 0;  // current held-lock set node
  // Where the thread was since the earliest access a race may still be reported on: each
  // change of its call path (stream position + 1, the path) with the pc of the first plain
  // access made in it (0: none yet). A local of its frames that other threads race on is
  // named from the mark in force at the race's access.
  // (No member initializers: the ring's growth leaves its new slots unwritten.)
  struct FrameMark {
    uint64_t at;
    uint64_t pc;
    uint32_t node;
  };
  Ring<FrameMark> marks;
  size_t marks_pruned_at = 64;  // the size at which marks are next pruned
  bool mark_wants_pc = false;   // the last mark has no pc yet
  std::vector<Held> held;
  // Whole-file locks its descriptors hold (kFileLockAcquired): the lock-order graph's only.
  std::vector<Held> file_locks;
  Pending pending;
  // Lock requests made while another was pending: a lock's own code may take others on the
  // way (absl::Mutex's slow path takes its allocator's spin lock). The outer one is pending
  // again when the inner one ends. At most kMaxOuterPending.
  std::vector<Pending> outer_pending;
  // Fork/join-only vector clock: whether two threads could run at the same time. Indexed
  // by fork/join clock slot (clock_slots.h); fj_slot is this thread's, ~0u until it has one.
  std::shared_ptr<const VectorClock> fork_join;
  uint32_t fj_slot = ~0u;
  uint32_t fj_captured = 0;  // its fork/join epoch when a lock-order edge last kept its clock
};

}  // namespace threadlens::analysis
