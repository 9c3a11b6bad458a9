// The findings model: what the analyzer found, by name. Every renderer (text, JSON, DOT,
// HTML, SARIF, JUnit, Chrome trace) reads this; none re-analyzes. JSON schema: docs/findings.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace threadlens {

inline constexpr const char* kFindingsSchema = "threadlens.findings/2";

enum class Severity { kError, kWarning, kNote };
const char* SeverityName(Severity s);  // "error", "warning", "note"

// A source location. Any field may be empty/0 when unknown.
struct Frame {
  std::string function;  // "worker(int)" or ""
  std::string file;      // "src/queue.cc" or ""
  int line = 0;
  uint64_t pc = 0;       // raw program counter, 0 if the site came from a string
  std::string module;    // the binary or library the pc falls in
  // What the function returns, from its debug info: the analysis's heap names look past the
  // callers of an allocation wrapper that hand its `void *` on, up to one that returns the
  // block as a typed pointer. Not part of a report.
  enum class Result : uint8_t { kOther, kVoidPointer, kTypedPointer };
  Result result = Result::kOther;
  std::string Describe() const;  // "worker(int) at src/queue.cc:42", or a hex pc
};

// Innermost frame first.
using Stack = std::vector<Frame>;

// One side of a finding: what one thread did at one point.
// Where the mapping's name starts in a name the analysis gives memory the program mapped
// (analysis::MappingName): 0 for the mapping itself ("file PATH ...", "anonymous memory of
// N bytes ..."), past " in " for a field of it ("FIELD in file PATH mapped at ..."); npos
// for any other name (a descriptor's, "file descriptor N", included).
inline size_t MappingNameAt(std::string_view name) {
  if (name.starts_with("file descriptor ")) return std::string_view::npos;
  if (name.starts_with("file ") || name.starts_with("anonymous memory of ")) return 0;
  if (name.find(" mapped at ") == std::string_view::npos) return std::string_view::npos;
  for (std::string_view in : {" in file ", " in anonymous memory of "}) {
    if (const size_t p = name.find(in); p != std::string_view::npos) return p + 4;
  }
  return std::string_view::npos;
}

struct Access {
  std::string thread;               // thread name, e.g. "Producer" or "T2"
  uint32_t tid = 0;
  std::string op;                   // "read", "write", "acquire", "request", "wait", "release"...
  std::string object;               // variable or lock name involved in this access
  uint64_t address = 0;
  uint32_t size = 0;                // bytes, for memory accesses
  bool atomic = false;
  Stack stack;                      // stack[0] is the site
  std::vector<std::string> held;    // names of locks held at this point
  uint64_t ts = 0;                  // timestamp in trace ticks, for timelines
  uint64_t event_index = 0;         // position in the merged stream, for timelines
  uint32_t pid = 0;                 // the thread's process in a recording of several, else 0

  // A file descriptor the tracer saw created: an 8-byte object named "file descriptor N",
  // allocated by its open and freed by its close; its size means nothing to a reader.
  bool descriptor() const { return object.starts_with("file descriptor "); }
  // Memory the program mapped (mmap): its allocation, "file PATH (N bytes)" or "anonymous
  // memory of N bytes", or an access in it ("file PATH mapped at ...", "FIELD in file ...").
  bool mapping() const { return MappingNameAt(object) != std::string::npos; }
  // The operation as a reader says it: a descriptor's allocation and free are its open and
  // close, a mapping's its map and unmap.
  std::string shown_op() const {
    if (descriptor()) return op == "free" ? "close" : op == "allocate" ? "open" : op;
    if (mapping()) return op == "free" ? "unmap" : op == "allocate" ? "map" : op;
    return op;
  }
};

// An edge of a lock-order cycle or a wait-for cycle.
struct CycleEdge {
  std::string from;                 // lock held (lock-order) / waiting thread (wait-for)
  std::string to;                   // lock requested / thread holding what is awaited
  std::string thread;               // the thread that took `to` while holding `from`
  uint32_t tid = 0;
  Access from_site;                 // where `from` was acquired
  Access to_site;                   // where `to` was requested
};

// One step of a predicted schedule (Finding::witness): an event of the trace by one thread.
struct WitnessStep {
  std::string thread;
  uint32_t tid = 0;
  std::string op;                   // acquire, release, read, write, create, join, notify,
                                    // wake, post, pend, try-fail, sem-post, sem-take,
                                    // sem-fail; request, wait, sem-wait, join-blocked, race-*
                                    // (the final steps)
  std::string object;               // lock, variable, thread, condition variable or semaphore
  std::string site;                 // "file.cc:12", or ""
  uint64_t event_index = 0;         // position in the merged stream
};

// Contention numbers (finding kind "contention"): of one lock, or summed over the `locks`
// locks first taken at the same place.
struct ContentionStats {
  uint64_t locks = 1;
  uint64_t acquisitions = 0;
  uint64_t contended = 0;           // acquisitions that had to wait
  uint64_t total_wait_ns = 0;
  uint64_t max_wait_ns = 0;
  uint64_t total_hold_ns = 0;
  uint64_t max_hold_ns = 0;
};

struct Finding {
  std::string kind;                 // race, lock-order, deadlock, self-deadlock, hang,
                                    // timeout, misuse, contention
  Severity severity = Severity::kError;
  std::string title;                // one-line headline
  std::string detail;               // optional longer explanation
  std::string fingerprint;          // stable across runs: 16 hex digits
  std::vector<std::string> threads; // names of the threads involved
  std::vector<std::string> locks;   // names of the locks involved
  std::vector<std::string> variables;  // names of the variables involved
  std::vector<Access> accesses;     // the sides: race = 2; misuse/hang/self-deadlock = 1+
  // A race in a heap block: the block's allocation (op "allocate": its thread, its address
  // and size, and the allocating call's stack).
  std::optional<Access> allocation;
  std::vector<CycleEdge> cycle;     // lock-order / deadlock: the cycle's edges, in order
  std::optional<ContentionStats> contention;
  std::string subkind;              // misuse: "unlock-not-held", "unlock-not-owner",
                                    // "held-at-exit", "destroy-locked"; hang: "cond",
                                    // "join", "sem", "lock" (held by a thread that exited)
  // Set by `threadlens confirm`: whether a steered run made the finding happen, and the
  // trace of that run.
  std::optional<bool> confirmed;
  std::string confirmed_trace;
  // Set by prediction (`analyze --predict`): true when a reordering of this run's events shows
  // the finding (the schedule is `witness`), false when none of the `relation` kind does.
  std::optional<bool> predicted;
  std::string relation;             // "sync-preserving"
  std::vector<WitnessStep> witness; // the schedule, in order; its last steps block
  uint64_t witness_omitted = 0;     // earliest steps left out of `witness`

  // A race's first side may be called the earlier one: the trace's order, unless the sides'
  // times contradict it (a plain access carries the time of its thread's last clock read).
  bool FirstSideEarlier() const { return accesses.size() < 2 || accesses[0].ts <= accesses[1].ts; }
};

// Time spans per thread for timelines (holds and waits), kept bounded by the analyzer.
struct Span {
  uint32_t tid = 0;
  std::string object;               // lock name
  std::string kind;                 // "hold", "wait", "hold-shared"
  uint64_t begin = 0;               // trace ticks
  uint64_t end = 0;                 // trace ticks; == trace end if still open
};

struct ThreadInfo {
  uint32_t tid = 0;
  std::string name;
  uint32_t parent = 0;
  uint64_t start = 0, end = 0;      // trace ticks
  bool blocked_at_end = false;
  uint32_t pid = 0;                 // its process in a recording of several processes, else 0
};

struct LockInfo {
  std::string name;
  uint64_t address = 0;
  std::string type;                 // normal, recursive, errorcheck, rwlock, spin, unknown
};

struct LockOrderEdge {
  std::string from, to;
  std::vector<std::string> threads;
  Access from_site, to_site;        // one example
  uint64_t count = 0;
};

// Everything one analysis produced for one trace.
struct Report {
  std::string schema = kFindingsSchema;
  std::string trace;                // path of the analyzed trace
  std::string program;
  uint64_t events = 0;
  uint64_t ticks_per_second = 1'000'000'000;
  uint64_t begin_ticks = 0, end_ticks = 0;
  bool watchdog = false;
  bool complete = true;             // closed cleanly, nothing missing
  bool truncated = false;           // the tracer stopped early (size cap, disk full)
  // Not complete, but written out whole when a fatal signal ended the program.
  bool signal_flushed = false;
  std::vector<std::string> warnings;
  std::vector<Finding> findings;
  std::vector<ThreadInfo> threads;
  std::vector<uint32_t> pids;       // the recording's processes, when more than one
  std::vector<LockInfo> locks;
  std::vector<LockOrderEdge> lock_order;  // the whole lock-order graph, for drawing
  std::vector<Span> spans;                // for timelines; capped (see `spans_truncated`)
  bool spans_truncated = false;
  std::vector<std::string> notes;         // e.g. "cycle enumeration stopped at 1000"
  // Findings the program's ThreadSanitizer settings left out (AnalyzeOptions::tsan_settings);
  // a note says which settings.
  size_t tsan_settings_removed = 0;
};

// Calls `fn` on every string of the report (names, titles, stacks, warnings, notes).
void ForEachText(Report& report, const std::function<void(std::string&)>& fn);
// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);
// Makes every string of the report valid UTF-8 (the writers may then rely on it).
void SanitizeUtf8(Report& report);
// Control characters written visibly: newline as \n, ESC as \x1b; the rest unchanged.
std::string EscapeControls(std::string_view s);

}  // namespace threadlens
