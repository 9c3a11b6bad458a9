// lock_order_flock_and_mutex with open file description locks (F_OFD_SETLKW), which
// belong to the descriptor as a flock does: the writer's lock keeps out the indexer's, taken
// through a descriptor of its own, and the opposite orders are a lock-order cycle.
// CHECK: exit 0
// CHECK: finding lock-order on table
// CHECK: no-finding deadlock
// CHECK: no-race
#define _GNU_SOURCE
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-ofd-order"
#define FILE_LOCK(fd) WholeFileLock(fd, F_OFD_SETLKW, F_WRLCK)
#define FILE_UNLOCK(fd) WholeFileLock(fd, F_OFD_SETLKW, F_UNLCK)
#include "file_lock_and_mutex.h"
