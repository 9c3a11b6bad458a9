// Packed records of the threadlens trace format (kPackedEvents blocks, since v2): how the
// tracer writes a plain access or a call in 16 bytes, and how readers expand one back into
// the Event it stands for. Byte-by-byte description in docs/trace-format.md.
// Includes only <stdint.h>-level headers: it is compiled into the traced program.
#pragma once

#include <cstddef>
#include <cstdint>

#include "threadlens/trace_format.h"

namespace threadlens::trace {

// Packed records (kPackedEvents blocks, v2). The first byte of every record tells its size:
// below 0x80 it is the `kind` of a full 40-byte Event; with bit 7 set it is the tag of a
// 16-byte packed record, two little-endian words:
//   w0 = tag | address << 8 (48 bits) | (run >> 16) << 56
//   w1 = pc (48 bits)                 | (run & 0xffff) << 48
// tag: bit 7 set; bits 3-4 op (0 read, 1 write, 2 func_entry, 3 func_exit); bits 0-2 the
// element size code (0..4 for 1, 2, 4, 8, 16 bytes; 0 for the func ops); bits 5-6 zero.
// run + 1 elements of that size at consecutive addresses: run 0 is one plain access (aux16 =
// size), more is a range (aux16 = 0, aux32 = element size, seq = bytes). A packed record has
// no time of its own: its ts is that of the thread's previous record, so a thread's first
// record is always a full Event. func_entry keeps its pc in w1, its frame's stack pointer
// (obj, 0 when not known) as the address and its frame pointer offset (aux32) as the run;
// func_exit has none of them.
inline constexpr uint8_t kPackedTag = 0x80;
inline constexpr size_t kPackedSize = 16;
inline constexpr uint64_t kPackedMaxAddr = (1ull << 48) - 1;
inline constexpr uint32_t kPackedMaxRun = (1u << 24) - 1;

enum class PackedOp : uint8_t { kRead = 0, kWrite = 1, kFuncEntry = 2, kFuncExit = 3 };

// Size code of an access size, or -1 when the size has none (then the record is full).
constexpr int PackedSizeCode(uint32_t size) {
  switch (size) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
    default: return -1;
  }
}

constexpr uint8_t PackedTag(PackedOp op, int size_code) {
  return static_cast<uint8_t>(kPackedTag | (static_cast<uint8_t>(op) << 3) | size_code);
}

constexpr uint64_t PackedWord0(uint8_t tag, uint64_t addr, uint32_t run) {
  return tag | (addr << 8) | (static_cast<uint64_t>(run >> 16) << 56);
}
constexpr uint64_t PackedWord1(uint64_t pc, uint32_t run) {
  return pc | (static_cast<uint64_t>(run & 0xffff) << 48);
}
constexpr uint32_t PackedRun(uint64_t w0, uint64_t w1) {
  return static_cast<uint32_t>(((w0 >> 56) << 16) | (w1 >> 48));
}

// Expands a packed record into the Event it stands for. False when the tag is not a valid
// one (a damaged block). `prev_ts` is the time of the thread's previous record.
constexpr bool UnpackRecord(uint64_t w0, uint64_t w1, uint64_t prev_ts, Event& e) {
  const uint8_t tag = static_cast<uint8_t>(w0);
  if ((tag & 0xe0) != kPackedTag) return false;
  const auto op = static_cast<PackedOp>((tag >> 3) & 3);
  const uint32_t code = tag & 7;
  const uint64_t addr = (w0 >> 8) & kPackedMaxAddr;
  const uint64_t pc = w1 & kPackedMaxAddr;
  const uint32_t run = PackedRun(w0, w1);
  e = Event{};
  e.ts = prev_ts;
  switch (op) {
    case PackedOp::kRead:
    case PackedOp::kWrite: {
      if (code > 4) return false;
      const uint32_t size = 1u << code;
      e.kind = static_cast<uint8_t>(op == PackedOp::kRead ? EventKind::kRead : EventKind::kWrite);
      if (run == 0) {
        e.aux16 = static_cast<uint16_t>(size);
      } else {
        e.aux32 = size;
        e.seq = static_cast<uint64_t>(run + 1) * size;
      }
      e.obj = addr;
      e.site = pc;
      return true;
    }
    case PackedOp::kFuncEntry:
      if (code != 0) return false;
      e.kind = static_cast<uint8_t>(EventKind::kFuncEntry);
      e.aux32 = run;
      e.obj = addr;
      e.site = pc;
      return true;
    case PackedOp::kFuncExit:
      if (code != 0 || run != 0 || addr != 0 || pc != 0) return false;
      e.kind = static_cast<uint8_t>(EventKind::kFuncExit);
      return true;
  }
  return false;
}

}  // namespace threadlens::trace
