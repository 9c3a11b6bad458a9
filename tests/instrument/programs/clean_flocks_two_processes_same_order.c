// The twin of lock_order_flocks_two_processes: the parent and its child both take the
// spool's flock, then the index's.
// CHECK: exit 0
// CHECK: no-finding lock-order
// CHECK: no-finding deadlock
// CHECK: no-race
#define SPOOL_PATH "/tmp/threadlens-same-order"
#define CHILD_ORDER Both(spool, index_)
#include "flocks_two_processes.h"
