// The memory shared by the processes of one recording: `threadlens run` (or the first traced
// process, run without it) creates it as a memfd, and every traced descendant maps it again
// through the descriptor named by THREADLENS_SHARED_FD, which fork and exec keep. The one
// definition for the runtime (tracer/src/process_tree.cc) and the runner (cli/).
#pragma once

#include <atomic>
#include <cstdint>

namespace threadlens::trace {

// (A runtime that knows another layout does not join: it records a recording of its own.)
inline constexpr uint64_t kRecordingMagic = 0x3244524345524c54ull;  // "TLRECRD2"
inline constexpr uint64_t kRecordingBytes = 65536;

// What one process's watchdog last saw of its locks in shared memory, for the watchdogs of
// the others: the locks its blocked threads wait for and the locks its threads hold, each
// named by its object and offset (the same key in every process). A seqlock: `version` is
// odd while the owner writes; readers copy and retry.
inline constexpr uint32_t kMaxSharedWaits = 16;
inline constexpr uint32_t kMaxSharedHolds = 48;
inline constexpr uint32_t kMaxProcessSlots = 64;
inline constexpr uint32_t kMaxRecordingPipes = 2048;
inline constexpr uint32_t kMaxRecordingSockets = 512;
struct ProcessLocks {
  std::atomic<uint32_t> pid;  // 0: a free slot
  std::atomic<uint32_t> ppid;  // its parent's pid (a wait inside system() finds its child)
  std::atomic<uint32_t> version;
  // Its watchdog ended it: the shared-memory locks it held stay held (a dead owner unlocks
  // nothing), so the slot stays, for the others' watchdogs to see the rest of the cycle (its
  // file locks go at its exit, which waits for the cycle's other processes to end first).
  std::atomic<uint32_t> ended;
  uint32_t waits, holds;
  uint64_t wait[kMaxSharedWaits];
  uint64_t hold[kMaxSharedHolds];
};

// The latest acquisition of a lock in shared memory, and its latest exclusive one, by a
// stamp unique in the recording: a thread polling through the lock learns whether a thread
// of any process took it since its own previous acquisition (the tracer's lock_rounds.h).
struct LockStampSlot {
  std::atomic<uint64_t> any;
  std::atomic<uint64_t> exclusive;
};
inline constexpr uint32_t kSharedLockStampBits = 7;  // slots, by the lock's key hashed
// Recorded atomic writes (stores, read-modify-writes) to memory the processes share, counted
// by the location's key hashed: a thread spinning on a load of such a location folds its
// repeats only while no thread of any process wrote there (the tracer's tsan_atomic_ops.h).
inline constexpr uint32_t kSharedWriteBits = 7;

struct SharedRecording {
  uint64_t magic;                // kRecordingMagic, written last by the creator
  uint64_t recording;            // the id every process writes in its header (nonzero)
  std::atomic<uint64_t> seq;     // the sequence counter of every sync event
  std::atomic<uint64_t> tokens;  // numbers unique in the recording (fork keys, channels)
  // Processes that joined and have not closed their trace yet: the runner waits for 0
  // after the program ends, so that the trees' last traces are whole when it reads them.
  std::atomic<int64_t> live;
  ProcessLocks processes[kMaxProcessSlots];
  // The pipes the recording's processes made (pipe, pipe2), by inode, in an open-addressed
  // table: only the ends of those are held where the watchdogs see them all (a pipe from
  // outside, the read end of a shell's `a | b`, has holders no watchdog knows).
  std::atomic<uint64_t> pipes[kMaxRecordingPipes];
  // The socket pairs they made (socketpair), each socket by inode with its peer's, in an
  // open-addressed table: a thread reading one socket of a pair waits for the holders of the
  // other, as a pipe's reader for the holders of its write end. Peer 0: being written.
  struct SocketPeer {
    std::atomic<uint64_t> inode, peer;
  };
  SocketPeer sockets[kMaxRecordingSockets];
  LockStampSlot lock_stamps[1u << kSharedLockStampBits];
  std::atomic<uint64_t> atomic_writes[1u << kSharedWriteBits];
  // By the same slots: the largest sequence number a write there was given (a read that
  // read a write numbered after its own number takes a new one, after it).
  std::atomic<uint64_t> atomic_last_seq[1u << kSharedWriteBits];
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "the counters are shared memory");
static_assert(sizeof(SharedRecording) <= kRecordingBytes, "fits the mapping");

}  // namespace threadlens::trace
