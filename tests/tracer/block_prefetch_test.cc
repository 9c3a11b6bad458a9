// The binary reader's blocks read ahead (block_prefetch.h): handed over decoded in any order
// the merge asks for them, blocks not reached left to the reader, damaged ones too.
#include "block_prefetch.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "threadlens/analyzer/trace_writer.h"
#include "threadlens/trace_format.h"
#include "trace_file.h"
#include "trace_header.h"

namespace threadlens {
namespace {

// Payloads of `count` packed records each (16 bytes a record), distinct per block.
std::string Payload(int block, uint32_t count) {
  std::string p(16 * count, '\0');
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>((block * 31 + i * 7) & 0xff);
  return p;
}

struct Written {
  std::string path;
  std::vector<BlockPrefetch::Job> jobs;
  std::vector<std::string> payloads;
};

// A trace of `n` compressed blocks (else packed ones, as they are); the jobs from its block
// headers, in file order.
Written Blocks(int n, bool compress) {
  Written w;
  w.path = (std::filesystem::temp_directory_path() /
            ("threadlens_prefetch_" + std::to_string(::getpid()) + ".tltrace"))
               .string();
  {
    TraceWriter t(w.path);
    for (int b = 0; b < n; ++b) {
      const uint32_t count = 8 + b;
      w.payloads.push_back(Payload(b, count));
      const std::string& p = w.payloads.back();
      std::string frame(ZSTD_compressBound(p.size()), '\0');
      frame.resize(ZSTD_compress(frame.data(), frame.size(), p.data(), p.size(), 1));
      if (!compress) frame = p;
      t.RawBlock(compress ? trace::BlockKind::kCompressedEvents : trace::BlockKind::kPackedEvents,
                 1, count, frame.data(), static_cast<uint32_t>(frame.size()));
    }
    t.Close();
  }
  TraceFile file(w.path);
  uint64_t off = ReadTraceHeader(file, w.path).header_size;
  while (off + sizeof(trace::BlockHeader) <= file.size()) {
    trace::BlockHeader h;
    EXPECT_TRUE(file.Read(off, &h, sizeof h));
    const auto kind = static_cast<trace::BlockKind>(h.kind);
    if (kind == trace::BlockKind::kCompressedEvents || kind == trace::BlockKind::kPackedEvents) {
      w.jobs.push_back({off, h.payload_size, h.count, h.checksum, compress});
    }
    off += sizeof h + h.payload_size;
  }
  EXPECT_EQ(w.jobs.size(), static_cast<size_t>(n));
  return w;
}

std::string Taken(BlockPrefetch& p, const BlockPrefetch::Job& j, bool* ok) {
  std::vector<unsigned char> out(3, 'x');
  size_t size = 0;
  *ok = p.Take(j.offset, out, &size);
  return *ok ? std::string(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size)) : "";
}

TEST(BlockPrefetch, HandsOverDecodedBlocksAndLeavesTheOthersToTheReader) {
  Written w = Blocks(12, true);
  TraceFile file(w.path);
  BlockPrefetch p(file, w.jobs, 1 << 20, 4);
  bool ok = false;
  p.Settle();  // the window holds blocks 0-3
  // Block 11 is not reached: the reader decodes it, and the helper skips it.
  Taken(p, w.jobs[11], &ok);
  EXPECT_FALSE(ok);
  for (int round = 0; round < 3; ++round) {
    p.Settle();
    for (int b = 4 * round; b < 4 * round + 4 && b < 11; ++b) {
      EXPECT_EQ(Taken(p, w.jobs[b], &ok), w.payloads[b]) << "block " << b;
      EXPECT_TRUE(ok) << "block " << b;
    }
  }
  EXPECT_EQ(p.taken(), 11u);
  // Not one of its blocks: the reader's.
  std::vector<unsigned char> out;
  size_t size = 0;
  EXPECT_FALSE(p.Take(w.jobs[0].offset + 1, out, &size));
  std::filesystem::remove(w.path);
}

// Every block of `w` taken in file order once the helper has read ahead: the payload, except
// the blocks in `left` (damaged), which are the reader's.
void ExpectAllBut(const Written& w, const std::set<int>& left) {
  TraceFile file(w.path);
  BlockPrefetch p(file, w.jobs, 1 << 20, 16);
  p.Settle();
  for (int b = 0; b < static_cast<int>(w.jobs.size()); ++b) {
    bool ok = false;
    const std::string got = Taken(p, w.jobs[b], &ok);
    EXPECT_EQ(ok, !left.count(b)) << "block " << b;
    if (ok) EXPECT_EQ(got, w.payloads[b]) << "block " << b;
  }
}

TEST(BlockPrefetch, PlainBlocksAreReadAheadAsTheyAre) {
  Written w = Blocks(6, false);
  w.jobs[3].checksum ^= 1;
  ExpectAllBut(w, {3});
  std::filesystem::remove(w.path);
}

TEST(BlockPrefetch, ADamagedBlockIsLeftToTheReader) {
  Written w = Blocks(6, true);
  w.jobs[2].checksum ^= 1;  // as if the file's bytes were damaged
  w.jobs[4].count += 1;     // a frame that does not hold the records the header counts
  ExpectAllBut(w, {2, 4});
  std::filesystem::remove(w.path);
}

// Destroyed with a full window and blocks left: the helper stops, nothing leaks or hangs.
TEST(BlockPrefetch, StopsWithBlocksLeft) {
  Written w = Blocks(10, true);
  {
    TraceFile file(w.path);
    BlockPrefetch p(file, w.jobs, 1 << 20, 2);
    p.Settle();
  }
  std::filesystem::remove(w.path);
}

// Small blocks (a recording of many short threads) are held ahead up to the window's bytes,
// not its count, and those close together in the file are read at once; the window counts
// blocks again once they are large. Each block still comes out whole, damaged ones left out.
TEST(BlockPrefetch, SmallBlocksAreReadTogetherUpToTheWindowsBytes) {
  for (bool compress : {false, true}) {
    Written w = Blocks(60, compress);
    w.jobs[17].checksum ^= 1;
    TraceFile file(w.path);
    BlockPrefetch p(file, w.jobs, 1 << 20, 2, 1 << 20);
    p.Settle();  // every block read: all together hold less than a MiB
    EXPECT_LE(p.reads(), 2u) << compress;
    for (int b = 0; b < 60; ++b) {
      bool ok = false;
      const std::string got = Taken(p, w.jobs[b], &ok);
      EXPECT_EQ(ok, b != 17) << "block " << b;
      if (ok) EXPECT_EQ(got, w.payloads[b]) << "block " << b;
    }
    // A byte window smaller than two blocks: two at a time, as without one.
    BlockPrefetch q(file, w.jobs, 1 << 20, 2, 64);
    q.Settle();
    EXPECT_EQ(q.reads(), 1u);
    bool ok = false;
    EXPECT_EQ(Taken(q, w.jobs[2], &ok), "");  // not reached: the reader's
    EXPECT_FALSE(ok);
    std::filesystem::remove(w.path);
  }
}

// A recording of many processes opens a reader for each: only kMaxLive read ahead at once.
TEST(BlockPrefetch, AtMostAFewRunAtOnce) {
  Written w = Blocks(9, true);
  {
    TraceFile file(w.path);
    std::vector<std::unique_ptr<BlockPrefetch>> started;
    for (int i = 0; i < BlockPrefetch::kMaxLive + 3; ++i) {
      if (auto p = BlockPrefetch::Start(file, w.jobs, 1 << 20, 2)) started.push_back(std::move(p));
    }
    EXPECT_EQ(started.size(), static_cast<size_t>(BlockPrefetch::kMaxLive));
    started.pop_back();
    EXPECT_NE(BlockPrefetch::Start(file, w.jobs, 1 << 20, 2), nullptr);  // a place came free
  }
  std::filesystem::remove(w.path);
}

}  // namespace
}  // namespace threadlens
