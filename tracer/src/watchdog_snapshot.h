// What the watchdog (watchdog.cc) sees at a poll: every program thread's blocked state and
// the locks it holds (watchdog_snapshot.cc), and what that alone tells: a wait-for cycle among
// lock waits, or that every wait is one only the recording's processes can end.
#pragma once

#include <cstdint>

#include "fd_sync.h"

namespace threadlens::rt::watch {

constexpr uint32_t kMaxThreads = 4096;
constexpr uint32_t kMaxHolds = 65536;
constexpr uint32_t kMaxFileHolds = 1024;
constexpr uint32_t kMaxMoreKeys = 4096;
constexpr uint64_t kPollNs = 100'000'000;

// A lock a thread holds.
struct Hold {
  uint32_t tid;
  uint16_t depth;
  uint8_t shared;
  uint64_t lock;
};

// A thread's state: what it blocks on, since when, where; its locks held are `num_holds`
// Holds from `first_hold`.
struct ThreadView {
  uint32_t tid;
  uint8_t on;  // BlockedOn (kPipe for a pipe of the recording's), 0 = running
  uint8_t exclusive;
  uint8_t parked;  // a fiber no thread runs now
  uint64_t obj;
  uint64_t since;
  uint64_t pc;
  uint64_t sleep_until;  // ticks | 1 while in a sleep call, else 0
  uint64_t sleep_pc;
  uint64_t awake_since;  // ticks | 1 when its last sleep ended, 0 if it never slept
  uint32_t first_hold, num_holds;
  int32_t os_tid;  // the kernel's id of its thread
  // A readiness wait on several ends: the keys past `obj`, `num_more` from `first_more`.
  uint32_t first_more, num_more;
};

struct Snapshot {
  ThreadView threads[kMaxThreads];
  Hold holds[kMaxHolds];
  // File locks belong to descriptors, not threads: each is held by the thread that took it.
  fdsync::FileLockHold files[kMaxFileHolds];
  uint64_t more[kMaxMoreKeys];  // ThreadView::first_more
  uint32_t num_threads, num_holds, num_files, num_more;
  bool partial;  // more threads than kMaxThreads: "all blocked" cannot be decided
};

// Reads every program thread's state (a pipe wait found out from its descriptor).
void TakeSnapshot(Snapshot& s);
// A wait the wait-for graph follows: for a lock some thread holds.
bool OnLock(const ThreadView& t);
// Whether `t` holds `lock` (a lock of its own, or a descriptor's file lock it took).
bool Holds(const Snapshot& s, const ThreadView& t, uint64_t lock, bool* shared);
// Finds a cycle in the wait-for graph among threads blocked on locks; fills `cycle` with
// thread indices and returns its length (0: none).
uint32_t FindCycle(const Snapshot& s, uint32_t* cycle);
// Whether each thread waits on what only the recording's processes can end (pipe_waits.h): a
// pipe of the recording, a child of it, a lock, or an object in private memory; and no timer
// is armed, nor a SIGCHLD handler installed, whose signal could wake one.
bool KnotReady(const Snapshot& s);

}  // namespace threadlens::rt::watch
