// The mail spool and index of flock_order_procs and flock_same_order_procs: each file guarded
// by its own flock. The two scenarios differ only in the order the compactor takes them.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>

// Locks `first`, then `second` (flock, through descriptors of its own), does its work, and
// gives both up.
inline void UnderBoth(const char* first, const char* second, const char* work) {
  const int a = open(first, O_CREAT | O_RDWR, 0600), b = open(second, O_CREAT | O_RDWR, 0600);
  if (a < 0 || b < 0 || flock(a, LOCK_EX) != 0 || flock(b, LOCK_EX) != 0) _exit(1);
  std::printf("%s\n", work);
  std::fflush(stdout);
  close(b);
  close(a);
}

// Waits until `file` exists: delivery says it is done with a file (no memory between the
// processes).
inline void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}
