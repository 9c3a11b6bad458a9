// Binary trace format: TraceWriter -> reader round trips, the merge order, and damaged files
// (foreign, truncated, bad checksum, garbage), which must end in an Error naming the byte
// offset or, for a truncated last block, a warning. Packed records: packed_record_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "threadlens/analyzer/error.h"
#include "threadlens/analyzer/event_source.h"
#include "threadlens/crc32c.h"
#include "threadlens/analyzer/trace_writer.h"
#include "trace_test_util.h"

namespace threadlens {
namespace {

using trace::EventKind;

std::vector<EventKind> AllKinds() {
  std::vector<EventKind> kinds;
  for (int k = 1; k <= static_cast<int>(EventKind::kLast); ++k) {
    if (std::string(trace::EventKindName(static_cast<EventKind>(k))) != "unknown") {
      kinds.push_back(static_cast<EventKind>(k));
    }
  }
  return kinds;
}

TEST(Crc32c, MatchesKnownVector) {
  // The standard check value of CRC-32C.
  EXPECT_EQ(trace::Crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(trace::Crc32c("", 0), 0u);
  std::string big(1000, 'x');
  EXPECT_EQ(trace::Crc32c(big.data(), big.size()),
            trace::Crc32c(big.data() + 500, 500, trace::Crc32c(big.data(), 500)));
}

TEST(Crc32c, HardwareLanesMatchTable) {
#if defined(__x86_64__)
  if (!trace::crc_detail::HaveHardware()) GTEST_SKIP() << "no SSE4.2";
  std::string data(20000, 0);
  uint64_t x = 88172645463325252ull;
  for (char& c : data) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  // Around the three-lane boundaries, at odd offsets, from a non-zero start.
  for (size_t n : {0, 7, 767, 768, 769, 1536, 2311, 19990}) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data()) + 3;
    EXPECT_EQ(trace::crc_detail::Hardware(0x12345678u, p, n),
              trace::crc_detail::Software(0x12345678u, p, n))
        << n;
  }
#else
  GTEST_SKIP() << "no hardware CRC path";
#endif
}

TEST(TraceRoundTrip, EveryEventKindSurvivesWithAllFields) {
  std::string path = TmpPath("roundtrip.tltrace");
  std::vector<EventKind> kinds = AllKinds();
  ASSERT_GE(kinds.size(), 37u);
  uint32_t name = 0;
  {
    TraceWriter w(path, {.program = "/bin/prog", .pid = 42, .ticks_per_second = 1000});
    name = w.String("worker");
    EXPECT_EQ(w.String("worker"), name);
    for (size_t i = 0; i < kinds.size(); ++i) {
      trace::Event e{};
      e.kind = static_cast<uint8_t>(kinds[i]);
      e.flags = static_cast<uint8_t>(i * 7);
      e.aux16 = static_cast<uint16_t>(1000 + i);
      e.aux32 = name;
      e.ts = 5000 + i;
      // Sync kinds take the sequence number from the writer; the others keep a value.
      e.seq = trace::IsSyncKind(kinds[i]) ? 0 : 77;
      e.obj = 0x1000 + i;
      e.site = i % 2 ? (0x400000 + i) : (name | trace::kSiteIsString);
      w.Add(1, e);
    }
    w.Modules({{0x400000, 0x1000, "/bin/prog", ""}});
    w.Close();
  }
  std::vector<std::string> warnings;
  auto events = ReadAll(path, &warnings);
  EXPECT_TRUE(warnings.empty());
  ASSERT_EQ(events.size(), kinds.size());
  uint64_t seq = 0;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const auto& e = events[i].ev;
    SCOPED_TRACE(trace::EventKindName(kinds[i]));
    EXPECT_EQ(events[i].tid, 1u);
    EXPECT_EQ(e.kind, static_cast<uint8_t>(kinds[i]));
    EXPECT_EQ(e.flags, static_cast<uint8_t>(i * 7));
    EXPECT_EQ(e.aux16, 1000 + i);
    EXPECT_EQ(e.aux32, name);
    EXPECT_EQ(e.ts, 5000 + i);
    EXPECT_EQ(e.obj, 0x1000 + i);
    if (trace::IsSyncKind(kinds[i])) {
      EXPECT_EQ(e.seq, ++seq);
    } else {
      EXPECT_EQ(e.seq, 77u);
    }
  }
  auto src = OpenTrace(path);
  EXPECT_EQ(src->String(name), "worker");
  EXPECT_EQ(src->String(99), "");
  EXPECT_EQ(src->Meta().program, "/bin/prog");
  EXPECT_EQ(src->Meta().pid, 42u);
  EXPECT_EQ(src->Meta().ticks_per_second, 1000u);
  EXPECT_TRUE(src->Meta().complete);
  EXPECT_FALSE(src->Meta().watchdog);
  EXPECT_EQ(src->Meta().format, "binary");
  ASSERT_EQ(src->Modules().size(), 1u);
  EXPECT_EQ(src->Modules()[0].path, "/bin/prog");
  EXPECT_EQ(src->Modules()[0].base, 0x400000u);
}

// Three threads whose blocks are written out of order: sync events come out by seq, and each
// thread's plain events right before its next sync event.
TEST(TraceMerge, SyncBySeqPlainEventsInProgramOrder) {
  std::string path = TmpPath("merge.tltrace");
  {
    TraceWriter w(path, {.block_events = 2});
    // Thread 2 is written first although its events come later in seq order.
    w.Add(2, EventKind::kThreadStart, 0, 0, 0, 1, 0, 0, 3);
    w.Add(2, EventKind::kWrite, 0, 4, 0, 0xa0);
    w.Add(2, EventKind::kLockAcquired, 0, 1, 0, 0x10, 0, 0, 6);
    w.Add(2, EventKind::kRead, 0, 4, 0, 0xa0);
    w.Add(2, EventKind::kLockRelease, 0, 0, 0, 0x10, 0, 0, 7);
    w.Add(1, EventKind::kThreadStart, 0, 0, 0, 0, 0, 0, 1);
    w.Add(1, EventKind::kThreadCreate, 0, 0, 0, 2, 0, 0, 2);
    w.Add(1, EventKind::kLockAcquired, 0, 1, 0, 0x10, 0, 0, 4);
    w.Add(1, EventKind::kWrite, 0, 4, 0, 0xa0);
    w.Add(1, EventKind::kLockRelease, 0, 0, 0, 0x10, 0, 0, 5);
    w.Add(1, EventKind::kThreadJoin, 0, 0, 0, 2, 0, 0, 8);
    w.Close();
  }
  std::vector<std::string> got;
  for (const auto& e : ReadAll(path)) {
    got.push_back("T" + std::to_string(e.tid) + " " + trace::EventKindName(e.kind()));
  }
  std::vector<std::string> want = {"T1 thread_start", "T1 thread_create", "T2 thread_start",
                                   "T2 write",        "T1 lock_acquired", "T1 write",
                                   "T1 lock_release", "T2 lock_acquired", "T2 read",
                                   "T2 lock_release", "T1 join"};
  EXPECT_EQ(got, want);
}

TEST(TraceMerge, ManyThreadsManyBlocksStayOrdered) {
  std::string path = TmpPath("merge_many.tltrace");
  std::mt19937 rng(7);
  const int kThreads = 20, kEvents = 3000;
  {
    TraceWriter w(path, {.block_events = 64});
    for (int i = 0; i < kEvents; ++i) {
      uint32_t tid = 1 + rng() % kThreads;
      if (rng() % 3 == 0) {
        w.Add(tid, EventKind::kRead, 0, 8, 0, i);
      } else {
        w.Add(tid, EventKind::kLockAcquired, 0, 1, 0, i);  // seq assigned in this order
      }
    }
    w.Close();
  }
  auto events = ReadAll(path);
  ASSERT_EQ(events.size(), static_cast<size_t>(kEvents));
  uint64_t last_seq = 0;
  std::vector<uint64_t> last_obj(kThreads + 1, 0);
  for (const auto& e : events) {
    if (e.kind() == EventKind::kLockAcquired) {
      EXPECT_GT(e.ev.seq, last_seq);
      last_seq = e.ev.seq;
    }
    // obj was the global write order; per thread it must grow (program order kept).
    EXPECT_GT(e.ev.obj + 1, last_obj[e.tid]);
    last_obj[e.tid] = e.ev.obj + 1;
  }
}

// A small valid trace whose bytes the damage tests cut and flip.
std::string MakeSample(const std::string& name, int events = 10) {
  std::string path = TmpPath(name);
  TraceWriter w(path, {.block_events = 4});
  w.String("x");
  for (int i = 0; i < events; ++i) w.Add(1, EventKind::kLockAcquired, 0, 1, 0, 0x10 + i);
  w.Close();
  return path;
}

constexpr uint64_t kHeader = sizeof(trace::FileHeader);
constexpr uint64_t kBlock = sizeof(trace::BlockHeader);
constexpr uint64_t kEv = sizeof(trace::Event);
// MakeSample's layout: header, strings block (8 + 1 bytes), then event blocks of 4 events.
constexpr uint64_t kFirstEvents = kHeader + kBlock + 9;

TEST(TraceWriter, CopiedStringIdsAndInternedOnesNeverCollide) {
  std::string path = TmpPath("string_ids.tltrace");
  uint32_t interned = 0;
  {
    TraceWriter w(path);
    interned = w.String("/lib/module.so");
    w.DefineString(1, "copied");
    w.DefineString(2, "also copied");
    w.Add(1, EventKind::kNameThread, 0, 0, 1, 1);
    w.Modules({{0x1000, 0x100, "/lib/module.so", ""}});
    EXPECT_THROW(w.DefineString(interned, "clash"), Error);
    w.Close();
  }
  auto src = OpenTrace(path);
  EXPECT_EQ(src->String(1), "copied");
  EXPECT_EQ(src->String(2), "also copied");
  EXPECT_EQ(src->String(interned), "/lib/module.so");
  ASSERT_EQ(src->Modules().size(), 1u);
  EXPECT_EQ(src->Modules()[0].path, "/lib/module.so");
}

TEST(TraceDamage, ForeignFileIsRejectedAtOffsetZero) {
  std::string path = TmpPath("foreign.bin");
  WriteBytes(path, std::string("\x7f"
                               "ELF\x02\x01\x01",
                               7) +
                       std::string(300, '\0'));
  try {
    ReadAll(path);
    FAIL() << "a foreign file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadInput);
  }
}

TEST(TraceDamage, BadMagicInBinaryReaderNamesOffsetZero) {
  std::string path = TmpPath("badmagic.tltrace");
  std::string bytes = ReadBytes(MakeSample("badmagic_src.tltrace"));
  bytes[3] = 'X';
  WriteBytes(path, bytes);
  // OpenTrace hands non-matching magic to the text reader; the binary reader itself must
  // also refuse it.
  EXPECT_THROW(ReadAll(path), Error);
}

TEST(TraceDamage, TruncatedHeaderNamesTheEnd) {
  std::string path = TmpPath("short_header.tltrace");
  std::string bytes = ReadBytes(MakeSample("short_src.tltrace"));
  WriteBytes(path, bytes.substr(0, 100));
  ExpectErrorAt(path, 100);
}

TEST(TraceDamage, UnknownVersionIsRejected) {
  std::string path = TmpPath("version.tltrace");
  std::string bytes = ReadBytes(MakeSample("version_src.tltrace"));
  bytes[8] = 9;
  WriteBytes(path, bytes);
  ExpectErrorAt(path, 8);
}

TEST(TraceDamage, TruncatedLastBlockIsReadUpToTheDamageWithAWarning) {
  std::string path = TmpPath("truncated.tltrace");
  std::string bytes = ReadBytes(MakeSample("trunc_src.tltrace", 10));
  // Blocks of 4, 4, 2 events; cut the second block after 3 of its events, drop the rest.
  uint64_t second = kFirstEvents + kBlock + 4 * kEv;
  WriteBytes(path, bytes.substr(0, second + kBlock + 3 * kEv + 5));
  std::vector<std::string> warnings;
  auto events = ReadAll(path, &warnings);
  ASSERT_EQ(events.size(), 7u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].ev.obj, 0x10 + i);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("truncated"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("3 of 4"), std::string::npos) << warnings[0];
}

TEST(TraceDamage, TruncationInsideABlockHeaderIsAWarning) {
  std::string path = TmpPath("trunc_hdr.tltrace");
  std::string bytes = ReadBytes(MakeSample("trunc_hdr_src.tltrace", 10));
  WriteBytes(path, bytes.substr(0, kFirstEvents + kBlock + 4 * kEv + 10));
  std::vector<std::string> warnings;
  EXPECT_EQ(ReadAll(path, &warnings).size(), 4u);
  EXPECT_FALSE(warnings.empty());
}

TEST(TraceDamage, BadChecksumNamesTheBlockOffset) {
  std::string path = TmpPath("checksum.tltrace");
  std::string bytes = ReadBytes(MakeSample("checksum_src.tltrace", 10));
  uint64_t second = kFirstEvents + kBlock + 4 * kEv;
  bytes[second + kBlock + 17] ^= 0x40;  // one bit inside an event of the second block
  WriteBytes(path, bytes);
  ExpectErrorAt(path, second);
}

TEST(TraceDamage, BadBlockMagicInTheMiddleNamesItsOffset) {
  std::string path = TmpPath("blockmagic.tltrace");
  std::string bytes = ReadBytes(MakeSample("blockmagic_src.tltrace", 10));
  bytes[kFirstEvents] ^= 0xff;
  WriteBytes(path, bytes);
  ExpectErrorAt(path, kFirstEvents);
}

TEST(TraceDamage, ImpossibleSizesAreRejectedWithoutAllocating) {
  std::string path = TmpPath("sizes.tltrace");
  {
    TraceWriter w(path);
    trace::Event e{};
    e.kind = static_cast<uint8_t>(EventKind::kRead);
    // count says a billion events, payload holds one.
    w.RawBlock(trace::BlockKind::kEvents, 1, 1'000'000'000u, &e, sizeof e);
    w.Close();
  }
  ExpectErrorAt(path, kHeader);
}

TEST(TraceDamage, GarbageAfterTheHeaderNeverCrashes) {
  std::mt19937 rng(1234);
  std::string sample = ReadBytes(MakeSample("garbage_src.tltrace", 50));
  for (int round = 0; round < 300; ++round) {
    std::string bytes = sample;
    int flips = 1 + rng() % 8;
    for (int i = 0; i < flips; ++i) {
      size_t at = kHeader + rng() % (bytes.size() - kHeader);
      bytes[at] = static_cast<char>(rng());
    }
    if (round % 3 == 0) bytes.resize(kHeader + rng() % (bytes.size() - kHeader));
    std::string path = TmpPath("garbage.tltrace");
    WriteBytes(path, bytes);
    try {
      ReadAll(path);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
    }
  }
}

TEST(TraceDamage, UnknownBlockKindsAreSkipped) {
  std::string path = TmpPath("unknown_block.tltrace");
  {
    TraceWriter w(path);
    char payload[16] = {};
    w.RawBlock(static_cast<trace::BlockKind>(99), 0, 1, payload, sizeof payload);
    w.Add(1, EventKind::kThreadStart);
    w.Close();
  }
  EXPECT_EQ(ReadAll(path).size(), 1u);
}

TEST(TraceDamage, IncompleteHeaderWarns) {
  std::string path = TmpPath("incomplete.tltrace");
  {
    TraceWriter w(path);
    w.Add(1, EventKind::kThreadStart);
    w.Flush();
    // Copy the file as it is now, before the writer's clean close.
    std::filesystem::copy_file(path, path + ".copy",
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::vector<std::string> warnings;
  EXPECT_EQ(ReadAll(path + ".copy", &warnings).size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("not closed cleanly"), std::string::npos);
  EXPECT_FALSE(OpenTrace(path + ".copy")->Meta().complete);
}

TEST(TraceVersion, VersionOneFilesStillRead) {
  std::string path = TmpPath("version1.tltrace");
  std::string bytes = ReadBytes(MakeSample("version1_src.tltrace"));
  bytes[8] = 1;
  WriteBytes(path, bytes);
  EXPECT_EQ(ReadAll(path).size(), 10u);
}

}  // namespace
}  // namespace threadlens
