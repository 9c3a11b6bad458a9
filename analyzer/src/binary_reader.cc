// Reader of binary trace formats v1 and v2 (trace_format.h). Opening scans the block headers once
// (block_index.h: strings, modules and the end record are read then, event blocks indexed), then
// Next() merges the per-thread event streams: synchronization events in global sequence
// order, every other event in its thread's program order just before that thread's next
// synchronization event. A block is read whole into its thread's buffer and checksummed; its
// full events are used in place, its packed records decoded as they are consumed, straight
// into the caller's batch. Blocks are mostly read, checksummed and decompressed ahead, on a
// thread of their own (block_prefetch.h). A thread's first block is read only when the
// merge reaches the thread: until then its place comes from its first event, read alone.
// Memory: one block per thread that has started and not ended, plus the index (24 bytes per
// block), and up to 16 blocks read ahead.
//
// Every length and count is checked against the file before it is used, so a damaged or
// hostile file ends in an Error naming the byte offset, never a crash, a huge allocation or
// a hang. A truncated LAST block (a killed program) is read up to the damage, with a warning.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <queue>
#include <set>
#include <system_error>
#include <unordered_map>

#include "block_frame.h"
#include "block_index.h"
#include "block_prefetch.h"
#include "event_block.h"
#include "process_tree.h"
#include "read_ahead.h"
#include "readers.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/crc32c.h"
#include "trace_file.h"
#include "trace_header.h"

namespace threadlens {
namespace {

using trace::BlockHeader;
using trace::BlockKind;
using trace::Event;

using block::kSync;

class BinaryTrace final : public EventSource {
 public:
  explicit BinaryTrace(const std::string& path) : path_(path), file_(path) {
    size_ = file_.size();
    const TraceHeader h = ReadTraceHeader(file_, path_);
    meta_ = h.meta;
    header_size_ = h.header_size;
    BlockIndex index = ScanBlocks(file_, path_, header_size_, meta_);
    strings_ = std::move(index.strings);
    modules_ = std::move(index.modules);
    warnings_ = std::move(index.warnings);
    cursors_.resize(index.threads.size());
    for (size_t i = 0; i < cursors_.size(); ++i) {
      cursors_[i].tid = index.threads[i].first;
      cursors_[i].blocks = std::move(index.threads[i].second);
    }
    StartPrefetch();
    ReadBuffer first(file_);  // the threads' first blocks lie in rising order
    for (size_t i = 0; i < cursors_.size(); ++i) Place(i, first);
  }

  bool Next(StreamEvent& out) override { return NextBatch(&out, 1) == 1; }

  // The order is that of taking the ready stack's top, else the heap's least, one event at a
  // time. A cursor whose head is not a sync event would go on top of the ready stack, so it
  // is kept; one whose head is a sync event is kept when the stack is empty and it would be
  // the heap's least. Most runs thus end without touching the stack or the heap.
  size_t NextBatch(StreamEvent* out, size_t n) override {
    size_t i = 0;
    size_t c = kNoCursor;
    while (i < n) {
      const size_t run = i;  // only a run's first event can be a sync event
      if (c == kNoCursor) {
        if (!ready_.empty()) {
          c = ready_.back();
          ready_.pop_back();
        } else if (!heap_.empty()) {
          c = heap_.top().cursor;
          heap_.pop();
        } else {
          break;
        }
      }
      Cursor& cur = cursors_[c];
      if (!cur.in_packed && cur.pos == cur.end) {  // placed by its first event alone
        uint64_t seq;
        if (Head(cur, &seq) == kEnd) {
          c = kNoCursor;
          continue;
        }
      }
      if (cur.in_packed) {
        block::PackedCursor::Status status;
        i += cur.packed.Take(out + i, n - i, cur.tid, cur.clock, &status);
        if (status != block::PackedCursor::kOk) FailRecord(cur, status);
      } else {
        const Event* ev = cur.ev;
        const uint32_t tid = cur.tid;
        const size_t end = std::min(cur.end, cur.pos + (n - i));
        size_t pos = cur.pos;
        do {
          out[i].tid = tid;
          out[i].ev = ev[pos];
          ++i;
          ++pos;
        } while (pos < end && !kSync[ev[pos].kind]);
        cur.pos = pos;
      }
      if (i > run && kSync[out[run].ev.kind] && IsForkKey(out[run].ev.obj)) Fork(out[run].ev);
      uint64_t seq;
      switch (Head(cur, &seq)) {
        case kEnd:
          c = kNoCursor;
          break;
        case kPlain:
          break;
        case kSyncHead:
          if (!ready_.empty() || (!heap_.empty() && HeapItem{seq, cur.tid, c} > heap_.top())) {
            heap_.push({seq, cur.tid, c});
            c = kNoCursor;
          }
          break;
      }
    }
    if (c != kNoCursor) Classify(c);
    return i;
  }

  const TraceMeta& Meta() const override { return meta_; }
  std::string_view String(uint32_t id) const override {
    auto it = strings_.find(id);
    return it == strings_.end() ? std::string_view() : std::string_view(it->second);
  }
  const std::vector<ModuleInfo>& Modules() const override { return modules_; }
  const std::vector<std::string>& Warnings() const override { return warnings_; }
  const std::set<uint64_t>* OpenForks() const override { return &forks_; }

 private:
  static constexpr size_t kNoCursor = std::numeric_limits<size_t>::max();

  struct Cursor {
    uint32_t tid = 0;
    std::vector<BlockRef> blocks;
    size_t next_block = 0;
    bool in_packed = false;  // the current block is packed: read through `packed`
    block::PackedCursor packed;
    const Event* ev = nullptr;  // else its events, in `buf`
    size_t pos = 0;
    size_t end = 0;
    std::vector<unsigned char> buf;  // the current block's payload
    size_t payload = 0;              // its bytes (decompressed)
    block::ThreadClock clock;
  };
  struct HeapItem {
    uint64_t seq;
    uint32_t tid;
    size_t cursor;
    bool operator>(const HeapItem& o) const { return seq != o.seq ? seq > o.seq : tid > o.tid; }
  };

  // A fork's key is released in the parent and acquired in the child (process_tree.h).
  void Fork(const Event& e) {
    if (e.kind == static_cast<uint8_t>(trace::EventKind::kHappensBefore)) forks_.insert(e.obj);
    if (e.kind == static_cast<uint8_t>(trace::EventKind::kHappensAfter)) forks_.erase(e.obj);
  }

  [[noreturn]] void Fail(uint64_t offset, const std::string& what) const {
    CorruptTrace(path_, offset, what);
  }

  // `n` bytes at `offset` into `buf`, all inside the file.
  const unsigned char* Fetch(uint64_t offset, size_t n, std::vector<unsigned char>& buf) const {
    if (buf.size() < n) buf.resize(n);
    if (!file_.Read(offset, buf.data(), n)) Fail(offset, "unexpected end of file");
    return buf.data();
  }

  // Event blocks are read ahead on a thread of their own (block_prefetch.h), when there are
  // enough of them to matter and a second CPU to run it. A truncated last block is the
  // reader's alone.
  void StartPrefetch() {
    std::vector<BlockPrefetch::Job> jobs;
    for (const Cursor& c : cursors_) {
      for (const BlockRef& r : c.blocks) {
        if (!r.truncated) jobs.push_back({r.offset, r.bytes, r.count, r.checksum, r.compressed});
      }
    }
    if (jobs.size() < kPrefetchMin || UsableCpus() < 2) return;
    std::sort(jobs.begin(), jobs.end(),
              [](const BlockPrefetch::Job& a, const BlockPrefetch::Job& b) {
                return a.offset < b.offset;
              });
    try {
      prefetch_ = BlockPrefetch::Start(file_, std::move(jobs), kMaxPayload, kWindow,
                                       kWindowBytes);
    } catch (const std::system_error&) {
      // No thread to be had (a process limit): the reader reads every block itself.
    }
  }
  static constexpr size_t kPrefetchMin = 8;  // event blocks
  static constexpr size_t kWindow = 16;      // decoded blocks held ahead
  static constexpr size_t kWindowBytes = 1 << 20;  // or more, while smaller than this

  // Moves the cursor to its next block; false at the end of its stream.
  bool LoadNext(Cursor& c) {
    c.in_packed = false;
    c.pos = c.end = 0;
    if (c.next_block == c.blocks.size()) {
      c.buf.clear();
      c.buf.shrink_to_fit();
      return false;
    }
    const BlockRef& r = c.blocks[c.next_block++];
    const unsigned char* p;
    if (prefetch_ && !r.truncated && prefetch_->Take(r.offset, c.buf, &c.payload)) {
      p = c.buf.data();
    } else {
      p = Fetch(r.offset + sizeof(BlockHeader), r.bytes, r.compressed ? frame_ : c.buf);
      if (!r.truncated && trace::Crc32c(p, r.bytes) != r.checksum) {
        Fail(r.offset, "block checksum mismatch");
      }
      c.payload = r.bytes;
      if (r.compressed) p = Decompress(r, p, c);
    }
    if (r.packed) {
      c.in_packed = true;
      c.packed.Reset(p, c.payload, r.count);
    } else {
      c.ev = reinterpret_cast<const Event*>(p);  // new[]'d memory is aligned for Event
      c.end = r.count;
      if (r.count > 0) {
        c.clock.last_ts = c.ev[r.count - 1].ts;
        c.clock.seen_full = true;
      }
    }
    return true;
  }

  // A compressed block's frame, `r.bytes` at `frame`, into the cursor's buffer.
  const unsigned char* Decompress(const BlockRef& r, const unsigned char* frame, Cursor& c) {
    switch (frames_.Decode(frame, r.bytes, r.count, kMaxPayload, c.buf, &c.payload)) {
      case FrameDecoder::Status::kOk:
        return c.buf.data();
      case FrameDecoder::Status::kBadSize:
        Fail(r.offset,
             "compressed event block does not hold " + std::to_string(r.count) + " records");
      case FrameDecoder::Status::kBadFrame:
        break;
    }
    Fail(r.offset, "compressed event block does not decompress");
  }

  [[noreturn]] void FailRecord(const Cursor& c, block::PackedCursor::Status status) const {
    const BlockRef& r = c.blocks[c.next_block - 1];
    // Inside a compressed block: the block's offset, and the record's in its decompressed bytes.
    const uint64_t where = r.compressed ? r.offset : r.offset + sizeof(BlockHeader) + c.packed.at();
    const std::string inside =
        r.compressed ? " at byte " + std::to_string(c.packed.at()) + " of the decompressed block"
                     : "";
    if (status == block::PackedCursor::kBadTag) {
      Fail(where, "bad packed record tag " + std::to_string(c.buf[c.packed.at()]) + inside);
    }
    Fail(where,
         "packed record before the first full event of thread " + std::to_string(c.tid) + inside);
  }

  // A packed block read to its end: all its records were there, or it was the truncated
  // last one (the warning names how many of the announced records it held).
  void FinishPacked(const Cursor& c) {
    const BlockRef& r = c.blocks[c.next_block - 1];
    if (r.truncated) {
      warnings_.push_back(path_ + ": trace truncated at byte offset " + std::to_string(size_) +
                          ": the last block of thread " + std::to_string(c.tid) + " holds " +
                          std::to_string(c.packed.taken()) + " of " + std::to_string(r.count) +
                          " events; read up to there");
    } else if (c.packed.taken() != r.count || c.packed.at() != c.payload) {
      Fail(r.offset,
           "packed event block holds other than its " + std::to_string(r.count) + " records");
    }
  }

  enum HeadKind { kEnd, kPlain, kSyncHead };

  // What the cursor's next event is (a sync event's seq in *seq); loads blocks as needed.
  HeadKind Head(Cursor& c, uint64_t* seq) {
    for (;;) {
      if (c.in_packed) {
        if (!c.packed.Done()) return c.packed.HeadIsSync(seq) ? kSyncHead : kPlain;
        FinishPacked(c);
      } else if (c.pos < c.end) {
        const Event& e = c.ev[c.pos];
        if (!kSync[e.kind]) return kPlain;
        *seq = e.seq;
        return kSyncHead;
      }
      if (!LoadNext(c)) return kEnd;
    }
  }

  // Puts the cursor where its head belongs: the ready stack for a non-sync event (it goes
  // out before anything else), the heap for a sync event (ordered by seq).
  void Classify(size_t i) {
    uint64_t seq;
    switch (Head(cursors_[i], &seq)) {
      case kEnd:
        break;
      case kPlain:
        ready_.push_back(i);
        break;
      case kSyncHead:
        heap_.push({seq, cursors_[i].tid, i});
        break;
    }
  }

  // Places a cursor at the start: by its first event alone when that is a sync event (a
  // thread's first event, its start, mostly is), so that its block is held only once the
  // merge reaches it; else by loading its first block. A compressed block is decompressed
  // to be looked at, and again when the merge reaches it.
  void Place(size_t i, ReadBuffer& first) {
    Cursor& c = cursors_[i];
    if (!c.blocks.empty() && !c.blocks.front().truncated) {
      const BlockRef& r = c.blocks.front();
      trace::Event e;
      bool read = false;
      if (!r.compressed) {
        // A short thread's block is small: the next threads' first blocks follow it.
        read = r.bytes >= sizeof e && first.Read(r.offset + sizeof(BlockHeader), &e, sizeof e,
                                                 ReadBuffer::AheadAfter(r.bytes));
      } else if (file_.Read(r.offset + sizeof(BlockHeader), Room(frame_, r.bytes), r.bytes)) {
        size_t size = 0;
        read = frames_.Decode(frame_.data(), r.bytes, r.count, kMaxPayload, peek_, &size) ==
                   FrameDecoder::Status::kOk &&
               size >= sizeof e;
        if (read) std::memcpy(&e, peek_.data(), sizeof e);
      }
      if (read && !(e.kind & trace::kPackedTag) && kSync[e.kind]) {
        heap_.push({e.seq, c.tid, i});
        return;
      }
    }
    Classify(i);
  }
  static unsigned char* Room(std::vector<unsigned char>& buf, size_t n) {
    if (buf.size() < n) buf.resize(n);
    return buf.data();
  }

  std::string path_;
  TraceFile file_;
  uint64_t size_ = 0;
  uint64_t header_size_ = 0;
  TraceMeta meta_;
  std::unordered_map<uint32_t, std::string> strings_;
  std::vector<ModuleInfo> modules_;
  std::vector<std::string> warnings_;
  std::set<uint64_t> forks_;  // open fork keys, in the order of their value
  std::vector<Cursor> cursors_;
  std::vector<size_t> ready_;
  std::vector<unsigned char> frame_;    // a compressed block as read
  std::vector<unsigned char> peek_;     // one decompressed to be placed
  FrameDecoder frames_;
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<HeapItem>> heap_;
  std::unique_ptr<BlockPrefetch> prefetch_;  // last: stopped before the file closes
};

}  // namespace

std::unique_ptr<EventSource> OpenBinaryTrace(const std::string& path) {
  return std::make_unique<BinaryTrace>(path);
}

}  // namespace threadlens
