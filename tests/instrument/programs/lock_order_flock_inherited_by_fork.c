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
#define SPOOL_PATH "/tmp/threadlens-inherit"
#define CLOSE_INHERITED 0
#include "flock_across_fork.h"
