// Binary reader internals: the branch-free packed-record decoder against trace::UnpackRecord;
// the merge, which must give the same stream through NextBatch at any batch size as through
// Next, over packed, full, misaligned and interleaved blocks of many threads, and say the
// same forks were left open; compressed blocks, whole and damaged; a shrinking file.
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "event_block.h"
#include "process_tree.h"
#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/analyzer/trace_writer.h"
#include "threadlens/trace_packed.h"

namespace threadlens {
namespace {

using trace::Event;
using trace::EventKind;

std::string TmpPath(const std::string& name) {
  std::filesystem::create_directories(TL_TMP_DIR);
  return std::string(TL_TMP_DIR) + "/" + name;
}

bool SameEvent(const Event& a, const Event& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(PackedDecode, MatchesUnpackRecordOnEveryTag) {
  std::mt19937_64 rng(11);
  for (int tag = 0; tag < 256; ++tag) {
    for (int k = 0; k < 400; ++k) {
      // Half the records with small runs, addresses and pcs zeroed now and then, so the
      // valid call records (which need zeros) come up too.
      uint64_t w0 = (rng() & ~0xffull) | static_cast<uint64_t>(tag);
      uint64_t w1 = rng();
      if (k % 2) w0 &= 0x00ffffffffffffffull, w1 &= 0x0000ffffffffffffull;
      if (k % 3 == 0) w0 &= 0xff00000000000000ull | 0xff;
      if (k % 5 == 0) w1 &= 0xffff000000000000ull;
      Event want{}, got{};
      std::memset(&got, 0xa5, sizeof got);  // Unpack must set every field
      const bool ok_want = trace::UnpackRecord(w0, w1, 1234, want);
      const bool ok_got = block::Unpack(w0, w1, 1234, got);
      ASSERT_EQ(ok_got, ok_want) << "tag " << tag << " w0 " << w0 << " w1 " << w1;
      if (ok_want) ASSERT_TRUE(SameEvent(got, want)) << "tag " << tag;
    }
  }
}

std::string FullBytes(const Event& e) {
  return std::string(reinterpret_cast<const char*>(&e), sizeof e);
}

// A block's payload decoded by PackedCursor::Take, in calls of random sizes, against the
// records decoded one by one with trace::UnpackRecord: full events (some of them sync events,
// where Take stops), packed records of every valid tag, with and without runs, and now and
// then a bad tag or a packed record before any full event, where both must stop alike.
TEST(PackedDecode, TakeMatchesUnpackRecordOverABlock) {
  std::mt19937_64 rng(5);
  std::vector<int> valid_tags;
  for (int tag = 0; tag < 256; ++tag) {
    Event e;
    if (trace::UnpackRecord(tag, 0, 0, e)) valid_tags.push_back(tag);
  }
  ASSERT_EQ(valid_tags.size(), 12u);  // reads and writes of five sizes, entries, exits
  int bad_tags = 0, no_full = 0, runs = 0;
  for (int block = 0; block < 300; ++block) {
    std::string payload;
    std::vector<StreamEvent> want;
    block::PackedCursor::Status want_status = block::PackedCursor::kOk;
    uint64_t ts = 0;
    bool seen_full = false;
    const int records = 1 + static_cast<int>(rng() % 400);
    for (int r = 0; r < records && want_status == block::PackedCursor::kOk; ++r) {
      const bool first_packed = block % 25 == 0;  // a packed record first: no time to use
      if ((r == 0 && !first_packed) || rng() % 10 == 0) {
        Event e{};
        e.kind = static_cast<uint8_t>(rng() % 3 == 0 ? EventKind::kLockAcquired : EventKind::kWrite);
        e.aux16 = 8;
        e.ts = ts += 1 + rng() % 9;
        e.seq = rng();
        e.obj = rng();
        e.site = rng();
        payload += FullBytes(e);
        want.push_back({.tid = 7, .ev = e});
        seen_full = true;
        continue;
      }
      const bool bad = rng() % 500 == 0;
      const uint64_t tag = bad ? 0x80 | (rng() % 0x7f) : valid_tags[rng() % valid_tags.size()];
      // A call's exit is valid with nothing else set, and now and then bad with something.
      const bool exit = ((tag >> 3) & 3) == static_cast<int>(trace::PackedOp::kFuncExit);
      const bool zero = exit ? rng() % 200 != 0 : rng() % 3 == 0;
      // Short runs, and long ones, whose high byte is in the first word: some with nothing
      // in the second word's part.
      const uint32_t long_run = rng() % 2 ? static_cast<uint32_t>(rng() % trace::kPackedMaxRun + 1)
                                          : static_cast<uint32_t>(1 + rng() % 255) << 16;
      const uint32_t run = zero || rng() % 4 ? 0
                           : rng() % 2   ? static_cast<uint32_t>(rng() % 300)
                                         : long_run;
      const uint64_t w0 = trace::PackedWord0(tag, zero ? 0 : rng() & trace::kPackedMaxAddr, run);
      const uint64_t w1 = trace::PackedWord1(zero ? 0 : rng() & trace::kPackedMaxAddr, run);
      payload.append(reinterpret_cast<const char*>(&w0), 8);
      payload.append(reinterpret_cast<const char*>(&w1), 8);
      Event e;
      if (!trace::UnpackRecord(w0, w1, ts, e)) {
        want_status = block::PackedCursor::kBadTag;
      } else if (!seen_full) {
        want_status = block::PackedCursor::kNoFullEvent;
      } else {
        runs += run != 0;
        want.push_back({.tid = 7, .ev = e});
      }
    }
    bad_tags += want_status == block::PackedCursor::kBadTag;
    no_full += want_status == block::PackedCursor::kNoFullEvent;
    block::PackedCursor c;
    c.Reset(reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), 1u << 20);
    block::ThreadClock clock;
    std::vector<StreamEvent> got;
    block::PackedCursor::Status status = block::PackedCursor::kOk;
    while (!c.Done() && status == block::PackedCursor::kOk) {
      std::vector<StreamEvent> out(1 + rng() % 300);
      const size_t n = c.Take(out.data(), out.size(), 7, clock, &status);
      ASSERT_TRUE(n > 0 || status != block::PackedCursor::kOk) << "block " << block;
      got.insert(got.end(), out.begin(), out.begin() + n);
    }
    ASSERT_EQ(status, want_status) << "block " << block;
    ASSERT_EQ(got.size(), want.size()) << "block " << block;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].tid, 7u);
      ASSERT_TRUE(SameEvent(got[i].ev, want[i].ev)) << "block " << block << " record " << i;
    }
  }
  EXPECT_GT(bad_tags, 0);
  EXPECT_GT(no_full, 0);
  EXPECT_GT(runs, 1000);
}

// A random trace of `threads` threads: sync events with globally increasing seq, plain
// accesses and calls between them; each thread's stream cut into blocks of random size, some
// packed, some full, written interleaved, with odd-sized blocks between them so that
// full-event blocks also land at misaligned offsets.
// `compress`: packed blocks are written as compressed ones (kCompressedEvents).
// `forks`: some sync events release or acquire a fork's key (process_tree.h) instead.
std::string RandomTrace(const std::string& name, uint32_t seed, int threads, int events,
                        bool compress = false, bool forks = false) {
  std::mt19937 rng(seed);
  struct Pending {
    std::string payload;
    uint32_t count = 0;
    bool packed = false;
    bool started = false;
  };
  std::vector<Pending> pend(threads + 1);
  std::string path = TmpPath(name);
  TraceWriter::Options options;
  if (forks) options.recording = 0x5eed0000 + seed;  // read as a recording: forks watched
  TraceWriter w(path, options);
  uint64_t seq = 0, ts = 0;
  auto flush = [&](uint32_t tid) {
    Pending& p = pend[tid];
    if (p.count == 0) return;
    if (compress && p.packed) {
      std::string frame(ZSTD_compressBound(p.payload.size()), '\0');
      const size_t n = ZSTD_compress(frame.data(), frame.size(), p.payload.data(),
                                     p.payload.size(), 1);
      EXPECT_FALSE(ZSTD_isError(n));
      w.RawBlock(trace::BlockKind::kCompressedEvents, tid, p.count, frame.data(),
                 static_cast<uint32_t>(n));
    } else {
      w.RawBlock(p.packed ? trace::BlockKind::kPackedEvents : trace::BlockKind::kEvents, tid,
                 p.count, p.payload.data(), static_cast<uint32_t>(p.payload.size()));
    }
    p = Pending{.started = true};
    p.packed = rng() % 2;
    if (rng() % 4 == 0) {
      const std::string odd(1 + rng() % 7, 'x');  // an unknown block kind, skipped
      w.RawBlock(static_cast<trace::BlockKind>(99), 0, 0, odd.data(),
                 static_cast<uint32_t>(odd.size()));
    }
  };
  for (int i = 0; i < events; ++i) {
    const uint32_t tid = 1 + rng() % threads;
    Pending& p = pend[tid];
    ts += 1 + rng() % 5;
    const int pick = rng() % 10;
    Event e{};
    e.ts = ts;
    e.obj = 0x1000 + rng() % 64 * 8;
    e.site = 0x400000 + rng() % 1000;
    if (!p.started || pick < 3) {
      e.kind = static_cast<uint8_t>(pick % 2 ? EventKind::kLockAcquired : EventKind::kAtomicLoad);
      if (forks && rng() % 3 == 0) {
        e.kind = static_cast<uint8_t>(rng() % 2 ? EventKind::kHappensBefore
                                                : EventKind::kHappensAfter);
        // Six fork keys, and two keys that are not (odd: a fork's key is even).
        e.obj = 0x0e00000000000000ull | (rng() % 8) << 4 | (rng() % 4 == 0);
      }
      e.seq = ++seq;
      p.payload += FullBytes(e);
      p.started = true;
    } else if (p.packed && pick < 8) {
      const auto op = pick < 6 ? trace::PackedOp::kRead : trace::PackedOp::kWrite;
      const uint32_t run = rng() % 3 == 0 ? rng() % 100 : 0;
      const uint8_t tag = trace::PackedTag(op, rng() % 5);
      std::string rec(16, '\0');
      const uint64_t w0 = trace::PackedWord0(tag, e.obj, run), w1 = trace::PackedWord1(e.site, run);
      std::memcpy(rec.data(), &w0, 8);
      std::memcpy(rec.data() + 8, &w1, 8);
      p.payload += rec;
    } else {
      e.kind = static_cast<uint8_t>(EventKind::kWrite);
      e.aux16 = 4;
      p.payload += FullBytes(e);
    }
    ++p.count;
    if (p.count >= 1 + rng() % 40) flush(tid);
  }
  for (int t = 1; t <= threads; ++t) flush(t);
  w.Close();
  return path;
}

std::vector<StreamEvent> ReadWithNext(const std::string& path) {
  auto src = OpenTrace(path);
  std::vector<StreamEvent> out;
  StreamEvent se;
  while (src->Next(se)) out.push_back(se);
  return out;
}

std::vector<StreamEvent> ReadInBatches(const std::string& path, size_t batch) {
  auto src = OpenTrace(path);
  std::vector<StreamEvent> out;
  std::vector<StreamEvent> buf(batch);
  while (size_t n = src->NextBatch(buf.data(), batch)) {
    EXPECT_LE(n, batch);
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  return out;
}

TEST(TraceMerge, BatchesOfAnySizeGiveTheStreamOfNext) {
  for (uint32_t seed = 1; seed <= 6; ++seed) {
    const int threads = seed % 3 == 0 ? 1 : 2 + seed * 3;
    const std::string path = RandomTrace("reader_random.tltrace", seed, threads, 4000);
    const auto want = ReadWithNext(path);
    ASSERT_EQ(want.size(), 4000u) << "seed " << seed;
    // The merge rules: sync events in seq order, each thread's events in program order
    // (ts grows along a thread; packed records repeat the time before them).
    uint64_t last_seq = 0;
    std::vector<uint64_t> last_ts(threads + 1, 0);
    for (const auto& e : want) {
      if (trace::IsSyncKind(e.kind())) {
        EXPECT_GT(e.ev.seq, last_seq);
        last_seq = e.ev.seq;
      }
      EXPECT_GE(e.ev.ts, last_ts[e.tid]);
      last_ts[e.tid] = e.ev.ts;
    }
    for (size_t batch : {1, 2, 3, 7, 64, 4096}) {
      const auto got = ReadInBatches(path, batch);
      ASSERT_EQ(got.size(), want.size()) << "seed " << seed << " batch " << batch;
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].tid, want[i].tid) << "seed " << seed << " batch " << batch << " #" << i;
        ASSERT_TRUE(SameEvent(got[i].ev, want[i].ev))
            << "seed " << seed << " batch " << batch << " #" << i;
      }
    }
  }
}

// The warnings of a one-process trace read through NextBatch, where the reader watches the
// forks itself, against those of Next, where the recording scans every event, and against
// the count of keys released and not acquired after, counted here in the stream.
TEST(TraceMerge, ForksLeftOpenAreTheSameReadInBatches) {
  int open_total = 0;
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    const int threads = 1 + seed % 4;
    const std::string path =
        RandomTrace("reader_forks.tltrace", seed, threads, 3000, seed % 2 == 0, true);
    auto src = OpenTrace(path);
    std::set<uint64_t> open;
    StreamEvent se;
    while (src->Next(se)) {
      const bool key = IsForkKey(se.ev.obj);
      if (key && se.kind() == EventKind::kHappensBefore) open.insert(se.ev.obj);
      if (key && se.kind() == EventKind::kHappensAfter) open.erase(se.ev.obj);
    }
    const std::vector<std::string> want = src->Warnings();
    ASSERT_EQ(want.size(), open.size()) << "seed " << seed;
    open_total += static_cast<int>(open.size());
    for (size_t batch : {1, 5, 256, 4096}) {
      auto b = OpenTrace(path);
      std::vector<StreamEvent> buf(batch);
      while (b->NextBatch(buf.data(), batch) > 0) {
      }
      EXPECT_EQ(b->Warnings(), want) << "seed " << seed << " batch " << batch;
    }
  }
  EXPECT_GT(open_total, 0) << "no seed left a fork open: the test checks nothing";
}

TEST(TraceCompressed, CompressedBlocksGiveTheStreamOfPlainOnes) {
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const auto plain = ReadWithNext(RandomTrace("reader_plain.tltrace", seed, 3, 3000));
    const std::string packed = RandomTrace("reader_zstd.tltrace", seed, 3, 3000, true);
    const auto z = ReadWithNext(packed);
    const auto zb = ReadInBatches(packed, 7);
    ASSERT_EQ(plain.size(), z.size());
    ASSERT_EQ(plain.size(), zb.size());
    for (size_t i = 0; i < plain.size(); ++i) {
      ASSERT_EQ(plain[i].tid, z[i].tid) << i;
      ASSERT_TRUE(SameEvent(plain[i].ev, z[i].ev)) << "seed " << seed << " event " << i;
      ASSERT_TRUE(SameEvent(plain[i].ev, zb[i].ev)) << "seed " << seed << " event " << i;
    }
  }
}

// One thread: a full event, then a compressed block whose frame is `frame` for `count` records.
std::string OneCompressedBlock(const std::string& name, const std::string& frame, uint32_t count,
                               bool cut = false) {
  const std::string path = TmpPath(name);
  TraceWriter w(path);
  Event e{};
  e.kind = static_cast<uint8_t>(EventKind::kLockAcquired);
  e.seq = 1;
  e.ts = 5;
  e.obj = 0x1000;
  const std::string first = FullBytes(e);
  w.RawBlock(trace::BlockKind::kPackedEvents, 1, 1, first.data(), static_cast<uint32_t>(first.size()));
  w.RawBlock(trace::BlockKind::kCompressedEvents, 1, count, frame.data(),
             static_cast<uint32_t>(frame.size()));
  w.Close();
  if (cut) std::filesystem::resize_file(path, std::filesystem::file_size(path) - frame.size() / 2);
  return path;
}

std::string Zstd(const std::string& data) {
  std::string frame(ZSTD_compressBound(data.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), data.data(), data.size(), 1));
  return frame;
}

std::string ReadError(const std::string& path) {
  try {
    ReadWithNext(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TraceCompressed, DamagedFramesEndInAnErrorNamingTheBlock) {
  Event w{};
  w.kind = static_cast<uint8_t>(EventKind::kWrite);
  w.aux16 = 4;
  w.obj = 0x2000;
  const std::string two = FullBytes(w) + FullBytes(w);
  // Whole: two records read back.
  EXPECT_EQ(ReadWithNext(OneCompressedBlock("z_good.tltrace", Zstd(two), 2)).size(), 3u);
  // Not a zstd frame (its checksum is right: the block was written so).
  EXPECT_NE(ReadError(OneCompressedBlock("z_garbage.tltrace", std::string(64, 'x'), 2))
                .find("compressed event block"),
            std::string::npos);
  // A frame whose bytes cannot be the records its header counts.
  EXPECT_NE(ReadError(OneCompressedBlock("z_count.tltrace", Zstd(two), 7))
                .find("does not hold 7 records"),
            std::string::npos);
  // The frame's end cut off inside it (a valid size, missing data).
  std::string cut = Zstd(two);
  cut.resize(cut.size() - 3);
  EXPECT_NE(ReadError(OneCompressedBlock("z_short.tltrace", cut, 2)).find("does not decompress"),
            std::string::npos);
}

TEST(TraceCompressed, ACompressedLastBlockCutByAKillIsLostWithAWarning) {
  Event w{};
  w.kind = static_cast<uint8_t>(EventKind::kWrite);
  w.aux16 = 4;
  std::string many;
  for (int i = 0; i < 200; ++i) {
    w.obj = 0x2000 + 8 * i;
    many += FullBytes(w);
  }
  auto src = OpenTrace(OneCompressedBlock("z_cut.tltrace", Zstd(many), 200, true));
  StreamEvent se;
  size_t n = 0;
  while (src->Next(se)) ++n;
  EXPECT_EQ(n, 1u);  // the first block's event
  bool warned = false;
  for (const std::string& m : src->Warnings()) warned |= m.find("compressed 200 events") != std::string::npos;
  EXPECT_TRUE(warned);
}

// A thread's first block is read when the merge reaches the thread, not when the trace is
// opened (a thread-per-connection server's threads would all be held at once): the events
// before a late thread's damaged first block come out, then the damage ends the stream with
// an error naming that block. Its place comes from its first event, read alone (whole, for a
// compressed block), which the damage spares here: the block's checksum is wrong.
TEST(TraceMerge, ALateThreadsFirstBlockIsReadWhenTheMergeReachesIt) {
  for (const bool compress : {false, true}) {
    const std::string path = TmpPath("reader_late.tltrace");
    auto sync = [](uint64_t seq) {
      Event e{};
      e.kind = static_cast<uint8_t>(EventKind::kLockAcquired);
      e.seq = seq;
      e.ts = seq;
      e.obj = 0x1000;
      return FullBytes(e);
    };
    std::string early, late;
    for (uint64_t s = 1; s <= 40; ++s) early += sync(s);
    for (uint64_t s = 41; s <= 44; ++s) late += sync(s);
    {
      TraceWriter w(path);
      // The late thread's block comes first in the file, as when it filled first.
      if (compress) {
        const std::string frame = Zstd(late);
        w.RawBlock(trace::BlockKind::kCompressedEvents, 2, 4, frame.data(),
                   static_cast<uint32_t>(frame.size()));
      } else {
        w.RawBlock(trace::BlockKind::kEvents, 2, 4, late.data(), static_cast<uint32_t>(late.size()));
      }
      w.RawBlock(trace::BlockKind::kEvents, 1, 40, early.data(), static_cast<uint32_t>(early.size()));
      w.Close();
    }
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    uint64_t at = sizeof(trace::FileHeader), block = 0;
    while (at + sizeof(trace::BlockHeader) <= bytes.size()) {
      trace::BlockHeader h;
      std::memcpy(&h, bytes.data() + at, sizeof h);
      if (h.tid == 2) {
        block = at;
        break;
      }
      at += sizeof h + h.payload_size;
    }
    ASSERT_NE(block, 0u);
    bytes[block + offsetof(trace::BlockHeader, checksum)] ^= 1;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    auto src = OpenTrace(path);
    StreamEvent se;
    size_t read = 0;
    try {
      while (src->Next(se)) ++read;
      FAIL() << "no error for the damaged block";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(block)), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(read, 40u) << (compress ? "compressed" : "plain");
  }
}

// The same path recorded again while it is being read: the rest of the stream is gone, which
// must end in an Error naming an offset (a mapped file would die of SIGBUS instead). The
// trace is larger than what the reader holds read ahead (a MiB of small blocks).
TEST(TraceDamage, FileTruncatedWhileReadEndsInAnError) {
  const std::string path = RandomTrace("reader_shrinks.tltrace", 3, 4, 200000);
  auto src = OpenTrace(path);
  StreamEvent se;
  ASSERT_TRUE(src->Next(se));
  std::filesystem::resize_file(path, sizeof(trace::FileHeader) + 100);
  try {
    while (src->Next(se)) {
    }
    FAIL() << "no error after the file shrank";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace threadlens
