// lock_order_flock_and_mutex whose indexer takes the file's flock with LOCK_NB while it holds
// the mutex: such a call fails rather than waits, so no interleaving deadlocks through it, as
// through a trylock: no lock-order cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-flock-nonblocking-order"
#define FILE_LOCK(fd) flock(fd, LOCK_EX)
#define FILE_UNLOCK(fd) flock(fd, LOCK_UN)
#define INDEXER_LOCK(fd) flock(fd, LOCK_EX | LOCK_NB)
#include "file_lock_and_mutex.h"
