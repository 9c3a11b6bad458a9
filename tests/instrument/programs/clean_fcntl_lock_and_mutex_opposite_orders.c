// lock_order_flock_and_mutex with fcntl's process locks (F_SETLKW): such a lock belongs
// to the process, so the indexer's lock succeeds at once while the writer holds it, and no
// interleaving of the two threads deadlocks: no lock-order cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-fcntl-order"
#define FILE_LOCK(fd) WholeFileLock(fd, F_SETLKW, F_WRLCK)
#define FILE_UNLOCK(fd) WholeFileLock(fd, F_SETLKW, F_UNLCK)
#include "file_lock_and_mutex.h"
