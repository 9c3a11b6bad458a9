// Decoding of one kEvents / kPackedEvents block payload into full events, for the binary
// reader. Kept apart from the merge so the tests can check it against trace::UnpackRecord.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "threadlens/trace_format.h"
#include "threadlens/trace_packed.h"

namespace threadlens::block {

// What a packed record's tag byte says, by table: the first word of its Event (kind, flags,
// aux16, aux32) without and with a run, its size, and whether it is valid.
struct PackedTag {
  uint64_t word_single;  // run == 0: aux16 = size
  uint64_t word_run;     // run > 0: aux32 = size (a call entry's aux32, its run, is added)
  uint32_t size;         // 0 for calls
  uint8_t valid;         // 0 no; 1 yes; 2 a call exit: only with run, address and pc 0
  uint8_t entry;         // a call entry
};
struct PackedTags {
  PackedTag v[256];
  constexpr PackedTags() : v() {
    using trace::EventKind;
    constexpr EventKind kKind[4] = {EventKind::kRead, EventKind::kWrite, EventKind::kFuncEntry,
                                    EventKind::kFuncExit};
    for (int tag = 0; tag < 256; ++tag) {
      const uint32_t op = (tag >> 3) & 3, code = tag & 7;
      const bool access = op < 2;
      PackedTag& t = v[tag];
      if ((tag & 0xe0) != trace::kPackedTag || (access ? code > 4 : code != 0)) continue;
      t.size = access ? 1u << code : 0;
      const uint64_t kind = static_cast<uint8_t>(kKind[op]);
      t.word_single = kind | uint64_t{t.size} << 16;
      t.word_run = kind | uint64_t{t.size} << 32;
      t.valid = op == 3 ? 2 : 1;
      t.entry = op == 2;
    }
  }
};
inline constexpr PackedTags kPackedTags;
static_assert(std::endian::native == std::endian::little && offsetof(trace::Event, aux16) == 2 &&
                  offsetof(trace::Event, aux32) == 4,
              "a PackedTag word is the Event's first eight bytes");

// trace::UnpackRecord by table, without its switch and its zero-fill: a valid record is
// written straight into `e` with no data-dependent branch (tags mix reads, writes and calls
// at random, so branches on them mispredict). Same results; false on the same records.
inline bool Unpack(uint64_t w0, uint64_t w1, uint64_t prev_ts, trace::Event& e) {
  const PackedTag& t = kPackedTags.v[static_cast<uint8_t>(w0)];
  const uint64_t addr = (w0 >> 8) & trace::kPackedMaxAddr;
  const uint64_t pc = w1 & trace::kPackedMaxAddr;
  const uint32_t run = trace::PackedRun(w0, w1);
  if (!((t.valid & 1) | ((t.valid >> 1) & ((run | pc | addr) == 0)))) return false;
  const uint64_t word = run == 0 ? t.word_single : t.word_run | uint64_t{t.entry ? run : 0} << 32;
  std::memcpy(&e, &word, sizeof word);
  e.ts = prev_ts;
  e.seq = run == 0 ? 0 : static_cast<uint64_t>(run + 1) * t.size;
  e.obj = addr;
  e.site = pc;
  return true;
}

// IsSyncKind by table: asked once per event.
struct SyncTable {
  bool v[256];
  constexpr SyncTable() : v() {
    for (int k = 0; k < 256; ++k) v[k] = trace::IsSyncKind(static_cast<trace::EventKind>(k));
  }
  constexpr bool operator[](uint8_t k) const { return v[k]; }
};
inline constexpr SyncTable kSync;

// Per-thread state carried from block to block.
struct ThreadClock {
  uint64_t last_ts = 0;    // time of the thread's previous full record
  bool seen_full = false;  // a full Event came first, so last_ts is the real one
};

// Decodes up to `k` packed records at `q` into o[] (records after a thread's first full
// event): stops at a full record's tag. Returns how many; *bad when the one it stopped at is
// invalid. Its own loop, with restrict pointers, so that the stores into o[] make the
// compiler reload nothing; a record with no run that is no call's exit (most of them) is
// written with nothing to choose.
template <typename Out>
inline size_t DecodePacked(const unsigned char* __restrict q, size_t k, Out* __restrict o,
                           uint32_t tid, uint64_t ts, bool* bad) {
  size_t j = 0;
  for (; j < k; ++j, q += trace::kPackedSize) {
    uint64_t w0, w1;
    std::memcpy(&w0, q, 8);
    std::memcpy(&w1, q + 8, 8);
    if (!(w0 & trace::kPackedTag)) break;
    const PackedTag& t = kPackedTags.v[static_cast<uint8_t>(w0)];
    trace::Event& e = o[j].ev;
    if ((((w0 >> 56) | (w1 >> 48)) == 0) & (t.valid == 1)) {
      std::memcpy(&e, &t.word_single, 8);
      e.ts = ts;
      e.seq = 0;
      e.obj = (w0 >> 8) & trace::kPackedMaxAddr;
      e.site = w1 & trace::kPackedMaxAddr;
    } else if (!Unpack(w0, w1, ts, e)) {
      *bad = true;
      break;
    }
    o[j].tid = tid;
  }
  return j;
}

// A kPackedEvents payload decoded as it is consumed, straight into the reader's output:
// no intermediate copy of the block. The caller has checked the block's checksum; the
// record count is checked by the caller once Done().
class PackedCursor {
 public:
  enum Status { kOk, kBadTag, kNoFullEvent };

  void Reset(const unsigned char* p, size_t bytes, size_t count) {
    p_ = p, bytes_ = bytes, count_ = count, at_ = 0, taken_ = 0;
  }

  // No whole record left: the announced count is reached, or the payload ends (in a
  // truncated block, possibly inside a record).
  bool Done() const {
    if (taken_ == count_ || at_ >= bytes_) return true;
    const size_t need = (p_[at_] & trace::kPackedTag) ? trace::kPackedSize : sizeof(trace::Event);
    return bytes_ - at_ < need;
  }

  // The next record, when !Done(): a sync event (only a full record can be one) and its seq.
  bool HeadIsSync(uint64_t* seq) const {
    const uint8_t kind = p_[at_];
    if ((kind & trace::kPackedTag) || !kSync[kind]) return false;
    std::memcpy(seq, p_ + at_ + offsetof(trace::Event, seq), sizeof *seq);
    return true;
  }

  // Decodes up to `n` records into out[].ev (out[].tid = tid), stopping before a sync event
  // other than the first. Returns how many; on a bad record *status says why and at() is
  // where it starts.
  template <typename Out>
  size_t Take(Out* out, size_t n, uint32_t tid, ThreadClock& clock, Status* status) {
    size_t i = 0, at = at_;
    uint64_t ts = clock.last_ts;
    bool seen_full = clock.seen_full;
    const size_t limit = n < count_ - taken_ ? n : count_ - taken_;
    *status = kOk;
    while (i < limit && at < bytes_) {
      const uint8_t tag = p_[at];
      if ((tag & trace::kPackedTag) && seen_full) {
        const size_t whole = (bytes_ - at) / trace::kPackedSize;
        const size_t k = limit - i < whole ? limit - i : whole;
        if (k == 0) break;
        bool bad = false;
        const size_t j = DecodePacked(p_ + at, k, out + i, tid, ts, &bad);
        i += j;
        at += j * trace::kPackedSize;
        if (bad) {
          *status = kBadTag;
          break;
        }
        continue;
      }
      if (tag & trace::kPackedTag) {  // before the thread's first full event: no time
        if (bytes_ - at < trace::kPackedSize) break;
        uint64_t w[2];
        std::memcpy(w, p_ + at, sizeof w);
        *status = Unpack(w[0], w[1], ts, out[i].ev) ? kNoFullEvent : kBadTag;
        break;
      }
      if (bytes_ - at < sizeof(trace::Event)) break;
      if (i > 0 && kSync[tag]) break;
      std::memcpy(&out[i].ev, p_ + at, sizeof(trace::Event));
      std::memcpy(&ts, p_ + at + offsetof(trace::Event, ts), sizeof ts);
      seen_full = true;
      at += sizeof(trace::Event);
      out[i].tid = tid;
      ++i;
    }
    at_ = at;
    taken_ += i;
    clock.last_ts = ts;
    clock.seen_full = seen_full;
    return i;
  }

  size_t at() const { return at_; }        // payload bytes consumed
  size_t taken() const { return taken_; }  // records decoded

 private:
  const unsigned char* p_ = nullptr;
  size_t bytes_ = 0;
  size_t count_ = 0;
  size_t at_ = 0;
  size_t taken_ = 0;
};

}  // namespace threadlens::block
