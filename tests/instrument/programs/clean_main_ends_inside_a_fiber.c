// Main switches to a fiber of its own (in place, as a scheduler that runs a task on the
// current stack does), joins a worker from there and returns from main without switching
// back. The thread that ends the process ends as itself: its own thread of the trace gets
// the process's end, after what the fiber did (Fibers.TheThreadThatEndsTheProcessEndsAsItself).
// CHECK: no-race
// CHECK: no-misuse
// CHECK: exit 0
#include <pthread.h>
#include <sanitizer/tsan_interface.h>
#include <stdio.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int done;

static void* Worker(void* arg) {
  pthread_mutex_lock(&mu);
  ++done;
  pthread_mutex_unlock(&mu);
  return arg;
}

int main(void) {
  pthread_t worker;
  pthread_create(&worker, NULL, Worker, NULL);
  void* task = __tsan_create_fiber(0);
  __tsan_switch_to_fiber(task, 0);
  pthread_join(worker, NULL);
  printf("done %d\n", done);
  return 0;
}
