// Reader of binary trace formats v1 and v2 (trace_format.h). Opening scans the block headers once
// (strings, modules and the end record are read then; event blocks are only indexed), then
// Next() merges the per-thread event streams: synchronization events in global sequence
// order, every other event in its thread's program order just before that thread's next
// synchronization event. Memory: one block per thread plus the index (16 bytes per block).
//
// Every length and count is checked against the file before it is used, so a damaged or
// hostile file ends in an Error naming the byte offset, never a crash, a huge allocation or
// a hang. A truncated LAST block (a killed program) is read up to the damage, with a warning.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>
#include <unordered_map>

#include "readers.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/crc32c.h"

namespace threadlens {
namespace {

using trace::BlockHeader;
using trace::BlockKind;
using trace::Event;

// Largest block payload accepted; the tracer writes 80 KiB blocks, the offline writer less
// than 1 MiB. Anything bigger is damage.
constexpr uint32_t kMaxPayload = 64u << 20;

// IsSyncKind by table: asked once per event.
struct SyncTable {
  bool v[256];
  constexpr SyncTable() : v() {
    for (int k = 0; k < 256; ++k) v[k] = trace::IsSyncKind(static_cast<trace::EventKind>(k));
  }
  constexpr bool operator[](uint8_t k) const { return v[k]; }
};
constexpr SyncTable kSync;

class BinaryTrace final : public EventSource {
 public:
  explicit BinaryTrace(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw Error(path + ": not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    try {
      ReadHeader();
      ScanBlocks();
    } catch (...) {
      ::close(fd_);
      throw;
    }
    for (size_t i = 0; i < cursors_.size(); ++i) Classify(i);
  }

  ~BinaryTrace() override { ::close(fd_); }

  bool Next(StreamEvent& out) override {
    size_t c;
    if (!ready_.empty()) {
      c = ready_.back();
      ready_.pop_back();
    } else if (!heap_.empty()) {
      c = heap_.top().cursor;
      heap_.pop();
    } else {
      return false;
    }
    Cursor& cur = cursors_[c];
    out.tid = cur.tid;
    out.ev = cur.events[cur.pos];
    ++cur.pos;
    Classify(c);
    return true;
  }

  // Same order as Next(): a cursor whose head is not a sync event goes on top of the ready
  // stack and is taken again at once, so its run of non-sync events is copied in one go.
  size_t NextBatch(StreamEvent* out, size_t n) override {
    size_t i = 0;
    while (i < n) {
      size_t c;
      if (!ready_.empty()) {
        c = ready_.back();
        ready_.pop_back();
      } else if (!heap_.empty()) {
        c = heap_.top().cursor;
        heap_.pop();
      } else {
        break;
      }
      Cursor& cur = cursors_[c];
      const Event* ev = cur.events.data();
      const size_t end = cur.events.size();
      size_t pos = cur.pos;
      do {
        out[i].tid = cur.tid;
        out[i].ev = ev[pos];
        ++i;
        ++pos;
      } while (i < n && pos < end && !kSync[ev[pos].kind]);
      cur.pos = pos;
      Classify(c);
    }
    return i;
  }

  const TraceMeta& Meta() const override { return meta_; }
  std::string_view String(uint32_t id) const override {
    auto it = strings_.find(id);
    return it == strings_.end() ? std::string_view() : std::string_view(it->second);
  }
  const std::vector<ModuleInfo>& Modules() const override { return modules_; }
  const std::vector<std::string>& Warnings() const override { return warnings_; }

 private:
  struct BlockRef {
    uint64_t offset;  // of the block header
    uint32_t count;   // kEvents: events usable (fewer than the header says when truncated);
                      // kPackedEvents: records the header announces
    uint32_t bytes;   // payload bytes usable
    uint32_t checksum;
    bool truncated;
    bool packed;
  };
  struct Cursor {
    uint32_t tid = 0;
    std::vector<BlockRef> blocks;
    size_t next_block = 0;
    std::vector<Event> events;  // the current block
    size_t pos = 0;
    uint64_t last_ts = 0;       // time of the thread's previous record (packed records)
    bool seen_full = false;     // a full Event came first, so last_ts is the real one
  };
  struct HeapItem {
    uint64_t seq;
    uint32_t tid;
    size_t cursor;
    bool operator>(const HeapItem& o) const { return seq != o.seq ? seq > o.seq : tid > o.tid; }
  };

  [[noreturn]] void Fail(uint64_t offset, const std::string& what) const {
    throw Error(path_ + ": corrupt trace at byte offset " + std::to_string(offset) + ": " + what +
                " (the file is damaged or not a threadlens trace; record it again)");
  }

  void ReadAt(uint64_t offset, void* dst, size_t n) const {
    auto* p = static_cast<char*>(dst);
    while (n > 0) {
      ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) Fail(offset, "unexpected end of file");
      p += r;
      n -= static_cast<size_t>(r);
      offset += static_cast<uint64_t>(r);
    }
  }

  void ReadHeader() {
    char magic[sizeof(trace::kMagic)] = {};
    if (size_ < sizeof magic) Fail(0, "file too short for a trace header");
    ReadAt(0, magic, sizeof magic);
    if (std::memcmp(magic, trace::kMagic, sizeof magic) != 0) {
      Fail(0, "bad magic (expected TLTRACE1)");
    }
    if (size_ < sizeof(trace::FileHeader)) {
      Fail(size_,
           "file ends inside the " + std::to_string(sizeof(trace::FileHeader)) + "-byte header");
    }
    trace::FileHeader h;
    ReadAt(0, &h, sizeof h);
    if (h.version < trace::kMinVersion || h.version > trace::kVersion) {
      Fail(offsetof(trace::FileHeader, version),
           "trace format version " + std::to_string(h.version) + ", this threadlens reads " +
               std::to_string(trace::kMinVersion) + " to " + std::to_string(trace::kVersion));
    }
    if (h.header_size < sizeof(trace::FileHeader) || h.header_size > size_) {
      Fail(offsetof(trace::FileHeader, header_size),
           "bad header size " + std::to_string(h.header_size));
    }
    header_size_ = h.header_size;
    meta_.path = path_;
    meta_.program.assign(h.program, strnlen(h.program, sizeof h.program));
    meta_.pid = h.pid;
    meta_.ticks_per_second = h.ticks_per_second ? h.ticks_per_second : 1'000'000'000;
    meta_.start_ticks = h.start_ticks;
    meta_.complete = (h.flags & trace::kHeaderComplete) != 0;
    meta_.watchdog = (h.flags & trace::kHeaderWatchdog) != 0;
    meta_.format = "binary";
  }

  std::vector<char> ReadPayload(uint64_t off, const BlockHeader& b) const {
    std::vector<char> p(b.payload_size);
    ReadAt(off + sizeof(BlockHeader), p.data(), p.size());
    if (trace::Crc32c(p.data(), p.size()) != b.checksum) Fail(off, "block checksum mismatch");
    return p;
  }

  Cursor& CursorOf(uint32_t tid) {
    auto [it, fresh] = cursor_of_.try_emplace(tid, cursors_.size());
    if (fresh) {
      cursors_.emplace_back();
      cursors_.back().tid = tid;
    }
    return cursors_[it->second];
  }

  void ScanBlocks() {
    uint64_t off = header_size_;
    std::vector<std::pair<uint64_t, trace::ModuleEntry>> modules;
    while (off < size_) {
      if (size_ - off < sizeof(BlockHeader)) {
        warnings_.push_back(path_ + ": trace truncated at byte offset " + std::to_string(off) +
                            " (inside a block header); read up to there");
        break;
      }
      BlockHeader b;
      ReadAt(off, &b, sizeof b);
      if (b.magic != trace::kBlockMagic) Fail(off, "bad block magic");
      if (b.payload_size > kMaxPayload) {
        Fail(off, "block payload of " + std::to_string(b.payload_size) + " bytes is too large");
      }
      uint64_t end = off + sizeof b + b.payload_size;
      bool truncated = end > size_;
      switch (static_cast<BlockKind>(b.kind)) {
        case BlockKind::kEvents: {
          if (static_cast<uint64_t>(b.count) * sizeof(Event) != b.payload_size) {
            Fail(off, "event block size " + std::to_string(b.payload_size) + " does not match " +
                          std::to_string(b.count) + " events");
          }
          uint32_t usable = b.count;
          if (truncated) {
            usable = static_cast<uint32_t>((size_ - off - sizeof b) / sizeof(Event));
            warnings_.push_back(path_ + ": trace truncated at byte offset " +
                                std::to_string(size_) + ": the last block of thread " +
                                std::to_string(b.tid) + " holds " + std::to_string(usable) +
                                " of " + std::to_string(b.count) + " events; read up to there");
          }
          if (usable > 0) {
            CursorOf(b.tid).blocks.push_back({off, usable,
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
          if (truncated) bytes = static_cast<uint32_t>(size_ - off - sizeof b);
          if (b.count > 0 && bytes > 0) {
            CursorOf(b.tid).blocks.push_back({off, b.count, bytes, b.checksum, truncated, true});
          }
          break;
        }
        case BlockKind::kStrings: {
          if (truncated) break;
          std::vector<char> p = ReadPayload(off, b);
          size_t at = 0;
          for (uint32_t i = 0; i < b.count; ++i) {
            trace::StringEntry e;
            if (p.size() - at < sizeof e) Fail(off, "string table entry past the block end");
            std::memcpy(&e, p.data() + at, sizeof e);
            at += sizeof e;
            if (p.size() - at < e.length) Fail(off, "string past the block end");
            strings_[e.id].assign(p.data() + at, e.length);
            at += e.length;
          }
          break;
        }
        case BlockKind::kModules: {
          if (truncated) break;
          if (static_cast<uint64_t>(b.count) * sizeof(trace::ModuleEntry) != b.payload_size) {
            Fail(off, "module block size does not match its count");
          }
          std::vector<char> p = ReadPayload(off, b);
          // The latest module map wins (it is written at start and again at exit).
          modules.clear();
          for (uint32_t i = 0; i < b.count; ++i) {
            trace::ModuleEntry e;
            std::memcpy(&e, p.data() + i * sizeof e, sizeof e);
            modules.emplace_back(off, e);
          }
          break;
        }
        case BlockKind::kEnd: {
          if (truncated) break;
          if (b.payload_size != sizeof(trace::EndRecord)) Fail(off, "bad end record size");
          ReadPayload(off, b);
          break;
        }
        default:
          break;  // a block kind from a newer writer: skipped (version rules)
      }
      if (truncated) {
        if (static_cast<BlockKind>(b.kind) != BlockKind::kEvents &&
            static_cast<BlockKind>(b.kind) != BlockKind::kPackedEvents) {
          warnings_.push_back(path_ + ": trace truncated at byte offset " + std::to_string(size_) +
                              " (inside a block); read up to there");
        }
        break;
      }
      off = end;
    }
    for (auto& [at, e] : modules) {
      modules_.push_back({e.base, e.size, std::string(String(e.path_id))});
    }
    if (!meta_.complete) {
      warnings_.push_back(path_ +
                          ": the trace was not closed cleanly (the program was killed or "
                          "crashed); events after the last flushed block are missing");
    }
  }

  // Loads the cursor's next non-empty block; false at the end of its stream.
  bool LoadNext(Cursor& c) {
    while (c.next_block < c.blocks.size()) {
      const BlockRef& r = c.blocks[c.next_block++];
      c.pos = 0;
      if (r.packed) {
        Unpack(c, r);
      } else {
        c.events.resize(r.count);
        ReadAt(r.offset + sizeof(BlockHeader), c.events.data(), r.count * sizeof(Event));
        if (!r.truncated &&
            trace::Crc32c(c.events.data(), r.count * sizeof(Event)) != r.checksum) {
          Fail(r.offset, "block checksum mismatch");
        }
        if (r.count > 0) {
          c.last_ts = c.events.back().ts;
          c.seen_full = true;
        }
      }
      if (!c.events.empty()) return true;
    }
    c.events.clear();
    c.events.shrink_to_fit();
    c.pos = 0;
    return false;
  }

  // Decodes a kPackedEvents block into full events. A truncated block yields its whole
  // records up to the damage (the warning names how many of the announced ones).
  void Unpack(Cursor& c, const BlockRef& r) {
    packed_.resize(r.bytes);
    ReadAt(r.offset + sizeof(BlockHeader), packed_.data(), r.bytes);
    if (!r.truncated && trace::Crc32c(packed_.data(), r.bytes) != r.checksum) {
      Fail(r.offset, "block checksum mismatch");
    }
    c.events.clear();
    const unsigned char* p = packed_.data();
    size_t at = 0;
    while (at < r.bytes && c.events.size() < r.count) {
      const uint64_t where = r.offset + sizeof(BlockHeader) + at;
      Event e;
      if (p[at] & trace::kPackedTag) {
        if (r.bytes - at < trace::kPackedSize) break;
        uint64_t w[2];
        std::memcpy(w, p + at, sizeof w);
        if (!trace::UnpackRecord(w[0], w[1], c.last_ts, e)) {
          Fail(where, "bad packed record tag " + std::to_string(p[at]));
        }
        if (!c.seen_full) {
          Fail(where, "packed record before the first full event of thread " +
                          std::to_string(c.tid));
        }
        at += trace::kPackedSize;
      } else {
        if (r.bytes - at < sizeof(Event)) break;
        std::memcpy(&e, p + at, sizeof e);
        c.last_ts = e.ts;
        c.seen_full = true;
        at += sizeof(Event);
      }
      c.events.push_back(e);
    }
    if (r.truncated) {
      warnings_.push_back(path_ + ": trace truncated at byte offset " + std::to_string(size_) +
                          ": the last block of thread " + std::to_string(c.tid) + " holds " +
                          std::to_string(c.events.size()) + " of " + std::to_string(r.count) +
                          " events; read up to there");
    } else if (c.events.size() != r.count || at != r.bytes) {
      Fail(r.offset, "packed event block holds other than its " + std::to_string(r.count) +
                         " records");
    }
  }

  // Puts the cursor where its head belongs: the ready stack for a non-sync event (it goes
  // out before anything else), the heap for a sync event (ordered by seq).
  void Classify(size_t i) {
    Cursor& c = cursors_[i];
    if (c.pos >= c.events.size() && !LoadNext(c)) return;
    const Event& e = c.events[c.pos];
    if (kSync[e.kind]) {
      heap_.push({e.seq, c.tid, i});
    } else {
      ready_.push_back(i);
    }
  }

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t header_size_ = 0;
  TraceMeta meta_;
  std::unordered_map<uint32_t, std::string> strings_;
  std::vector<ModuleInfo> modules_;
  std::vector<std::string> warnings_;
  std::vector<Cursor> cursors_;
  std::unordered_map<uint32_t, size_t> cursor_of_;
  std::vector<size_t> ready_;
  std::vector<unsigned char> packed_;  // payload of the packed block being decoded
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<HeapItem>> heap_;
};

}  // namespace

std::unique_ptr<EventSource> OpenBinaryTrace(const std::string& path) {
  return std::make_unique<BinaryTrace>(path);
}

}  // namespace threadlens
