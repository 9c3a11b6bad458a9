// What the watchdog's records of the trace format (trace_format.h: kWatchdogFired, kBlocked)
// say: why it fired, and what each blocked thread waits on.
// Includes only <stdint.h>-level headers: it is compiled into the traced program.
#pragma once

#include <cstdint>

namespace threadlens::trace {

enum class BlockedOn : uint8_t {
  kLock = 1,
  kCond = 2,
  kJoin = 3,
  kSem = 4,
  kFutex = 5,  // an untimed futex wait (kFutexWaitBegin)
  // Inside pthread_cond_destroy, which glibc makes wait until every waiter of the condition
  // variable has left its wait.
  kCondDestroy = 6,
  // A file lock's wait (flock, fcntl's F_SETLKW and F_OFD_SETLKW, lockf's F_LOCK); obj: the
  // lock's channel, named by a kNameLock event.
  kFileLock = 7,
  // A wait for a child process to end (waitpid, wait, wait4, waitid); obj: the child's
  // ExitKey (its pid), 0 when the wait is for any of several children.
  kProcess = 8,
  // A read or write of a pipe made in the recording (pipe, pipe2), blocked for want of data
  // or room; obj: the PipeEndKey of the end it waits on someone to use (a reader waits for a
  // holder of the write end, to write or to close it; a writer for a holder of the read end).
  kPipe = 9,
  // A wait for a signal: sigwait, sigwaitinfo, sigtimedwait without a timeout (obj: the
  // lowest signal of its set), sigsuspend and pause (obj: 0, any signal a handler catches).
  // Counted as stuck only while it holds a lock another blocked thread waits for.
  kSignal = 10,
};
// The pid a kProcess wait's key names (the tracer's ExitKey: 7 << 57, plus 2 * pid + 1).
inline uint32_t ExitKeyPid(uint64_t key) {
  return static_cast<uint32_t>((key - (7ull << 57) - 1) / 2);
}

enum class WatchdogReason : uint8_t {
  kLockCycle = 1,     // threads blocked on locks form a wait-for cycle
  kSelfDeadlock = 2,  // a thread waits on a non-recursive lock it holds
  kAllBlocked = 3,    // every live thread blocked longer than the delay (or asleep, see
                      // docs/findings.md)
  kTimeout = 4,       // the run's time limit (threadlens run --timeout) ran out
  // Threads wait on pipes whose other ends only blocked processes hold (and those wait on
  // each other): the processes' watchdogs saw it from the recording's shared memory.
  kPipeDeadlock = 5,
};

// A pipe's end, by the pipe's inode (the same in every process): top byte 0x0a, bit 0 set
// for the write end. The watchdog's kHolds records name the ends each process held (tid: the
// process's first thread, kProcessHold). A socket of a pair (socketpair, or a local
// connection) has bit 55 set too: its "write end" is what writes into it (the holders of its
// peer), its "read end" what reads what it sends (the peer's holders too).
inline constexpr uint64_t PipeEndKey(uint64_t inode, bool write_end, bool socket = false) {
  return (0x0aull << 56) | (socket ? 1ull << 55 : 0) | ((inode & ((1ull << 54) - 1)) << 1) |
         (write_end ? 1 : 0);
}
inline constexpr bool IsPipeEndKey(uint64_t key) { return (key >> 56) == 0x0a; }
inline constexpr bool PipeWriteEnd(uint64_t key) { return key & 1; }
inline constexpr bool SocketEnd(uint64_t key) { return (key >> 55 & 1) && (key >> 56) == 0x0a; }
inline constexpr uint64_t PipeInode(uint64_t key) { return (key & ((1ull << 55) - 1)) >> 1; }
// An eventfd is a pipe whose two ends are one descriptor: its "inode" is its number in the
// kernel (`eventfd-id` in /proc's fdinfo) with this bit set. A read waits for a holder to write
// (its "write end"); closing it wakes no one.
inline constexpr uint64_t kEventfdInode = 1ull << 53;
inline constexpr bool EventfdEnd(uint64_t key) {
  return IsPipeEndKey(key) && !SocketEnd(key) && (PipeInode(key) & kEventfdInode);
}

}  // namespace threadlens::trace
