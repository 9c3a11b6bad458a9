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
};

}  // namespace threadlens::trace
