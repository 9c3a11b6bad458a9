// Two processes take two files' flocks in opposite orders: the parent the spool's, then the
// index's; its child, once the parent is done, the index's, then the spool's. This run did not
// deadlock (the parent was done first), but another interleaving hangs both processes: a
// lock-order cycle across processes, the locks named by their files. Its twin,
// clean_flocks_two_processes_same_order, takes both in one order.
// CHECK: exit 0
// CHECK: finding lock-order on file lock /tmp/threadlens-order-index
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static const char spool[] = "/tmp/threadlens-order-spool";
static const char index_[] = "/tmp/threadlens-order-index";
static const char done[] = "/tmp/threadlens-order.done";

// Waits until `file` exists: the other side says it is done, with no memory between them.
static void WaitFor(const char* file) {
  while (access(file, F_OK) != 0) usleep(10 * 1000);
}

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
    Both(index_, spool);
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
