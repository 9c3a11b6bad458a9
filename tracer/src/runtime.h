// The tracer runtime's internal contract, shared by the pthread interceptors, the
// annotation API, the watchdog and the ThreadSanitizer-ABI entry points. Everything here
// runs inside the traced program.
//
// Rules for code in tracer/src (it runs inside the user's program):
//  - no exceptions, no iostream; no allocation and no lock on the hot path (Emit);
//  - a full buffer is flushed on an out-of-line slow path with one write() per block;
//  - a broken invariant aborts with a message (ReportFatal), never undefined behaviour.
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <cstdint>

#include "threadlens/trace_format.h"

namespace threadlens::rt {

// Per-thread state. The buffer is fixed-size and owned by the thread; it is flushed as one
// kPackedEvents block when full, at thread exit, at process exit, exec, fatal signals and by the
// watchdog.
struct ThreadState;

// The calling thread's state, created on first use. Returns nullptr when tracing is off
// (not under `threadlens run` and THREADLENS_TRACE unset), while the runtime initializes,
// or inside the runtime itself (re-entrancy guard).
ThreadState* Current();

// True once the runtime decided to trace this process.
bool Enabled();

// setitimer is about to arm (or disarm) the timer `which` (intercept_timer.cc).
// It sends its signal from then on: a release of the signal's key at `pc`.
void NoteIntervalTimer(int which, const struct itimerval* value, uintptr_t pc);

// Records one event for the current thread. Sync kinds (trace::IsSyncKind) get a global
// sequence number. Hot path: no lock, no allocation.
void Emit(trace::EventKind kind, uint8_t flags, uint16_t aux16, uint32_t aux32, uint64_t obj,
          uint64_t site);

// A block allocated by a thread the runtime did not see created (one of the C library's own,
// as the helper that starts SIGEV_THREAD timer callbacks): a release that such threads
// acquire as they start, since the library hands blocks to the threads it creates.
void UnknownThreadAllocated();

// Number of release-type events (lock release, semaphore post, release atomic, thread
// create/exit, happens-before, heap events) the calling thread has emitted so far. An access
// that repeats one made since the last change of this number may be dropped at the source.
uint64_t SyncEpoch();

// Interns a string into the trace's string table (slow path; takes a lock).
uint32_t InternString(const char* s, size_t len);

// Names `key` (a kNameLock event of `ts`, at `pc`) with `len` bytes of `text`, unless the same
// key was the last one named in its slot of a small table: an object waited on is named once,
// not at every wait (runtime_strings.cc). FirstNaming asks first, so a name costly to build
// (a path read from /proc) is built only when it will be written.
bool FirstNaming(uint64_t key);
void NameKey(ThreadState* ts, uint64_t key, const char* text, size_t len, uintptr_t pc);

// Appends the decimal digits of `v` to `text` at `n`; returns the new length.
inline size_t AppendDigits(char* text, size_t n, unsigned v) {
  char d[12];
  int k = 0;
  do d[k++] = static_cast<char>('0' + v % 10); while (v /= 10);
  while (k > 0) text[n++] = d[--k];
  return n;
}

// Flushes every thread's buffer and the file header (watchdog, fatal signal, exit).
void FlushAll();

[[noreturn]] void ReportFatal(const char* message);

}  // namespace threadlens::rt
