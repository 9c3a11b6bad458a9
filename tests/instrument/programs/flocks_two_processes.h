/* A parent and its child each take two files' flocks, through descriptors of their own: the
   parent the spool's, then the index's; the child, once the parent is done (it waits for a
   file the parent creates), in CHILD_ORDER: Both(index_, spool) or Both(spool, index_). No
   run deadlocks. The including program defines SPOOL_PATH and CHILD_ORDER (shared by
   lock_order_flocks_two_processes and clean_flocks_two_processes_same_order). */
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool_files.h"

// Takes `first`'s lock, then `second`'s, through descriptors of its own, and gives both up.
static void Both(const char* first, const char* second) {
  const int a = open(first, O_CREAT | O_RDWR, 0600), b = open(second, O_CREAT | O_RDWR, 0600);
  if (a < 0 || b < 0 || flock(a, LOCK_EX) != 0 || flock(b, LOCK_EX) != 0) exit(1);
  flock(b, LOCK_UN);
  flock(a, LOCK_UN);
  close(b);
  close(a);
}

int main(void) {
  unlink(done);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    WaitFor(done);  // until the parent is done
    CHILD_ORDER;
    return 0;
  }
  Both(spool, index_);
  close(open(done, O_CREAT | O_WRONLY, 0600));
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
  unlink(spool);
  unlink(index_);
  unlink(done);
  return WEXITSTATUS(status);
}
