// The recording a traced process belongs to: one sequence counter shared by every process of
// a `threadlens run` (a memfd mapping inherited across fork and exec), the recording id, and
// what the process tells the analyzer about other processes: fork and wait edges, and the
// shared memory it maps (MAP_SHARED, sem_open) by the object's identity.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace threadlens::trace {
struct SharedRecording;
struct ProcessLocks;
}

namespace threadlens::rt {

// Joins the recording of the environment (a descendant) or starts one (the first traced
// process), before the trace is opened. Returns the recording id, never 0. Never fails: a
// descendant that cannot reach the shared counter (the program closed its fd before exec)
// says so on the terminal and records a recording of its own, which the analyzer will not
// merge with the others.
uint64_t JoinRecording(bool descendant);
// A number unique across the recording (fork keys, socket-pair channels).
uint64_t RecordingToken();

// fork: the parent's release before the fork (and the mapping table's lock held across it);
// in the child, the lock reset first thing, then the acquire and its inherited shared
// mappings written again, right after its first event.
void ProcessForkPrepare();
void ProcessForkParent();
void ProcessForkChildReset();
void ProcessForkChild();
// This process forked since its trace began (the header's kHeaderForked).
bool ProcessForked();
// posix_spawn: the parent's release and the child's live count before the spawn; the
// environment the new program gets (envp and the spawn's key), `undo` when the spawn failed.
// `env` has room for `max` pointers; `key` for the variable's text. False: spawn as asked.
bool ProcessSpawnPrepare(char* const envp[], char** env, size_t max, char* key, size_t key_size);
void ProcessSpawnFailed();
// The first event of a spawned program: the acquire of its parent's release.
void ProcessSpawnedStart();
// At a clean close of a process's last image: releases ExitKey(pid) for a waiting parent
// (only in descendants: the first process's parent is the runner).
void ProcessExit();
// The trace is closed: the process no longer counts as live in the recording, unless an
// exec follows (ProcessExecPrepare): its new image goes on as the same process, and finds
// THREADLENS_EXEC_PID in the environment `env` (room for `max` pointers, `var` for the
// variable's text) made from `envp`. False: too many variables, exec with `envp`.
bool ProcessExecPrepare(char* const envp[], char** env, size_t max, char* var, size_t var_size);
void ProcessClosed(bool watchdog);
// fork() counts the child live before it exists (so the runner never sees the count at 0
// between a parent's exit and its child's start), and takes it back when fork fails.
void ForkStarting();
void ForkFailed();

// A mapping the program made or dropped; records it when it is shared memory (true). False:
// memory of the process's own (private, or of an anonymous inode such as io_uring's rings).
bool MappedShared(void* addr, size_t len, int flags, int fd, long long offset, uint64_t pc);
// True when the range held a shared mapping.
bool Unmapped(void* addr, size_t len);
// A System V segment attached at `addr` (shmat): shared memory whose identity is its id.
void AttachedSysv(void* addr, size_t len, int shmid, uint64_t pc);
// The length of the shared mapping that starts at `addr`, 0 when none does (shmdt).
size_t SharedLengthAt(void* addr);
// A named semaphore: its identity is its name.
void OpenedNamedSemaphore(void* sem, const char* name, uint64_t pc);
// A semaphore's initial count (sem_init, or a sem_open that created it): a kSemInit record.
void SemInitialized(const void* sem, unsigned value, uint64_t pc);

// The recording's shared memory, or nullptr when the process has none of its own.
trace::SharedRecording* SharedRecordingOrNull();
// The key of a lock at `addr` in shared memory, the same in every process that maps it
// (from its object and offset); 0 for a lock in private memory. Its top byte is never 0x0a,
// 0x0b, 0x0c or 0x0e.
uint64_t SharedLockKey(uint64_t addr);
// The same without waiting for the table of mappings (a signal handler's call: the code it
// interrupted may hold it). False when it was busy.
bool SharedLockKeyTry(uint64_t addr, uint64_t& key);
// Counts the changes to the process's shared mappings: 0 while it never had one (most
// programs), so that a caller may keep the keys it asked for until it changes.
extern std::atomic<uint64_t> g_shared_maps_version;
// 2 MiB regions of the address space that hold or held a shared mapping of the process, one
// bit each, hashed (set only, never cleared): an address whose bit is clear is of the
// process's own memory.
inline constexpr uint32_t kSharedRegionBits = 16;
extern std::atomic<uint64_t> g_shared_regions[(1u << kSharedRegionBits) / 64];
inline bool MaybeShared(uint64_t addr) {
  if (g_shared_maps_version.load(std::memory_order_acquire) == 0) return false;
  const uint64_t r = ((addr >> 21) * 0x9e3779b97f4a7c15ull) >> (64 - kSharedRegionBits);
  return g_shared_regions[r >> 6].load(std::memory_order_relaxed) >> (r & 63) & 1;
}
// A file lock's key in the same table: its channel (fd_sync.h, the same in every process, top
// byte 0x0c), bit 0 set for a shared wait or hold, which only an exclusive one keeps out.
inline uint64_t FileLockKey(uint64_t channel, bool shared) {
  return (channel & ~1ull) | (shared ? 1 : 0);
}
inline bool IsFileLockKey(uint64_t key) { return (key >> 56) == 0x0c; }
// A process's end (sync_keys.h's ExitKey): each process holds its own, a wait for a child waits
// for the child's. Its top byte is never a shared lock's either.
inline bool IsExitKey(uint64_t key) { return (key >> 56) == 0x0e && (key & 1); }

// --- process_locks.cc: the watchdog across processes --------------------------------------
// The key of a wait for a child (BlockedOn::kProcess): `key` itself, or for ExitKey(0) (a wait
// inside a library call that does not say for which child: system, pclose) the key of this
// process's one live child in the recording, 0 when it has none or several.
uint64_t ChildKey(uint64_t key);
// A consistent copy of a slot of the recording's table of locks (false when it is free or
// changed under us every time).
bool CopyLockSlot(const trace::ProcessLocks& from, trace::ProcessLocks& to);
bool Alive(uint32_t pid);  // the process exists (a zombie too)
// A wait for `wait` is kept out by a hold of `hold`: the same key, and for a file lock
// (FileLockKey) not two shared ones.
bool KeptOut(uint64_t wait, uint64_t hold);
// This process's slot in the recording's table of locks (taken at join and in a fork child,
// given back at close).
void ClaimLockSlot();
void ReleaseLockSlot(bool watchdog);
// Publishes the shared locks this process's blocked threads wait for and its threads hold.
void PublishLocks(const uint64_t* waits, uint32_t num_waits, const uint64_t* holds,
                  uint32_t num_holds);
// True when this process waits for a lock held by a live process that (through others)
// waits for a lock this one holds, as the processes last published.
bool OnProcessCycle();
// After the watchdog ended this process on such a cycle: waits (a second at most) until every
// other live process that waits for a lock this one holds has ended too. A file lock goes at
// this process's exit: a process of the cycle that had not yet seen it would take the lock and
// go on, and the recording would hold one side of the deadlock.
void AwaitCycleEnd();

}  // namespace threadlens::rt
