// POSIX asynchronous I/O (aio_read, aio_write, lio_listio) as a thread of the trace per
// request: the C library's helper threads move the bytes with calls the runtime does not
// see, somewhere between the submission and the moment the program learns the request is
// done. So a request is modelled as a thread that the submitting thread creates (what it did
// before submitting happens before the transfer) and that transfers the buffer (a write of it
// for a read request, a read of it for a write request) and ends when a call of the program
// first reports the request done: aio_error returning other than EINPROGRESS, aio_return,
// aio_suspend or a waiting lio_listio; that call acquires its end. An access to the buffer
// the request was not ordered with (before it was seen done, by any thread, the submitter
// included) races with the transfer. (ThreadSanitizer, clang 14, sees neither the helper
// threads' transfers nor the ordering, and reports nothing either way.)
//
// Requests that notify by signal or by a thread the C library starts are not modelled: their
// handler may use the buffer without asking, which the runtime cannot see as an acquire.
#include <aio.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "runtime.h"
#include "runtime_internal.h"
#include "spin_lock.h"
#include "sync_keys.h"
#include "tsan_libc.h"
#include "tsan_thread.h"

namespace {

using threadlens::trace::EventKind;
namespace rt = threadlens::rt;
namespace libc = threadlens::rt::tsan::libc;

int (*real_aio_read)(aiocb*) = nullptr;
int (*real_aio_write)(aiocb*) = nullptr;
int (*real_aio_read64)(aiocb*) = nullptr;
int (*real_aio_write64)(aiocb*) = nullptr;
int (*real_aio_error)(const aiocb*) = nullptr;
int (*real_aio_error64)(const aiocb*) = nullptr;
ssize_t (*real_aio_return)(aiocb*) = nullptr;
ssize_t (*real_aio_return64)(aiocb*) = nullptr;
int (*real_aio_suspend)(const aiocb* const[], int, const timespec*) = nullptr;
int (*real_aio_suspend64)(const aiocb* const[], int, const timespec*) = nullptr;
int (*real_lio_listio)(int, aiocb* const[], int, sigevent*) = nullptr;
int (*real_lio_listio64)(int, aiocb* const[], int, sigevent*) = nullptr;

// The *64 calls take the same structure under another name (off_t is 64 bits already).
static_assert(sizeof(aiocb) == sizeof(aiocb64) &&
              offsetof(aiocb, aio_buf) == offsetof(aiocb64, aio_buf));
aiocb* Cb(aiocb64* cb) { return reinterpret_cast<aiocb*>(cb); }
const aiocb* Cb(const aiocb64* cb) { return reinterpret_cast<const aiocb*>(cb); }
const aiocb* const* CbList(const aiocb64* const* list) {
  return reinterpret_cast<const aiocb* const*>(list);
}
aiocb* const* CbList(aiocb64* const* list) { return reinterpret_cast<aiocb* const*>(list); }

// Whether a request's end sends a signal or starts a thread. A zeroed aiocb asks for
// SIGEV_SIGNAL with signal 0, which sends nothing.
bool Notifies(const sigevent& e) {
  return e.sigev_notify == SIGEV_THREAD || (e.sigev_notify == SIGEV_SIGNAL && e.sigev_signo != 0);
}

// A request in flight: its thread, and what it transfers. Slots are few: a program with more
// requests in flight at once has the rest unmodelled.
struct Request {
  const aiocb* cb;  // null: a free slot
  rt::ThreadState* thread;
  uint64_t generation;  // the process's fork generation: a child's copy is not its own
  uint64_t buf, bytes, pc;
  bool reads_buffer;  // a write request (the buffer is read)
};
constexpr int kSlots = 256;
Request requests[kSlots];
rt::SpinLock lock;
// aio_error and aio_return are async-signal-safe: a handler may call them on a thread that
// holds the lock. It gives up after a while (the request is then seen done later, or not).
bool Lock() { return lock.TryLockFor(1 << 12); }

// Takes the request of `cb` out of the table (its slot free again), or returns false.
bool Take(const aiocb* cb, Request& out) {
  if (!Lock()) return false;
  bool found = false;
  for (Request& r : requests) {
    if (r.cb != cb || !r.thread) continue;
    const bool own = r.generation == rt::ForkGeneration();
    out = r;
    r.cb = nullptr;
    found = own;
    break;
  }
  lock.Unlock();
  return found;
}

// The request's thread transfers its buffer (unless `cancelled`), releases its end, and
// ends; the calling thread, when it records, acquires that end.
void Finish(const Request& r, bool cancelled, uintptr_t pc) {
  rt::ThreadState* t = r.thread;
  if (!cancelled && r.bytes) {
    rt::EmitTo(t, r.reads_buffer ? EventKind::kRead : EventKind::kWrite, 0, 0, 1, r.buf, r.pc,
               r.bytes);
  }
  const uint64_t end = rt::AioKey(reinterpret_cast<uintptr_t>(r.cb));
  rt::EmitTo(t, EventKind::kHappensBefore, 0, 0, 0, end, r.pc);
  rt::EmitTo(t, EventKind::kThreadExit, 0, 0, 0, 0, 0);
  rt::EndFiberState(t);
  if (pc && libc::Caller(pc)) {
    rt::ThreadState* me = rt::Started();
    if (me) rt::EmitTo(me, EventKind::kHappensAfter, 0, 0, 0, end, pc);
  }
}

// The request of `cb` was seen done by a call at `pc` (0: by no call of the program).
void Done(const aiocb* cb, bool cancelled, uintptr_t pc) {
  Request r;
  if (Take(cb, r)) Finish(r, cancelled, pc);
}

// Before `cb` goes to the C library (its opcode: LIO_READ or LIO_WRITE): its thread, made by
// the calling thread. A cb still in the table (its last request never seen done) ends first.
void Submit(const aiocb* cb, int opcode, uintptr_t pc) {
  if (!cb || (opcode != LIO_READ && opcode != LIO_WRITE)) return;
  Done(cb, false, 0);
  if (Notifies(cb->aio_sigevent)) return;
  rt::tsan::ThreadCtx* ctx = libc::Caller(pc);
  rt::ThreadState* me = ctx ? rt::Started() : nullptr;
  if (!me || !Lock()) return;
  Request* slot = nullptr;
  for (Request& r : requests) {
    if (!r.cb || r.generation != rt::ForkGeneration()) {
      slot = &r;
      break;
    }
  }
  if (!slot) {
    lock.Unlock();
    return;
  }
  // Claimed, with no thread yet (Take passes it by) until the thread is made below.
  *slot = {cb, nullptr, rt::ForkGeneration(),
           reinterpret_cast<uintptr_t>(const_cast<volatile void*>(cb->aio_buf)), cb->aio_nbytes,
           pc, opcode == LIO_WRITE};
  lock.Unlock();
  const uint32_t tid = rt::NextTid();
  rt::ThreadState* t = rt::NewFiberState(tid);
  if (rt::tsan::StackDirty(*ctx)) rt::tsan::SyncStack(*ctx);
  rt::EmitTo(me, EventKind::kThreadCreate, 0, 0, 0, tid, pc);
  rt::EmitTo(me, EventKind::kThreadDetach, 0, 0, 0, tid, pc);
  const char* name = opcode == LIO_READ ? "aio_read request" : "aio_write request";
  rt::EmitTo(me, EventKind::kNameThread, 0, 0, rt::InternString(name, strlen(name)), tid, pc);
  rt::EmitTo(t, EventKind::kThreadStart, 0, 0, 0, me->tid, 0);
  libc::Read(cb, sizeof *cb, pc);
  lock.Lock();  // held by no one for long, and this thread holds nothing
  slot->thread = t;
  lock.Unlock();
}

int SubmitOne(int (*real)(aiocb*), aiocb* cb, int opcode, uintptr_t pc) {
  Submit(cb, opcode, pc);
  const int r = real(cb);
  if (r != 0) {  // not queued: the request never ran
    const int saved = errno;
    Done(cb, true, 0);
    errno = saved;
  }
  return r;
}

int Error(int (*real)(const aiocb*), const aiocb* cb, uintptr_t pc) {
  const int r = real(cb);
  if (r != EINPROGRESS) Done(cb, r == ECANCELED, pc);
  return r;
}

ssize_t Return(ssize_t (*real)(aiocb*), int (*error)(const aiocb*), aiocb* cb, uintptr_t pc) {
  const int e = error ? error(cb) : 0;
  const ssize_t r = real(cb);
  const int saved = errno;
  if (e != EINPROGRESS) Done(cb, e == ECANCELED, pc);
  errno = saved;
  return r;
}

// Each listed request the C library now reports done.
void SeenDone(int (*error)(const aiocb*), const aiocb* const list[], int n, uintptr_t pc) {
  if (!error) return;
  const int saved = errno;
  for (int i = 0; i < n; ++i) {
    if (!list[i]) continue;
    const int e = error(list[i]);
    if (e != EINPROGRESS) Done(list[i], e == ECANCELED, pc);
  }
  errno = saved;
}

int Suspend(int (*real)(const aiocb* const[], int, const timespec*),
            int (*error)(const aiocb*), const aiocb* const list[], int n, const timespec* t,
            uintptr_t pc) {
  const int r = real(list, n, t);
  if (r == 0) SeenDone(error, list, n, pc);
  return r;
}

int ListIo(int (*real)(int, aiocb* const[], int, sigevent*), int (*error)(const aiocb*),
           int mode, aiocb* const list[], int n, sigevent* sev, uintptr_t pc) {
  // A list that notifies when done may be used by its handler without asking.
  const bool model = mode == LIO_WAIT || !sev || !Notifies(*sev);
  if (model) {
    for (int i = 0; i < n; ++i) {
      if (list[i]) Submit(list[i], list[i]->aio_lio_opcode, pc);
    }
  }
  const int r = real(mode, list, n, sev);
  if (!model) return r;
  const int saved = errno;
  for (int i = 0; i < n && error; ++i) {
    if (!list[i]) continue;
    const int e = error(list[i]);
    if (e == EINPROGRESS) continue;
    if (r != 0 && e != 0) {
      Done(list[i], true, 0);  // not queued, or failed: no transfer
    } else if (mode == LIO_WAIT) {
      Done(list[i], e == ECANCELED, pc);  // the call waited for it
    }
  }
  errno = saved;
  return r;
}

}  // namespace

TL_EXPORT int aio_read(aiocb* cb) {
  TL_REAL(aio_read);
  return SubmitOne(real, cb, LIO_READ, TL_CALLER_PC);
}

TL_EXPORT int aio_read64(aiocb64* cb) {
  TL_REAL(aio_read64);
  return SubmitOne(real, Cb(cb), LIO_READ, TL_CALLER_PC);
}

TL_EXPORT int aio_write(aiocb* cb) {
  TL_REAL(aio_write);
  return SubmitOne(real, cb, LIO_WRITE, TL_CALLER_PC);
}

TL_EXPORT int aio_write64(aiocb64* cb) {
  TL_REAL(aio_write64);
  return SubmitOne(real, Cb(cb), LIO_WRITE, TL_CALLER_PC);
}

TL_EXPORT int aio_error(const aiocb* cb) {
  TL_REAL(aio_error);
  return Error(real, cb, TL_CALLER_PC);
}

TL_EXPORT int aio_error64(const aiocb64* cb) {
  TL_REAL(aio_error64);
  return Error(real, Cb(cb), TL_CALLER_PC);
}

TL_EXPORT ssize_t aio_return(aiocb* cb) {
  TL_REAL(aio_return);
  return Return(real, libc::Real(real_aio_error, "aio_error"), cb, TL_CALLER_PC);
}

TL_EXPORT ssize_t aio_return64(aiocb64* cb) {
  TL_REAL(aio_return64);
  return Return(real, libc::Real(real_aio_error64, "aio_error64"), Cb(cb), TL_CALLER_PC);
}

TL_EXPORT int aio_suspend(const aiocb* const list[], int n, const timespec* t) {
  TL_REAL(aio_suspend);
  return Suspend(real, libc::Real(real_aio_error, "aio_error"), list, n, t, TL_CALLER_PC);
}

TL_EXPORT int aio_suspend64(const aiocb64* const list[], int n, const timespec* t) {
  TL_REAL(aio_suspend64);
  return Suspend(real, libc::Real(real_aio_error64, "aio_error64"), CbList(list), n, t,
                 TL_CALLER_PC);
}

TL_EXPORT int lio_listio(int mode, aiocb* const list[], int n, sigevent* sev) {
  TL_REAL(lio_listio);
  return ListIo(real, libc::Real(real_aio_error, "aio_error"), mode, list, n, sev,
                TL_CALLER_PC);
}

TL_EXPORT int lio_listio64(int mode, aiocb64* const list[], int n, sigevent* sev) {
  TL_REAL(lio_listio64);
  return ListIo(real, libc::Real(real_aio_error64, "aio_error64"), mode, CbList(list), n, sev,
                TL_CALLER_PC);
}
