// System V semaphores as synchronization (fd_sync.h channels, named by the set's id and the
// semaphore's number, so the same in every process): an increment releases, and the
// decrement that takes it acquires, as sem_post and sem_wait do; a decrement also releases
// what a wait for zero (sem_op 0) then acquires, the countdown a set of workers does before
// the waiter goes on. semctl's SETVAL and SETALL set values a waiter may then take: a
// release of both. The semop array and semctl's value array are read as the caller's.
// (ThreadSanitizer, clang 14, models none of this and reports a race on data handed over
// through a System V semaphore.)
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>


#include "fd_sync.h"
#include "runtime.h"
#include "runtime_internal.h"
#include "tsan_libc.h"
#include "watchdog.h"

namespace {

int (*real_semop)(int, sembuf*, size_t) = nullptr;
int (*real_semtimedop)(int, sembuf*, size_t, const timespec*) = nullptr;
int (*real_semctl)(int, int, int, ...) = nullptr;

namespace fdsync = threadlens::rt::fdsync;
namespace rt = threadlens::rt;
namespace libc = threadlens::rt::tsan::libc;

// Before the operations: the releases (all or none of them happen, at once).
void Releases(int id, const sembuf* ops, size_t n, uintptr_t pc) {
  libc::CallerRead(ops, n * sizeof *ops, pc);
  for (size_t i = 0; i < n; ++i) {
    // An increment for the decrements, a decrement for the waits for zero.
    if (ops[i].sem_op != 0) {
      fdsync::SendOn(fdsync::SysvSemChannel(id, ops[i].sem_num, ops[i].sem_op < 0), pc);
    }
  }
}

// Both channels of semaphore `num` (semctl set its value).
void ReleaseBoth(int id, unsigned num, uintptr_t pc) {
  fdsync::SendOn(fdsync::SysvSemChannel(id, num, false), pc);
  fdsync::SendOn(fdsync::SysvSemChannel(id, num, true), pc);
}

// After they succeeded: the acquires.
void Acquires(int id, const sembuf* ops, size_t n, uintptr_t pc) {
  const int saved = errno;
  for (size_t i = 0; i < n; ++i) {
    // A decrement takes an increment, a wait for zero the decrements.
    if (ops[i].sem_op <= 0) {
      fdsync::ReceivedOn(fdsync::SysvSemChannel(id, ops[i].sem_num, ops[i].sem_op == 0), pc);
    }
  }
  errno = saved;
}

// A name for the channel a thread blocks on, for the watchdog's hang report ("semaphore 1 of
// a System V set": not its id, which changes from run to run, and so would the finding's
// fingerprint), written once per channel as far as a small table remembers.
void Name(rt::ThreadState* ts, uint64_t key, unsigned num, bool zero, uintptr_t pc) {
  if (!rt::FirstNaming(key)) return;
  char text[64];
  size_t n = rt::AppendDigits(text, 0, num);
  static const char kSet[] = " of a System V set";
  memcpy(text + n, kSet, sizeof kSet - 1);
  n += sizeof kSet - 1;
  if (zero) {
    static const char kZero[] = " to reach zero";
    memcpy(text + n, kZero, sizeof kZero - 1);
    n += sizeof kZero - 1;
  }
  rt::NameKey(ts, key, text, n, pc);
}

// The semaphore a call may wait on (a decrement or a wait for zero without IPC_NOWAIT): its
// channel, which the watchdog sees it blocked on, named; 0 when it cannot wait.
uint64_t WaitsOn(int id, const sembuf* ops, size_t n, uintptr_t pc) {
  for (size_t i = 0; i < n; ++i) {
    if (ops[i].sem_op > 0 || (ops[i].sem_flg & IPC_NOWAIT)) continue;
    const bool zero = ops[i].sem_op == 0;
    const uint64_t key = fdsync::SysvSemChannel(id, ops[i].sem_num, zero);
    // Named for uninstrumented programs too: the hang report needs it whoever called.
    if (rt::ThreadState* ts = rt::Started()) Name(ts, key, ops[i].sem_num, zero, pc);
    return key;
  }
  return 0;
}

// The real call, with the calling thread marked blocked on it meanwhile (untimed calls).
template <typename Call>
int Blocking(uint64_t on, uintptr_t pc, Call call) {
  return rt::BlockedCall(on ? rt::Started() : nullptr, threadlens::trace::BlockedOn::kSem, on,
                         pc, false, call);
}

}  // namespace

TL_EXPORT int semop(int id, sembuf* ops, size_t n) {
  TL_REAL(semop);
  const uintptr_t pc = TL_CALLER_PC;
  Releases(id, ops, n, pc);
  const int r = Blocking(WaitsOn(id, ops, n, pc), pc, [&] { return real(id, ops, n); });
  if (r == 0) Acquires(id, ops, n, pc);
  return r;
}

TL_EXPORT int semtimedop(int id, sembuf* ops, size_t n, const timespec* timeout) {
  TL_REAL(semtimedop);
  const uintptr_t pc = TL_CALLER_PC;
  Releases(id, ops, n, pc);
  if (timeout) libc::CallerRead(timeout, sizeof *timeout, pc);
  const int r = real(id, ops, n, timeout);
  if (r == 0) Acquires(id, ops, n, pc);
  return r;
}

// The fourth argument, when the command takes one, is a union of an int, a pointer to a
// semid_ds and a pointer to an array of unsigned short: one register either way.
TL_EXPORT int semctl(int id, int num, int cmd, ...) {
  TL_REAL(semctl);
  va_list ap;
  va_start(ap, cmd);
  const unsigned long arg = va_arg(ap, unsigned long);
  va_end(ap);
  const uintptr_t pc = TL_CALLER_PC;
  if (cmd == SETVAL) {
    ReleaseBoth(id, static_cast<unsigned>(num), pc);
  } else if (cmd == SETALL) {
    semid_ds ds;
    // The set's size, to release each of its semaphores (and read the values given).
    if (real(id, 0, IPC_STAT, &ds) == 0) {
      libc::CallerRead(reinterpret_cast<const void*>(arg), ds.sem_nsems * sizeof(unsigned short),
                       pc);
      for (unsigned k = 0; k < ds.sem_nsems; ++k) ReleaseBoth(id, k, pc);
    }
  }
  return real(id, num, cmd, arg);
}
