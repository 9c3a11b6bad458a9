// The index of a binary trace's blocks (trace_format.h), made by one scan of the block
// headers when the trace is opened: where each thread's event blocks lie, and the strings,
// modules, settings and end record, read then. Every length and count is checked against the
// file before it is used: damage ends in an Error naming the byte offset; a truncated last
// block (a killed program) is indexed up to the damage, with a warning.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "threadlens/analyzer/event_source.h"
#include "trace_file.h"

namespace threadlens {

// Largest block payload accepted; the tracer writes 80 KiB blocks, the offline writer less
// than 1 MiB. Anything bigger is damage.
constexpr uint32_t kMaxPayload = 64u << 20;

struct BlockRef {
  uint64_t offset;  // of the block header
  uint32_t count;   // kEvents: events usable (fewer than the header says when truncated);
                    // kPackedEvents: records the header announces
  uint32_t bytes;   // payload bytes usable
  uint32_t checksum;
  bool truncated;
  bool packed;
  bool compressed = false;  // kCompressedEvents: `bytes` of zstd frame, packed inside
};

struct BlockIndex {
  // Each thread's event blocks in file order, the threads in the order first met.
  std::vector<std::pair<uint32_t, std::vector<BlockRef>>> threads;
  std::unordered_map<uint32_t, std::string> strings;
  std::vector<ModuleInfo> modules;
  std::vector<std::string> warnings;
};

// Scans the blocks from `header_size` to the end of `file`; the settings go into `meta`, and
// the end record's verdicts too (trace_header.h). Throws an Error on damage.
BlockIndex ScanBlocks(const TraceFile& file, const std::string& path, uint64_t header_size,
                      TraceMeta& meta);

}  // namespace threadlens
