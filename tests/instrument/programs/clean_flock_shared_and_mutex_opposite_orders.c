// The twin of lock_order_flock_and_mutex with shared flocks: the writer takes the file's
// shared lock, then the mutex; the indexer the mutex, then the shared lock. A shared flock
// keeps out no other shared one, so no interleaving deadlocks: no lock-order cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-flock-shared-order"
#define FILE_LOCK(fd) flock(fd, LOCK_SH)
#define FILE_UNLOCK(fd) flock(fd, LOCK_UN)
#include "file_lock_and_mutex.h"
