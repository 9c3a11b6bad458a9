// stdio streams over descriptors: when their data leaves and arrives. A stream writes its
// buffer out with a write(2) of its own, inside libc, and refills it with a read(2), so the
// descriptor's send and receive (fd_sync.h) are made here, at the stream calls that may
// do so: a send before a call whose bytes may not all fit in the buffer (and before every
// call on an unbuffered or line-buffered stream, and every flush or close), a receive after
// a call that took more bytes than the buffer held. A fully buffered stream thus sends about
// once a buffer, not once a call, which keeps a program that prints to a file or pipe from
// recording an event per line. The buffer is read from glibc's FILE (<bits/types/struct_FILE.h>).
#include <dlfcn.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd_sync.h"
#include "lock_acquire.h"
#include "pipe_waits.h"
#include "tsan_libc.h"

namespace threadlens::rt::tsan::libc {
namespace {

// glibc's stream flags (libio.h).
constexpr int kUnbuffered = 0x0002;
constexpr int kLineBuffered = 0x0200;
constexpr int kCurrentlyPutting = 0x0800;

// A printf sends first when its buffer has less room than its format and this much more
// (stdio's buffer over a file or pipe is 4 KiB); one that then writes more than the room it
// had sends after, when its data may already have left (a long line at a buffer's end: a
// reader woken at once could take it before the send is recorded).
constexpr size_t kPrintfSlack = 128;

// Bytes a write may add to the buffer before it must go out; 0 when any write may send.
size_t Room(const FILE* f) {
  if (f->_flags & (kUnbuffered | kLineBuffered)) return 0;
  if (!(f->_flags & kCurrentlyPutting) || !f->_IO_write_ptr || !f->_IO_buf_end) return 0;
  return f->_IO_buf_end > f->_IO_write_ptr ? static_cast<size_t>(f->_IO_buf_end - f->_IO_write_ptr)
                                           : 0;
}

}  // namespace

void StreamSending(FILE* f, uintptr_t pc) {
  if (f) fdsync::Send(fileno_unlocked(f), pc);
}

void StreamClosing(FILE* f, uintptr_t pc) {
  const int fd = f ? fileno_unlocked(f) : -1;
  if (fd >= 0) fdsync::BeforeCloseCall(fd, pc);  // (none: a memory stream, fmemopen's)
}

void StreamWriting(FILE* f, size_t n, uintptr_t pc) {
  if (!f) return;
  if (n > 0 && n <= Room(f)) {
    fdsync::Use(fileno_unlocked(f), pc);
  } else {
    fdsync::Send(fileno_unlocked(f), pc);
  }
}

size_t StreamPrintfBefore(FILE* f, const char* fmt, uintptr_t pc) {
  if (!f) return 0;
  const size_t room = Room(f);
  if (room < (fmt ? RealStrlen(fmt) : 0) + kPrintfSlack) {
    fdsync::Send(fileno_unlocked(f), pc);
    return 0;
  }
  fdsync::Use(fileno_unlocked(f), pc);
  return room;
}

void StreamPrintfAfter(FILE* f, size_t room, int r, uintptr_t pc) {
  if (f && room > 0 && r >= 0 && static_cast<size_t>(r) >= room) {
    fdsync::Send(fileno_unlocked(f), pc);
  }
}

size_t StreamHeld(const FILE* f) {
  if (!f || !f->_IO_read_ptr || f->_IO_read_end <= f->_IO_read_ptr) return 0;
  return static_cast<size_t>(f->_IO_read_end - f->_IO_read_ptr);
}

void StreamRead(FILE* f, size_t held, size_t taken, uintptr_t pc) {
  if (f && taken > held) fdsync::Received(fileno_unlocked(f), pc);
}

// What exit's stdio clean-up does to each used, buffered stream, as glibc does it: two tries
// at the stream's lock (a yield after each failure; then on without it), and a sync, which
// writes what the stream holds and seeks a read stream back over what it had buffered.
// Wide streams are left to the C library.
void StreamsFlushedAtExit(uintptr_t pc) {
  static auto* const list = reinterpret_cast<FILE**>(dlsym(RTLD_DEFAULT, "_IO_list_all"));
  static auto* const lock = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "_IO_list_lock"));
  static auto* const unlock =
      reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "_IO_list_unlock"));
  if (!list || !lock || !unlock) return;
  lock();
  for (FILE* f = *list; f; f = f->_chain) {
    if ((f->_flags & kUnbuffered) || f->_mode >= 0) continue;  // unbuffered, unused, wide
    const bool out = f->_IO_write_ptr > f->_IO_write_base;
    if (!out && !(f->_IO_read_ptr < f->_IO_read_end)) continue;  // nothing to write or give back
    bool locked = false, traced = false;
    for (int tries = 0; tries < 2 && !locked; ++tries) {
      locked = StreamLockTakenAtExit(f, &traced);
      if (!locked) syscall(SYS_sched_yield);  // (not the interceptor: no event, no wait)
    }
    if (out) StreamSending(f, pc);
    {
      FdCall call(fileno_unlocked(f), true, pc);
      fflush_unlocked(f);
    }
    if (locked) StreamLockGivenAtExit(f, traced);
  }
  unlock();
}

}  // namespace threadlens::rt::tsan::libc
