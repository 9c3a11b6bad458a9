// What a binary trace says about itself (trace_format.h): its file header, and the modules
// its module-map blocks name. The block reader (binary_reader.cc) reads the events.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "threadlens/trace_format.h"
#include "trace_file.h"

namespace threadlens {

// The warnings a trace's end gives (`saw_end`: its end record was read; `end`: the offset the
// blocks ended at): cut short after it was closed (then `meta.complete` turns false), stopped
// by a size cap, flushed by a fatal signal, or never closed.
void EndWarnings(TraceMeta& meta, bool saw_end, uint64_t end, const std::string& path,
                 std::vector<std::string>& out);

// Throws the Error of a damaged or foreign trace: where, and what was wrong there.
[[noreturn]] void CorruptTrace(const std::string& path, uint64_t offset, const std::string& what);

struct TraceHeader {
  TraceMeta meta;
  uint64_t header_size = 0;  // where the first block begins
};
// The file header of `file`, checked (magic, version, size) before anything is used.
TraceHeader ReadTraceHeader(const TraceFile& file, const std::string& path);

// The recording's modules from its module maps in file order (written at start, before each
// dlclose and at exit): the latest map, in its order (the program first), then what earlier
// maps name that it does not, libraries unloaded since. Where two overlap, the later one is
// kept. `string` gives the string table's entries.
std::vector<ModuleInfo> MergeModuleMaps(const std::vector<std::vector<trace::ModuleEntry>>& maps,
                                        const std::function<std::string_view(uint32_t)>& string);

}  // namespace threadlens
