// The syscall hooks of <sanitizer/linux_syscall_hooks.h>: a program built for
// ThreadSanitizer calls them around the raw syscalls it makes itself (libuv closes its
// descriptors so), and expects the runtime to define them. These record what the libc
// calls of the same names record (tsan_libc_io.cc, intercept_fd.cc): the buffer a read or a
// write transferred, and the descriptor's own synchronization. Every other hook is defined,
// recording nothing, by the file cmake/syscall-hooks.cmake generates from the header.
#include "fd_sync.h"
#include "tsan_libc.h"

using threadlens::rt::fdsync::BeforeClose;
using threadlens::rt::fdsync::BeforeDuplicate;
using threadlens::rt::fdsync::CreatedPair;
using threadlens::rt::fdsync::Duplicated;
using threadlens::rt::fdsync::ReadDone;
using threadlens::rt::fdsync::Send;
using threadlens::rt::fdsync::Use;
using threadlens::rt::tsan::libc::CallerRead;
using threadlens::rt::tsan::libc::CallerWrite;

namespace {

int Fd(long fd) { return static_cast<int>(fd); }
const void* Ptr(long p) { return reinterpret_cast<const void*>(p); }

// pipe and pipe2 wrote the two descriptors, made together.
void PipeMade(long res, long fds, uintptr_t pc) {
  if (res != 0) return;
  int* pair = reinterpret_cast<int*>(fds);
  CallerWrite(pair, 2 * sizeof *pair, pc);
  CreatedPair(pair, 0, pc);
}

}  // namespace

TSAN_EXPORT void __sanitizer_syscall_pre_impl_close(long fd) {
  BeforeClose(Fd(fd), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_read(long fd, long, long) {
  Use(Fd(fd), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_read(long res, long fd, long buf, long) {
  if (res <= 0) return;
  const uintptr_t pc = TSAN_CALLER_PC;
  CallerWrite(Ptr(buf), static_cast<size_t>(res), pc);
  ReadDone(Fd(fd), Ptr(buf), res, pc);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_write(long fd, long, long) {
  Send(Fd(fd), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_write(long res, long, long buf, long) {
  if (res > 0) CallerRead(Ptr(buf), static_cast<size_t>(res), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_pread64(long fd, long, long, long) {
  Use(Fd(fd), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_pread64(long res, long, long buf, long, long) {
  if (res > 0) CallerWrite(Ptr(buf), static_cast<size_t>(res), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_pwrite64(long fd, long, long, long) {
  Use(Fd(fd), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_pwrite64(long res, long, long buf, long, long) {
  if (res > 0) CallerRead(Ptr(buf), static_cast<size_t>(res), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_dup(long fd) { Use(Fd(fd), TSAN_CALLER_PC); }
TSAN_EXPORT void __sanitizer_syscall_post_impl_dup(long res, long fd) {
  if (res >= 0) Duplicated(Fd(fd), Fd(res), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_pre_impl_dup2(long from, long to) {
  BeforeDuplicate(Fd(from), Fd(to), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_dup2(long res, long from, long to) {
  if (res >= 0 && from != to) Duplicated(Fd(from), Fd(res), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_pre_impl_dup3(long from, long to, long) {
  BeforeDuplicate(Fd(from), Fd(to), TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_dup3(long res, long from, long, long) {
  if (res >= 0) Duplicated(Fd(from), Fd(res), TSAN_CALLER_PC);
}

TSAN_EXPORT void __sanitizer_syscall_post_impl_pipe(long res, long fds) {
  PipeMade(res, fds, TSAN_CALLER_PC);
}
TSAN_EXPORT void __sanitizer_syscall_post_impl_pipe2(long res, long fds, long) {
  PipeMade(res, fds, TSAN_CALLER_PC);
}
