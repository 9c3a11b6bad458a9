// The twin of lock_order_flock_inherited_by_fork: the child closes its copy of the spool's
// descriptor before it takes the index's flock, so it holds nothing then: no cycle.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#define SPOOL_PATH "/tmp/threadlens-inherit-closed"
#define CLOSE_INHERITED 1
#include "flock_across_fork.h"
