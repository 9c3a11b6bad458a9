// POSIX message queues as synchronization (fd_sync.h): a message sent happens before the
// receive that returns it, as data through a pipe does. A queue descriptor is a descriptor
// whose channel is its queue's inode, so two mq_open calls of one name (in one process or
// two) share it. The message buffers are recorded as the caller's: mq_send reads its
// message, mq_receive writes what it got and the priority. (ThreadSanitizer, clang 14,
// models none of this and reports a race on data handed over through a queue.)
// System V message queues (msgsnd, msgrcv) the same way, with a channel per queue id.
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdarg.h>
#include <sys/msg.h>

#include "fd_sync.h"
#include "runtime_internal.h"
#include "tsan_libc.h"

namespace {

mqd_t (*real_mq_open)(const char*, int, ...) = nullptr;
int (*real_mq_close)(mqd_t) = nullptr;
int (*real_mq_send)(mqd_t, const char*, size_t, unsigned) = nullptr;
int (*real_mq_timedsend)(mqd_t, const char*, size_t, unsigned, const timespec*) = nullptr;
ssize_t (*real_mq_receive)(mqd_t, char*, size_t, unsigned*) = nullptr;
ssize_t (*real_mq_timedreceive)(mqd_t, char*, size_t, unsigned*, const timespec*) = nullptr;
int (*real_msgsnd)(int, const void*, size_t, int) = nullptr;
ssize_t (*real_msgrcv)(int, void*, size_t, long, int) = nullptr;

namespace fdsync = threadlens::rt::fdsync;
namespace libc = threadlens::rt::tsan::libc;

void Sending(mqd_t q, const char* msg, size_t len, uintptr_t pc) {
  fdsync::Send(q, pc);
  libc::CallerRead(msg, len, pc);
}

void Got(mqd_t q, const char* msg, ssize_t r, const unsigned* prio, uintptr_t pc) {
  if (r < 0) return;
  libc::CallerWrite(msg, static_cast<size_t>(r), pc);
  libc::CallerWrite(prio, sizeof *prio, pc);
  fdsync::Received(q, pc);
}

}  // namespace

TL_EXPORT mqd_t mq_open(const char* name, int flags, ...) {
  TL_REAL(mq_open);
  mqd_t r;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    const mode_t mode = static_cast<mode_t>(va_arg(ap, unsigned));
    mq_attr* attr = va_arg(ap, mq_attr*);
    va_end(ap);
    r = real(name, flags, mode, attr);
  } else {
    r = real(name, flags);
  }
  if (r >= 0) fdsync::Created(r, fdsync::InodeChannel(r), TL_CALLER_PC);
  return r;
}

TL_EXPORT int mq_close(mqd_t q) {
  TL_REAL(mq_close);
  fdsync::BeforeClose(q, TL_CALLER_PC);
  return real(q);
}

TL_EXPORT int mq_send(mqd_t q, const char* msg, size_t len, unsigned prio) {
  TL_REAL(mq_send);
  Sending(q, msg, len, TL_CALLER_PC);
  return real(q, msg, len, prio);
}

TL_EXPORT int mq_timedsend(mqd_t q, const char* msg, size_t len, unsigned prio,
                           const timespec* t) {
  TL_REAL(mq_timedsend);
  Sending(q, msg, len, TL_CALLER_PC);
  return real(q, msg, len, prio, t);
}

TL_EXPORT ssize_t mq_receive(mqd_t q, char* msg, size_t len, unsigned* prio) {
  TL_REAL(mq_receive);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(q, pc);
  ssize_t r = real(q, msg, len, prio);
  Got(q, msg, r, prio, pc);
  return r;
}

TL_EXPORT ssize_t mq_timedreceive(mqd_t q, char* msg, size_t len, unsigned* prio,
                                  const timespec* t) {
  TL_REAL(mq_timedreceive);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::Use(q, pc);
  ssize_t r = real(q, msg, len, prio, t);
  Got(q, msg, r, prio, pc);
  return r;
}

// A System V message is its type (a long) and then its text.
TL_EXPORT int msgsnd(int id, const void* msg, size_t len, int flags) {
  TL_REAL(msgsnd);
  const uintptr_t pc = TL_CALLER_PC;
  fdsync::SendOn(fdsync::SysvQueueChannel(id), pc);
  libc::CallerRead(msg, sizeof(long) + len, pc);
  return real(id, msg, len, flags);
}

TL_EXPORT ssize_t msgrcv(int id, void* msg, size_t len, long type, int flags) {
  TL_REAL(msgrcv);
  const uintptr_t pc = TL_CALLER_PC;
  ssize_t r = real(id, msg, len, type, flags);
  if (r >= 0) {
    int saved = errno;
    libc::CallerWrite(msg, sizeof(long) + static_cast<size_t>(r), pc);
    fdsync::ReceivedOn(fdsync::SysvQueueChannel(id), pc);
    errno = saved;
  }
  return r;
}
