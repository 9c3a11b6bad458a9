// The watchdog across processes: each process's watchdog publishes, at every poll, which
// locks in shared memory its blocked threads wait for and which its threads hold, in a table
// of the recording's shared memory; a wait-for cycle among processes, seen on two polls in a
// row, ends each process on it as an in-process cycle does. Runs on the watchdog's thread:
// no allocation, no lock but the seqlock of the table's slots.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipe_waits.h"
#include "process_tree.h"
#include "sync_keys.h"
#include "threadlens/recording.h"

namespace threadlens::rt {
namespace {

using trace::kMaxProcessSlots;
using trace::ProcessLocks;

int g_slot = -1;

// i waits for j: one of i's waits is kept out by one of j's holds. `j_alive` false: j has
// exited, and its file locks and its end went with it (its shared-memory locks stay held).
bool WaitsFor(const ProcessLocks& i, const ProcessLocks& j, bool j_alive = true) {
  for (uint32_t a = 0; a < i.waits; ++a) {
    // A pipe's wait ends when any holder of its other end acts: pipe_waits.cc's rule.
    if (IsKnotKey(i.wait[a])) continue;
    for (uint32_t b = 0; b < j.holds; ++b) {
      if (!j_alive && (IsFileLockKey(j.hold[b]) || IsExitKey(j.hold[b]))) continue;
      if (KeptOut(i.wait[a], j.hold[b])) return true;
    }
  }
  return false;
}

}  // namespace

bool KeptOut(uint64_t wait, uint64_t hold) {
  if (IsFileLockKey(wait) && IsFileLockKey(hold)) {
    return (wait | 1) == (hold | 1) && !(wait & hold & 1);
  }
  return wait == hold;
}

bool CopyLockSlot(const ProcessLocks& from, ProcessLocks& to) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    const uint32_t v = from.version.load(std::memory_order_acquire);
    if (v & 1) continue;
    to.pid.store(from.pid.load(std::memory_order_relaxed), std::memory_order_relaxed);
    to.waits = from.waits < trace::kMaxSharedWaits ? from.waits : trace::kMaxSharedWaits;
    to.holds = from.holds < trace::kMaxSharedHolds ? from.holds : trace::kMaxSharedHolds;
    memcpy(to.wait, from.wait, sizeof to.wait);
    memcpy(to.hold, from.hold, sizeof to.hold);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (from.version.load(std::memory_order_relaxed) == v) return to.pid.load() != 0;
  }
  return false;
}

bool Alive(uint32_t pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

void ClaimLockSlot() {
  g_slot = -1;
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return;
  const uint32_t pid = static_cast<uint32_t>(getpid());
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    uint32_t free = 0;
    if (r->processes[i].pid.compare_exchange_strong(free, pid)) {
      r->processes[i].ppid.store(static_cast<uint32_t>(getppid()), std::memory_order_relaxed);
      r->processes[i].waits = r->processes[i].holds = 0;
      r->processes[i].ended.store(0);
      g_slot = static_cast<int>(i);
      return;
    }
  }
}

void ReleaseLockSlot(bool watchdog) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || g_slot < 0) return;
  if (watchdog) {
    r->processes[g_slot].ended.store(1, std::memory_order_release);
  } else {
    r->processes[g_slot].ppid.store(0, std::memory_order_relaxed);  // no one's child meanwhile
    r->processes[g_slot].pid.store(0, std::memory_order_release);
  }
  g_slot = -1;
}

void PublishLocks(const uint64_t* waits, uint32_t num_waits, const uint64_t* holds,
                  uint32_t num_holds) {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || g_slot < 0) return;
  ProcessLocks& p = r->processes[g_slot];
  p.version.fetch_add(1, std::memory_order_acq_rel);  // odd: being written
  p.waits = num_waits < trace::kMaxSharedWaits ? num_waits : trace::kMaxSharedWaits;
  p.holds = num_holds < trace::kMaxSharedHolds ? num_holds : trace::kMaxSharedHolds;
  memcpy(p.wait, waits, p.waits * sizeof *waits);
  memcpy(p.hold, holds, p.holds * sizeof *holds);
  p.version.fetch_add(1, std::memory_order_release);
}

void AwaitCycleEnd() {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return;
  // The slot was given back at close (ended set): find it by pid.
  const uint32_t pid = static_cast<uint32_t>(getpid());
  static ProcessLocks copy[kMaxProcessSlots];
  int self = -1;
  for (int round = 0; round < 100; ++round) {  // 10 ms apart
    bool waiting = false;
    for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
      if (!CopyLockSlot(r->processes[i], copy[i])) copy[i].pid.store(0, std::memory_order_relaxed);
      if (copy[i].pid.load(std::memory_order_relaxed) == pid) self = static_cast<int>(i);
    }
    if (self < 0) return;
    // The processes that wait for this one, directly or through others of the cycle (a shell
    // waiting for the child that waits for this one's lock): until each has ended its trace,
    // this one's exit would change what it sees.
    static bool reached[kMaxProcessSlots];
    memset(reached, 0, sizeof reached);
    reached[self] = true;
    for (bool grew = true; grew && !waiting;) {
      grew = false;
      for (uint32_t i = 0; i < kMaxProcessSlots && !waiting; ++i) {
        const uint32_t other = copy[i].pid.load(std::memory_order_relaxed);
        if (reached[i] || other == 0 || !Alive(other)) continue;
        for (uint32_t j = 0; j < kMaxProcessSlots && !reached[i]; ++j) {
          reached[i] = reached[j] && WaitsFor(copy[i], copy[j]);
        }
        if (!reached[i]) continue;
        grew = true;
        waiting = !r->processes[i].ended.load();
      }
    }
    if (!waiting) return;
    timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
}

uint64_t ChildKey(uint64_t key) {
  if (key != ExitKey(0)) return key;
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r) return 0;
  const uint32_t self = static_cast<uint32_t>(getpid());
  uint32_t child = 0;
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    const ProcessLocks& p = r->processes[i];
    const uint32_t pid = p.pid.load(std::memory_order_acquire);
    if (pid == 0 || pid == self || p.ppid.load(std::memory_order_relaxed) != self) continue;
    if (!Alive(pid)) continue;  // (one its watchdog ended lives on until the cycle's end)
    if (child != 0 && child != pid) return 0;  // several: the wait is for any of them
    child = pid;
  }
  return child ? ExitKey(child) : 0;
}

bool OnProcessCycle() {
  trace::SharedRecording* r = SharedRecordingOrNull();
  if (!r || g_slot < 0) return false;
  static ProcessLocks copy[kMaxProcessSlots];
  static bool used[kMaxProcessSlots], alive[kMaxProcessSlots];
  for (uint32_t i = 0; i < kMaxProcessSlots; ++i) {
    used[i] = CopyLockSlot(r->processes[i], copy[i]);
    alive[i] = used[i] && Alive(copy[i].pid.load());
  }
  if (!used[g_slot] || copy[g_slot].waits == 0) return false;
  // Breadth-first from this process along "waits for"; a path back to it is a cycle.
  static uint8_t seen[kMaxProcessSlots];
  static uint32_t queue[kMaxProcessSlots];
  memset(seen, 0, sizeof seen);
  uint32_t head = 0, tail = 0;
  queue[tail++] = static_cast<uint32_t>(g_slot);
  while (head < tail) {
    const uint32_t u = queue[head++];
    for (uint32_t v = 0; v < kMaxProcessSlots; ++v) {
      if (!used[v] || v == u || !WaitsFor(copy[u], copy[v], alive[v])) continue;
      if (v == static_cast<uint32_t>(g_slot)) return true;
      // A killed process keeps its slot but holds nothing that matters any more, unless its
      // watchdog ended it inside a cycle.
      if (seen[v] || (!r->processes[v].ended.load() && !alive[v])) continue;
      seen[v] = 1;
      queue[tail++] = v;
    }
  }
  return false;
}

}  // namespace threadlens::rt
