// A file's flock and a mutex taken in opposite orders by two threads that run at the same
// time: the writer takes the flock, then the mutex; the indexer, once the writer is done, the
// mutex, then the flock. This run did not deadlock (the writer was done first), but another
// interleaving does: a lock-order cycle through the file's lock, named by its path.
// (ThreadSanitizer, clang 14, and Helgrind know no file locks: no report.) Its twin,
// clean_flock_and_mutex_same_order, takes both in one order.
// CHECK: exit 0
// CHECK: finding lock-order on table
// CHECK: no-finding deadlock
// CHECK: no-race
#include <fcntl.h>

#define FILE_LOCK_PATH "/tmp/threadlens-flock-order"
#define FILE_LOCK(fd) flock(fd, LOCK_EX)
#define FILE_UNLOCK(fd) flock(fd, LOCK_UN)
#include "file_lock_and_mutex.h"
