// The block index's one scan of a trace (block_index.h).
#include "block_index.h"

#include <cstring>
#include <string_view>

#include "threadlens/analyzer/error.h"
#include "threadlens/crc32c.h"
#include "threadlens/trace_format.h"
#include "threadlens/trace_packed.h"
#include "trace_header.h"

namespace threadlens {

using trace::BlockHeader;
using trace::BlockKind;
using trace::Event;

BlockIndex ScanBlocks(const TraceFile& file, const std::string& path, uint64_t header_size,
                      TraceMeta& meta) {
  ReadBuffer reader(file);
  size_t ahead = ReadBuffer::AheadAfter(0);  // the first blocks (strings, modules...) are small
  BlockIndex index;
  const uint64_t size = file.size();
  std::unordered_map<uint32_t, size_t> thread_of;
  auto Blocks = [&](uint32_t tid) -> std::vector<BlockRef>& {
    auto [it, fresh] = thread_of.try_emplace(tid, index.threads.size());
    if (fresh) index.threads.emplace_back(tid, std::vector<BlockRef>());
    return index.threads[it->second].second;
  };
  auto Fail = [&](uint64_t offset, const std::string& what) { CorruptTrace(path, offset, what); };
  // A whole (untruncated) block's payload, its checksum verified.
  std::vector<unsigned char> scratch;
  auto Payload = [&](uint64_t off, const BlockHeader& b) -> const unsigned char* {
    scratch.resize(b.payload_size);
    if (!reader.Read(off + sizeof(BlockHeader), scratch.data(), b.payload_size, 0)) {
      Fail(off + sizeof(BlockHeader), "unexpected end of file");
    }
    if (trace::Crc32c(scratch.data(), b.payload_size) != b.checksum) {
      Fail(off, "block checksum mismatch");
    }
    return scratch.data();
  };

  uint64_t off = header_size;
  std::vector<std::vector<trace::ModuleEntry>> maps;
  bool saw_end = false;
  while (off < size) {
    if (size - off < sizeof(BlockHeader)) {
      index.warnings.push_back(path + ": trace truncated at byte offset " + std::to_string(off) +
                          " (inside a block header); read up to there");
      break;
    }
    BlockHeader b;
    if (!reader.Read(off, &b, sizeof b, ahead)) Fail(off, "unexpected end of file");
    if (b.magic != trace::kBlockMagic) Fail(off, "bad block magic");
    if (b.payload_size > kMaxPayload) {
      Fail(off, "block payload of " + std::to_string(b.payload_size) + " bytes is too large");
    }
    uint64_t end = off + sizeof b + b.payload_size;
    ahead = ReadBuffer::AheadAfter(b.payload_size);
    bool truncated = end > size;
    switch (static_cast<BlockKind>(b.kind)) {
      case BlockKind::kEvents: {
        if (static_cast<uint64_t>(b.count) * sizeof(Event) != b.payload_size) {
          Fail(off, "event block size " + std::to_string(b.payload_size) + " does not match " +
                        std::to_string(b.count) + " events");
        }
        uint32_t usable = b.count;
        if (truncated) {
          usable = static_cast<uint32_t>((size - off - sizeof b) / sizeof(Event));
          index.warnings.push_back(path + ": trace truncated at byte offset " +
                              std::to_string(size) + ": the last block of thread " +
                              std::to_string(b.tid) + " holds " + std::to_string(usable) +
                              " of " + std::to_string(b.count) + " events; read up to there");
        }
        if (usable > 0) {
          Blocks(b.tid).push_back({off, usable,
                                            static_cast<uint32_t>(usable * sizeof(Event)),
                                            b.checksum, truncated, false});
        }
        break;
      }
      case BlockKind::kPackedEvents: {
        // Records are 16 or 40 bytes; the exact count is checked when the block is decoded.
        const uint64_t lo = static_cast<uint64_t>(b.count) * trace::kPackedSize;
        const uint64_t hi = static_cast<uint64_t>(b.count) * sizeof(Event);
        if (b.payload_size % 8 != 0 || b.payload_size < lo || b.payload_size > hi) {
          Fail(off, "packed event block size " + std::to_string(b.payload_size) +
                        " cannot hold " + std::to_string(b.count) + " records");
        }
        uint32_t bytes = b.payload_size;
        if (truncated) bytes = static_cast<uint32_t>(size - off - sizeof b);
        if (b.count > 0 && bytes > 0) {
          Blocks(b.tid).push_back({off, b.count, bytes, b.checksum, truncated, true});
        }
        break;
      }
      case BlockKind::kCompressedEvents: {
        if (truncated) {
          index.warnings.push_back(path + ": trace truncated at byte offset " +
                              std::to_string(size) + ": the last block of thread " +
                              std::to_string(b.tid) + " was cut inside its compressed " +
                              std::to_string(b.count) + " events, which are lost");
          break;
        }
        if (b.count > 0) {
          Blocks(b.tid).push_back(
              {off, b.count, b.payload_size, b.checksum, false, true, true});
        }
        break;
      }
      case BlockKind::kStrings: {
        if (truncated) break;
        const char* p = reinterpret_cast<const char*>(Payload(off, b));
        const size_t bytes = b.payload_size;
        size_t at = 0;
        for (uint32_t i = 0; i < b.count; ++i) {
          trace::StringEntry e;
          if (bytes - at < sizeof e) Fail(off, "string table entry past the block end");
          std::memcpy(&e, p + at, sizeof e);
          at += sizeof e;
          if (bytes - at < e.length) Fail(off, "string past the block end");
          index.strings[e.id].assign(p + at, e.length);
          at += e.length;
        }
        break;
      }
      case BlockKind::kModules: {
        if (truncated) break;
        if (static_cast<uint64_t>(b.count) * sizeof(trace::ModuleEntry) != b.payload_size) {
          Fail(off, "module block size does not match its count");
        }
        const unsigned char* p = Payload(off, b);
        // Written at start, before a dlclose and at exit: each map is kept (below).
        maps.emplace_back(b.count);
        std::memcpy(maps.back().data(), p, b.payload_size);
        break;
      }
      case BlockKind::kSettings: {
        if (truncated) break;
        const char* p = reinterpret_cast<const char*>(Payload(off, b));
        size_t at = 0;
        for (uint32_t i = 0; i < b.count; ++i) {
          trace::SettingEntry e;
          if (b.payload_size - at < sizeof e) Fail(off, "setting past the block end");
          std::memcpy(&e, p + at, sizeof e);
          at += sizeof e;
          if (b.payload_size - at < uint64_t{e.key_length} + e.value_length) {
            Fail(off, "setting past the block end");
          }
          meta.settings.emplace_back(std::string(p + at, e.key_length),
                                      std::string(p + at + e.key_length, e.value_length));
          at += e.key_length + e.value_length;
        }
        break;
      }
      case BlockKind::kEnd: {
        if (truncated) break;
        if (b.payload_size != sizeof(trace::EndRecord)) Fail(off, "bad end record size");
        trace::EndRecord end;
        std::memcpy(&end, Payload(off, b), sizeof end);
        saw_end = true;
        meta.end_locks = end.locks;
        if (end.dropped > 0) {
          index.warnings.push_back(path + ": the tracer lost " + std::to_string(end.dropped) +
                              " event(s) while recording; findings may be incomplete");
        }
        break;
      }
      default:
        break;  // a block kind from a newer writer: skipped (version rules)
    }
    if (truncated) {
      if (static_cast<BlockKind>(b.kind) != BlockKind::kEvents &&
          static_cast<BlockKind>(b.kind) != BlockKind::kPackedEvents) {
        index.warnings.push_back(path + ": trace truncated at byte offset " + std::to_string(size) +
                            " (inside a block); read up to there");
      }
      break;
    }
    off = end;
  }
  index.modules = MergeModuleMaps(maps, [&](uint32_t id) {
    auto it = index.strings.find(id);
    return it == index.strings.end() ? std::string_view() : std::string_view(it->second);
  });
  EndWarnings(meta, saw_end, off, path, index.warnings);
  return index;
}

}  // namespace threadlens
