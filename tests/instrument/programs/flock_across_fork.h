/* A parent holds the spool's flock and forks a child, which takes the index's flock (holding
   the spool's too, through its copy of the descriptor, unless CLOSE_INHERITED closes it
   first) and says it is done with a file; a thread of the parent, once the child is done,
   takes the index's flock, then the spool's. No run deadlocks. The including program defines
   SPOOL_PATH and CLOSE_INHERITED (shared by lock_order_flock_inherited_by_fork and
   clean_flock_closed_in_fork_child). */
#pragma once

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spool_files.h"

static void* IndexThenSpool(void* arg) {
  WaitFor(done);  // until the child is done
  const int b = open(index_, O_CREAT | O_RDWR, 0600), a = open(spool, O_CREAT | O_RDWR, 0600);
  if (a < 0 || b < 0 || flock(b, LOCK_EX) != 0 || flock(a, LOCK_EX) != 0) exit(1);
  close(a);
  close(b);
  return arg;
}

int main(void) {
  unlink(done);
  const int a = open(spool, O_CREAT | O_RDWR, 0600);
  if (a < 0 || flock(a, LOCK_EX) != 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, IndexThenSpool, NULL);
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    if (CLOSE_INHERITED) close(a);  // the child's copy: the lock stays the parent's
    const int b = open(index_, O_CREAT | O_RDWR, 0600);
    if (b < 0 || flock(b, LOCK_EX) != 0) _exit(1);
    close(b);
    close(open(done, O_CREAT | O_WRONLY, 0600));
    _exit(0);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
  flock(a, LOCK_UN);
  pthread_join(t, NULL);
  close(a);
  unlink(spool);
  unlink(index_);
  unlink(done);
  return WEXITSTATUS(status);
}
