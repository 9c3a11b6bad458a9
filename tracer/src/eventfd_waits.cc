// Eventfds as pipes (pipe_waits.h): what names one, and when the kernel may write one by
// itself. Runs in the interceptors and on the watchdog's thread: raw system calls, no
// allocation, no lock.
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pipe_waits.h"
#include "runtime.h"

namespace threadlens::rt {
namespace {

// Whether /proc's file `path` holds `needle` (shorter than 32 bytes), read in pieces.
bool FileHolds(const char* path, const char* needle) {
  const int f = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (f < 0) return true;  // cannot tell: it may
  const size_t len = strlen(needle);
  char buf[4096 + 32];
  size_t kept = 0;  // the end of the last piece, where a match may start
  bool found = false;
  for (;;) {
    const long got = syscall(SYS_read, f, buf + kept, sizeof buf - kept - 1);
    if (got <= 0) break;
    const size_t n = kept + static_cast<size_t>(got);
    if (memmem(buf, n, needle, len)) {
      found = true;
      break;
    }
    kept = n < len ? n : len - 1;
    memmove(buf, buf + n - kept, kept);
  }
  syscall(SYS_close, f);
  return found;
}

}  // namespace

bool LinkStarts(int fd, const char* prefix) {
  char path[48] = "/proc/self/fd/";
  path[AppendDigits(path, 14, static_cast<unsigned>(fd))] = 0;
  char link[64];
  const long n = syscall(SYS_readlinkat, static_cast<long>(AT_FDCWD), path, link, sizeof link);
  const size_t len = strlen(prefix);
  return n >= static_cast<long>(len) && memcmp(link, prefix, len) == 0;
}

long ReadFdInfo(int fd, char* text, size_t size) {
  char path[48] = "/proc/self/fdinfo/";
  path[AppendDigits(path, 18, static_cast<unsigned>(fd))] = 0;
  const int f = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
  if (f < 0) return -1;
  const long got = syscall(SYS_read, f, text, size - 1);
  syscall(SYS_close, f);
  if (got <= 0 || got == static_cast<long>(size - 1)) return -1;  // more than it holds
  text[got] = 0;
  return got;
}

uint64_t EventfdInode(int fd) {
  char text[512];
  if (!LinkStarts(fd, "anon_inode:[eventfd]") || ReadFdInfo(fd, text, sizeof text) < 0) {
    return 0;
  }
  const char* id = strstr(text, "eventfd-id:");
  if (!id) return 0;
  char* end = nullptr;
  const unsigned long v = strtoul(id + 11, &end, 10);
  if (end == id + 11 || v >= trace::kEventfdInode) return 0;
  return trace::kEventfdInode | v;
}

bool KernelMayWriteEventfds() {
  // An AIO context is a mapping "/[aio] (deleted)".
  if (FileHolds("/proc/self/maps", "/[aio]")) return true;
  bool ring = false;
  const bool listed =
      ForEachOpenFd([&](int fd) { return ring = LinkStarts(fd, "anon_inode:[io_uring]"); });
  return ring || !listed;
}

}  // namespace threadlens::rt
