// A stream of trace events in one order consistent with every synchronization, whatever the
// trace came from (binary trace file, RAPID STD text, a test). Detectors consume this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "threadlens/trace_format.h"

namespace threadlens {

// One event with the thread it belongs to. Layout of `ev` is the on-disk trace::Event.
struct StreamEvent {
  uint32_t tid = 0;
  trace::Event ev{};
  trace::EventKind kind() const { return static_cast<trace::EventKind>(ev.kind); }
};

struct ModuleInfo {
  uint64_t base = 0;
  uint64_t size = 0;
  std::string path;
  std::string build_id;  // hex, as recorded; "": not recorded
};

// One process of a recording (a process tree traced by one `threadlens run`).
struct ProcessInfo {
  uint32_t pid = 0;
  uint32_t ppid = 0;
  std::string program;
  std::string path;       // its trace file
  bool complete = false;  // closed cleanly
};

struct TraceMeta {
  std::string path;        // the file it was read from
  std::string program;     // traced program (FileHeader::program), or the STD file's name
  uint32_t pid = 0;
  uint64_t ticks_per_second = 1'000'000'000;
  uint64_t start_ticks = 0;
  bool complete = false;   // written by a clean close, end record present
  bool truncated = false;  // the tracer stopped early (size cap, disk full)
  // With truncated: a limit stopped it, and every thread's events up to this sequence
  // number are in the trace, none after (0: not known, e.g. a full disk).
  uint64_t cut = 0;
  bool watchdog = false;   // the watchdog ended the program
  // Not complete, but a fatal signal's handler flushed every thread's records: nothing
  // before the signal is missing but a record being written then.
  bool signal_flushed = false;
  // No instrumented code ran in the program: the trace has no memory accesses to check.
  bool uninstrumented = false;
  std::string format;      // "binary", "std"
  uint64_t recording = 0;  // the recording id (v3 header), 0 when none
  uint32_t ppid = 0;
  // From a binary trace's end record: the distinct lock objects its lock events name, plus
  // one; 0 when not counted (no end record, or a writer that does not count them).
  uint32_t end_locks = 0;
  // The process forked (binary traces): its children's fate is in the events.
  bool forked = false;
  // The program's ThreadSanitizer settings as recorded (key, value): TSAN_OPTIONS,
  // __tsan_default_options, __tsan_default_suppressions, the suppressions file's text.
  std::vector<std::pair<std::string, std::string>> settings;
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Next event in merged order; false at the end. Throws threadlens::Error on bad input.
  virtual bool Next(StreamEvent& out) = 0;
  // Up to `n` next events into `out`, in the same order as Next(); fewer only at the end.
  // Readers override it to skip a virtual call and a merge step per event.
  virtual size_t NextBatch(StreamEvent* out, size_t n) {
    size_t i = 0;
    while (i < n && Next(out[i])) ++i;
    return i;
  }
  // The next events, in a buffer the source owns that stays valid until the next call (of
  // any of these three); 0 at the end. Saves the caller a copy of what a reader holds.
  virtual size_t NextSpan(const StreamEvent** out) {
    span_.resize(kSpanEvents);
    *out = span_.data();
    return NextBatch(span_.data(), kSpanEvents);
  }
  // Advice from the caller: its thread has time to spare (it waits on threads of its own),
  // so a source that reads on a thread of its own should read on the caller's from now on.
  virtual void ReadOnCallerThread() {}
  virtual const TraceMeta& Meta() const = 0;
  // String table lookup (names, site strings, module paths); "" for an unknown id.
  virtual std::string_view String(uint32_t id) const = 0;
  // Loaded modules, for resolving program counters to symbols.
  virtual const std::vector<ModuleInfo>& Modules() const = 0;
  // Warnings met while reading (e.g. a truncated last block), for the user.
  virtual const std::vector<std::string>& Warnings() const = 0;
  // Sources that watch their own stream for forks: the fork keys (process_tree.h) a
  // kHappensBefore released that no kHappensAfter in the stream acquired, so far. Null when
  // the source does not watch: the caller scans the events.
  virtual const std::set<uint64_t>* OpenForks() const { return nullptr; }
  // The processes of a recording read as one stream, in the order of their index (tids and
  // private addresses carry it, process_tree.h); empty for a trace of one process.
  virtual const std::vector<ProcessInfo>& Processes() const {
    static const std::vector<ProcessInfo> kNone;
    return kNone;
  }
  // Where the process at `index` had mapped `addr`, an address of shared memory in the merged
  // stream (its object and offset): the address as that process saw it, or `addr` itself when
  // the process never mapped it.
  virtual uint64_t SharedAddressIn(uint32_t index, uint64_t addr) const {
    (void)index;
    return addr;
  }

 private:
  static constexpr size_t kSpanEvents = 256;
  std::vector<StreamEvent> span_;  // NextSpan's, made at its first call
};

// Opens a binary trace or an STD text trace, deciding by content. Throws Error(kExitBadInput)
// with a message naming the file and byte offset when the file is missing or damaged.
std::unique_ptr<EventSource> OpenTrace(const std::string& path);

// What a cleanly closed binary trace holds, from its block headers and end record alone: no
// event is read, so a trace of a billion events is counted in milliseconds.
struct TraceCounts {
  uint64_t events = 0;   // as OpenTrace's stream would give them
  uint32_t threads = 0;  // threads (tid != 0) with events
  uint32_t locks = 0;    // distinct objects of lock create, request, acquired, try-failed events
};
// Empty when the counts cannot be had this way: not a binary trace, not closed cleanly,
// ended by the watchdog, events lost, a warning to give, a process that forked, or locks not
// counted by its writer.
// Never throws.
std::optional<TraceCounts> CountClosedTrace(const std::string& path);

}  // namespace threadlens
