// A binary trace's file header and module maps (see trace_header.h).
#include "trace_header.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "threadlens/analyzer/error.h"

namespace threadlens {

void CorruptTrace(const std::string& path, uint64_t offset, const std::string& what) {
  throw Error(path + ": corrupt trace at byte offset " + std::to_string(offset) + ": " + what +
              " (the file is damaged or not a threadlens trace; record it again)");
}

TraceHeader ReadTraceHeader(const TraceFile& file, const std::string& path) {
  const uint64_t size = file.size();
  TraceHeader out;
  TraceMeta& meta = out.meta;
  char magic[sizeof(trace::kMagic)] = {};
  if (size < sizeof magic) CorruptTrace(path, 0, "file too short for a trace header");
  if (!file.Read(0, magic, sizeof magic)) CorruptTrace(path, 0, "unexpected end of file");
  if (std::memcmp(magic, trace::kMagic, sizeof magic) != 0) {
    CorruptTrace(path, 0, "bad magic (expected TLTRACE1)");
  }
  if (size < sizeof(trace::FileHeader)) {
    CorruptTrace(
        path, size,
        "file ends inside the " + std::to_string(sizeof(trace::FileHeader)) + "-byte header");
  }
  trace::FileHeader h;
  if (!file.Read(0, &h, sizeof h)) CorruptTrace(path, 0, "unexpected end of file");
  if (h.version < trace::kMinVersion || h.version > trace::kVersion) {
    CorruptTrace(path, offsetof(trace::FileHeader, version),
                 "trace format version " + std::to_string(h.version) + ", this threadlens reads " +
                     std::to_string(trace::kMinVersion) + " to " + std::to_string(trace::kVersion));
  }
  if (h.header_size < sizeof(trace::FileHeader) || h.header_size > size) {
    CorruptTrace(path, offsetof(trace::FileHeader, header_size),
                 "bad header size " + std::to_string(h.header_size));
  }
  out.header_size = h.header_size;
  meta.path = path;
  if (h.version >= trace::kRecordingVersion) {
    meta.program.assign(h.program, strnlen(h.program, sizeof h.program));
    meta.recording = h.recording;
  } else {  // v1 and v2: the program path runs to the header's end, no recording
    const char* program = reinterpret_cast<const char*>(&h) + offsetof(trace::FileHeader, program);
    const size_t room = sizeof h - offsetof(trace::FileHeader, program);
    meta.program.assign(program, strnlen(program, room));
  }
  meta.pid = h.pid;
  meta.ppid = h.ppid;
  meta.ticks_per_second = h.ticks_per_second ? h.ticks_per_second : 1'000'000'000;
  meta.start_ticks = h.start_ticks;
  meta.complete = (h.flags & trace::kHeaderComplete) != 0;
  meta.truncated = (h.flags & trace::kHeaderTruncated) != 0;
  if (meta.truncated && (h.flags & trace::kHeaderCut)) meta.cut = h.cut_seq;
  meta.watchdog = (h.flags & trace::kHeaderWatchdog) != 0;
  meta.signal_flushed = !meta.complete && (h.flags & trace::kHeaderSignalFlush) != 0;
  meta.uninstrumented = (h.flags & trace::kHeaderUninstrumented) != 0;
  meta.forked = (h.flags & trace::kHeaderForked) != 0;
  meta.format = "binary";
  return out;
}

std::vector<ModuleInfo> MergeModuleMaps(const std::vector<std::vector<trace::ModuleEntry>>& maps,
                                        const std::function<std::string_view(uint32_t)>& string) {
  std::vector<ModuleInfo> modules;
  for (auto m = maps.rbegin(); m != maps.rend(); ++m) {
    for (const trace::ModuleEntry& e : *m) {
      const bool overlaps = std::any_of(modules.begin(), modules.end(), [&](const ModuleInfo& k) {
        return e.base < k.base + k.size && k.base < e.base + e.size;
      });
      if (!overlaps) {
        modules.push_back(
            {e.base, e.size, std::string(string(e.path_id)), std::string(string(e.build_id))});
      }
    }
  }
  return modules;
}

void EndWarnings(TraceMeta& meta, bool saw_end, uint64_t end, const std::string& path,
                 std::vector<std::string>& out) {
  if (meta.complete && !saw_end) {
    // The header says closed, the end record is gone: the file was cut after the fact.
    meta.complete = false;
    out.push_back(path + ": the trace ends at byte offset " + std::to_string(end) +
                  " without its end record (the file was cut short); events after "
                  "that are missing");
  } else if (meta.truncated && meta.cut) {
    out.push_back(path +
                  ": the tracer stopped early (trace size cap, file size limit or full "
                  "disk); the trace holds every thread's events up to that moment, none "
                  "after");
  } else if (meta.truncated) {
    out.push_back(path +
                  ": the tracer stopped early (size cap, disk full or file size limit); "
                  "events after that are missing, and so may be earlier ones of "
                  "threads that had not written them yet: findings may be missing or "
                  "false");
  } else if (meta.signal_flushed) {
    out.push_back(path +
                  ": the program died of a fatal signal; the tracer wrote out every "
                  "thread's events as it did, so the trace holds the program up to the "
                  "signal (a record being written at that instant may be missing)");
  } else if (!meta.complete) {
    out.push_back(path +
                  ": the trace was not closed cleanly (the program was killed or "
                  "crashed); events after the last flushed block are missing");
  }
}

}  // namespace threadlens
