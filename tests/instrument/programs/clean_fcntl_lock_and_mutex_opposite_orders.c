// lock_order_flock_and_mutex with fcntl's process locks (F_SETLKW): such a lock belongs
// to the process, so the indexer's lock succeeds at once while the writer holds it, and no
// interleaving of the two threads deadlocks: no lock-order cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-fcntl-order"
// A lock command of `type` on the whole file, waiting for the lock.
static int Lock(int fd, short type) {
  struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
  return fcntl(fd, F_SETLKW, &l);
}
#define FILE_LOCK(fd) Lock(fd, F_WRLCK)
#define FILE_UNLOCK(fd) Lock(fd, F_UNLCK)
#include "file_lock_and_mutex.h"
