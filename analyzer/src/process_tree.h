// The processes of one recording (a process tree traced by one `threadlens run`) read as one
// stream: BASE and its siblings BASE.PID[.N], merged by the sequence number they share.
// Each process keeps its own thread ids and private addresses apart from the others' by
// carrying its index (tids in bits 24-31, addresses in bits 47-54); memory it maps shared
// is named by (object, offset), the same in every process (docs/trace-format.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "threadlens/analyzer/event_source.h"

namespace threadlens {

// Thread `tid` of the process at `index` in the merged stream, and back.
inline constexpr uint32_t kProcessTidShift = 24;
inline constexpr uint32_t MergedTid(uint32_t index, uint32_t tid) {
  return tid == 0 ? 0 : (index << kProcessTidShift) | tid;
}
inline constexpr uint32_t ProcessIndexOfTid(uint32_t tid) { return tid >> kProcessTidShift; }
inline constexpr uint32_t LocalTid(uint32_t tid) { return tid & ((1u << kProcessTidShift) - 1); }
// Processes one recording may hold (the index fits the tid's and the address's tag bits).
inline constexpr uint32_t kMaxProcesses = 255;
// A private address of the process at index > 0 carries the index from bit 47; shared
// memory's addresses have bit 55, and keys the bits above.
inline constexpr int kProcessAddressShift = 47;
// The address in its own process, for the symbols of the modules it mapped (a fork child's
// globals are at its parent's addresses).
inline constexpr uint64_t LocalAddress(uint64_t a) {
  return (a >> 55) != 0 ? a : a & ((uint64_t{1} << kProcessAddressShift) - 1);
}

// A fork's key (the tracer's sync_keys.h): process edges have top byte 0x0e, even offsets
// for forks (odd for exits), and bit 41 for a posix_spawn, whose child is a new image.
inline constexpr bool IsForkKey(uint64_t v) {
  return (v >> 56) == 0x0e && (v & 1) == 0 && (v & (1ull << 41)) == 0;
}
// Where the private addresses of the process at `index` start.
inline constexpr uint64_t ProcessAddressBase(uint32_t index) {
  return static_cast<uint64_t>(index) << kProcessAddressShift;
}

// `first` read from `path`, together with the other processes of its recording. Returns
// `first` itself for a v1/v2 trace; a recording of one process reads as before, its forks
// watched for a child that left no events (a warning). Throws Error with
// kExitUnrelated when a sibling file belongs to another recording, and Error (bad input)
// when a sibling is damaged beyond reading; a sibling cut short is read up to the damage.
std::unique_ptr<EventSource> OpenRecording(const std::string& path,
                                           std::unique_ptr<EventSource> first);

}  // namespace threadlens
