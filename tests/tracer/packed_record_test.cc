// Packed records of format v2: the documented layout, random round trips, invalid tags, and
// blocks mixing packed and full records (times inherited, damage named by its offset).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "threadlens/analyzer/trace_writer.h"
#include "threadlens/trace_packed.h"
#include "trace_test_util.h"

namespace threadlens {
namespace {

using trace::EventKind;

constexpr uint64_t kHeader = sizeof(trace::FileHeader);

// A full Event's bytes, for hand-built kPackedEvents payloads.
std::string Full(EventKind kind, uint64_t ts, uint64_t seq, uint64_t obj, uint64_t site,
                 uint16_t aux16 = 0) {
  trace::Event e{};
  e.kind = static_cast<uint8_t>(kind);
  e.aux16 = aux16;
  e.ts = ts;
  e.seq = seq;
  e.obj = obj;
  e.site = site;
  return std::string(reinterpret_cast<const char*>(&e), sizeof e);
}

std::string Packed(uint64_t w0, uint64_t w1) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &w0, 8);
  std::memcpy(out.data() + 8, &w1, 8);
  return out;
}

std::string PackedTrace(const std::string& name, const std::string& payload, uint32_t count,
                        uint32_t tid = 1) {
  std::string path = TmpPath(name);
  TraceWriter w(path);
  w.RawBlock(trace::BlockKind::kPackedEvents, tid, count, payload.data(),
             static_cast<uint32_t>(payload.size()));
  w.Close();
  return path;
}

TEST(PackedRecord, LayoutIsTheDocumentedOne) {
  // A 4-byte write at 0x123456789abc by pc 0x5555deadbeef, 3 elements (run 2): tag 0x80 |
  // op 1 << 3 | size code 2 = 0x8a; address in bytes 1-6; run high byte in byte 7; pc in
  // bytes 8-13; run low 16 bits in bytes 14-15.
  const unsigned char bytes[16] = {0x8a, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x00,
                                   0xef, 0xbe, 0xad, 0xde, 0x55, 0x55, 0x02, 0x00};
  uint64_t w[2];
  std::memcpy(w, bytes, sizeof w);
  EXPECT_EQ(w[0], trace::PackedWord0(trace::PackedTag(trace::PackedOp::kWrite, 2),
                                     0x123456789abcull, 2));
  EXPECT_EQ(w[1], trace::PackedWord1(0x5555deadbeefull, 2));
  trace::Event e;
  ASSERT_TRUE(trace::UnpackRecord(w[0], w[1], 777, e));
  EXPECT_EQ(e.kind, static_cast<uint8_t>(EventKind::kWrite));
  EXPECT_EQ(e.aux16, 0);  // a range
  EXPECT_EQ(e.aux32, 4u);
  EXPECT_EQ(e.seq, 12u);
  EXPECT_EQ(e.obj, 0x123456789abcull);
  EXPECT_EQ(e.site, 0x5555deadbeefull);
  EXPECT_EQ(e.ts, 777u);
}

TEST(PackedRecord, RandomRecordsRoundTrip) {
  std::mt19937_64 rng(99);
  const uint32_t sizes[] = {1, 2, 4, 8, 16};
  for (int i = 0; i < 10000; ++i) {
    const bool write = rng() & 1;
    const uint32_t size = sizes[rng() % 5];
    const uint64_t addr = rng() & trace::kPackedMaxAddr;
    const uint64_t pc = rng() & trace::kPackedMaxAddr;
    const uint32_t run = (i % 3 == 0) ? 0 : static_cast<uint32_t>(rng() & trace::kPackedMaxRun);
    const uint8_t tag = trace::PackedTag(write ? trace::PackedOp::kWrite : trace::PackedOp::kRead,
                                         trace::PackedSizeCode(size));
    const uint64_t w0 = trace::PackedWord0(tag, addr, run), w1 = trace::PackedWord1(pc, run);
    ASSERT_EQ(trace::PackedRun(w0, w1), run);
    trace::Event e;
    ASSERT_TRUE(trace::UnpackRecord(w0, w1, 5, e));
    EXPECT_EQ(e.kind, static_cast<uint8_t>(write ? EventKind::kWrite : EventKind::kRead));
    EXPECT_EQ(e.obj, addr);
    EXPECT_EQ(e.site, pc);
    if (run == 0) {
      EXPECT_EQ(e.aux16, size);
      EXPECT_EQ(e.seq, 0u);
    } else {
      EXPECT_EQ(e.aux16, 0);
      EXPECT_EQ(e.aux32, size);
      EXPECT_EQ(e.seq, static_cast<uint64_t>(run + 1) * size);
    }
  }
}

TEST(PackedRecord, InvalidTagsAreRefused) {
  trace::Event e;
  EXPECT_FALSE(trace::UnpackRecord(0x85, 0, 0, e));  // size code 5
  EXPECT_FALSE(trace::UnpackRecord(0xa0, 0, 0, e));  // reserved bit 5
  EXPECT_FALSE(trace::UnpackRecord(0xc0, 0, 0, e));  // reserved bit 6
  EXPECT_FALSE(trace::UnpackRecord(0x40, 0, 0, e));  // no tag bit: a full event's kind
  // func_exit carries nothing; func_entry no size.
  EXPECT_FALSE(trace::UnpackRecord(0x98, 0x10, 0, e));
  EXPECT_FALSE(trace::UnpackRecord(0x98 | (1ull << 8), 0, 0, e));
  EXPECT_FALSE(trace::UnpackRecord(0x98, 1ull << 48, 0, e));
  EXPECT_FALSE(trace::UnpackRecord(0x91, 0x10, 0, e));
  EXPECT_TRUE(trace::UnpackRecord(0x90, 0x10, 0, e));
  EXPECT_EQ(e.kind, static_cast<uint8_t>(EventKind::kFuncEntry));
  EXPECT_EQ(e.site, 0x10u);
  EXPECT_EQ(e.obj, 0u);
  EXPECT_TRUE(trace::UnpackRecord(0x98, 0, 0, e));
  EXPECT_EQ(e.kind, static_cast<uint8_t>(EventKind::kFuncExit));
}

// A func_entry keeps its frame's stack pointer as the address and its frame pointer offset
// as the run, through both decoders.
TEST(PackedRecord, FuncEntryCarriesItsFrame) {
  const uint8_t tag = trace::PackedTag(trace::PackedOp::kFuncEntry, 0);
  const uint64_t sp = 0x7ffd12345670, site = 0x401234;
  const uint32_t fp_offset = 0x1230;
  const uint64_t w0 = trace::PackedWord0(tag, sp, fp_offset);
  const uint64_t w1 = trace::PackedWord1(site, fp_offset);
  trace::Event e;
  ASSERT_TRUE(trace::UnpackRecord(w0, w1, 7, e));
  EXPECT_EQ(e.kind, static_cast<uint8_t>(EventKind::kFuncEntry));
  EXPECT_EQ(e.obj, sp);
  EXPECT_EQ(e.aux32, fp_offset);
  EXPECT_EQ(e.site, site);
  EXPECT_EQ(e.seq, 0u);
  EXPECT_EQ(e.ts, 7u);
  auto events = ReadAll(PackedTrace("packed_frame.tltrace",
                                    Full(EventKind::kThreadStart, 100, 1, 0, 0) + Packed(w0, w1), 2));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].ev.kind, static_cast<uint8_t>(EventKind::kFuncEntry));
  EXPECT_EQ(events[1].ev.obj, sp);
  EXPECT_EQ(events[1].ev.aux32, fp_offset);
  EXPECT_EQ(events[1].ev.aux16, 0);
  EXPECT_EQ(events[1].ev.seq, 0u);
  EXPECT_EQ(events[1].ev.site, site);
}

TEST(PackedBlock, MixedRecordsDecodeInOrderWithInheritedTimes) {
  const uint8_t read8 = trace::PackedTag(trace::PackedOp::kRead, 3);
  std::string payload = Full(EventKind::kThreadStart, 100, 1, 0, 0) +
                        Packed(trace::PackedWord0(read8, 0x1000, 0), trace::PackedWord1(0x401000, 0)) +
                        Packed(0x90, 0x402000) +  // func_entry
                        Full(EventKind::kLockAcquired, 250, 2, 0x5000, 0x403000, 1) +
                        Packed(trace::PackedWord0(read8, 0x2000, 9), trace::PackedWord1(0x404000, 9)) +
                        Packed(0x98, 0);  // func_exit
  auto events = ReadAll(PackedTrace("packed_mixed.tltrace", payload, 6));
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].ev.kind, static_cast<uint8_t>(EventKind::kThreadStart));
  EXPECT_EQ(events[1].ev.kind, static_cast<uint8_t>(EventKind::kRead));
  EXPECT_EQ(events[1].ev.ts, 100u);
  EXPECT_EQ(events[1].ev.obj, 0x1000u);
  EXPECT_EQ(events[1].ev.aux16, 8);
  EXPECT_EQ(events[1].ev.site, 0x401000u);
  EXPECT_EQ(events[2].ev.kind, static_cast<uint8_t>(EventKind::kFuncEntry));
  EXPECT_EQ(events[2].ev.site, 0x402000u);
  EXPECT_EQ(events[3].ev.kind, static_cast<uint8_t>(EventKind::kLockAcquired));
  EXPECT_EQ(events[3].ev.seq, 2u);
  EXPECT_EQ(events[4].ev.ts, 250u);  // from the lock event before it
  EXPECT_EQ(events[4].ev.aux16, 0);
  EXPECT_EQ(events[4].ev.seq, 80u);  // 10 elements of 8 bytes
  EXPECT_EQ(events[5].ev.kind, static_cast<uint8_t>(EventKind::kFuncExit));
  for (const auto& se : events) EXPECT_EQ(se.tid, 1u);
}

TEST(PackedBlock, TimesCarryAcrossBlocksOfOneThread) {
  std::string path = TmpPath("packed_carry.tltrace");
  {
    TraceWriter w(path);
    std::string a = Full(EventKind::kThreadStart, 40, 1, 0, 0);
    std::string b = Packed(trace::PackedWord0(0x83, 0x10, 0), trace::PackedWord1(0x20, 0));
    w.RawBlock(trace::BlockKind::kPackedEvents, 3, 1, a.data(), static_cast<uint32_t>(a.size()));
    w.RawBlock(trace::BlockKind::kPackedEvents, 3, 1, b.data(), static_cast<uint32_t>(b.size()));
    w.Close();
  }
  auto events = ReadAll(path);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].ev.ts, 40u);
}

TEST(PackedBlock, PackedRecordFirstIsDamage) {
  std::string payload = Packed(0x83 | (0x10ull << 8), 0x20);
  std::string path = PackedTrace("packed_first.tltrace", payload, 1);
  ExpectErrorAt(path, kHeader + sizeof(trace::BlockHeader));
}

TEST(PackedBlock, BadTagNamesItsOffset) {
  std::string payload = Full(EventKind::kThreadStart, 1, 1, 0, 0) + Packed(0xc3, 0);
  std::string path = PackedTrace("packed_badtag.tltrace", payload, 2);
  ExpectErrorAt(path, kHeader + sizeof(trace::BlockHeader) + sizeof(trace::Event));
}

TEST(PackedBlock, CountThatDisagreesWithTheRecordsIsDamage) {
  std::string payload = Full(EventKind::kThreadStart, 1, 1, 0, 0) + Packed(0x83, 0x20) +
                        Packed(0x83 | (8ull << 8), 0x20);
  // 72 bytes hold 3 records; a count of 2 fits the size bounds but not the records.
  ExpectErrorAt(PackedTrace("packed_count.tltrace", payload, 2), kHeader);
  // A count no payload of this size can hold is refused at the block header.
  ExpectErrorAt(PackedTrace("packed_count2.tltrace", payload, 9), kHeader);
}

TEST(PackedBlock, TruncatedLastBlockKeepsItsWholeRecords) {
  std::string payload = Full(EventKind::kThreadStart, 1, 1, 0, 0);
  for (int i = 0; i < 4; ++i) payload += Packed(0x83 | (uint64_t(0x100 + 8 * i) << 8), 0x20);
  std::string src = PackedTrace("packed_trunc_src.tltrace", payload, 5);
  std::string bytes = ReadBytes(src);
  // The trace ends with the packed block followed by the end block; cut inside the fourth
  // packed record (drop the end block too).
  const uint64_t block = kHeader;  // the first block after the header
  std::string path = TmpPath("packed_trunc.tltrace");
  WriteBytes(path, bytes.substr(0, block + sizeof(trace::BlockHeader) + 40 + 16 * 3 + 7));
  std::vector<std::string> warnings;
  auto events = ReadAll(path, &warnings);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].ev.obj, 0x110u);
  bool named = false;
  for (const auto& w : warnings) named |= w.find("4 of 5") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST(PackedBlock, RandomPayloadsWithValidChecksumsNeverCrash) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 400; ++round) {
    std::string payload = Full(EventKind::kThreadStart, 1, 1, 0, 0);
    const int records = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < records; ++i) {
      if (rng() % 4 == 0) {
        payload += Full(static_cast<EventKind>(rng() % 90), rng(), rng() % 50, rng(), rng());
      } else {
        payload += Packed(rng() | 0x80, rng());
      }
    }
    std::string path = PackedTrace("packed_random.tltrace", payload,
                                   static_cast<uint32_t>(records + 1 + rng() % 2));
    try {
      ReadAll(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), kExitBadInput);
      EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace threadlens
