// Two processes take two files' flocks in opposite orders: the parent the spool's, then the
// index's; its child, once the parent is done, the index's, then the spool's. This run did not
// deadlock (the parent was done first), but another interleaving hangs both processes: a
// lock-order cycle across processes, the locks named by their files. Its twin,
// clean_flocks_two_processes_same_order, takes both in one order.
// CHECK: exit 0
// CHECK: finding lock-order on file lock /tmp/threadlens-order-index
// CHECK: no-finding deadlock
// CHECK: no-race
#define SPOOL_PATH "/tmp/threadlens-order"
#define CHILD_ORDER Both(index_, spool)
#include "flocks_two_processes.h"
