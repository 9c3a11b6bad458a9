// The twin of lock_order_flocks_two_processes: the parent and its child both take the
// spool's flock, then the index's.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static const char spool[] = "/tmp/threadlens-same-order-spool";
static const char index_[] = "/tmp/threadlens-same-order-index";

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
  const pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    usleep(100 * 1000);
    Both(spool, index_);
    return 0;
  }
  Both(spool, index_);
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 1;
  unlink(spool);
  unlink(index_);
  return WEXITSTATUS(status);
}
