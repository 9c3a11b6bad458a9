// A parent holds the spool's flock and forks a child, whose copy of the descriptor shares
// the lock: the child takes the index's flock while it holds the spool's. A thread of the
// parent, once the child is done, takes the index's flock, then the spool's. This run did not
// deadlock (the child was done first), but another interleaving does: a lock-order cycle
// through the lock the child inherited. Its twin, clean_flock_closed_in_fork_child, closes
// the inherited descriptor before it locks the index.
// CHECK: exit 0
// CHECK: finding lock-order on file lock /tmp/threadlens-inherit-index
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static const char spool[] = "/tmp/threadlens-inherit-spool";
static const char index_[] = "/tmp/threadlens-inherit-index";
static const char done[] = "/tmp/threadlens-inherit.done";

// Waits until `file` exists: the other side says it is done, with no memory between them.
static void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}

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
