// Main waits on a condition variable nobody signals, while a fiber it created sits parked
// (no thread runs it). A parked fiber neither runs nor blocks: the watchdog still sees that
// every thread is stuck, ends the program and the hang is reported. (With the fiber counted
// as a running thread, the program would hang until killed.)
// CHECK: exit 86
// CHECK: finding hang
// CHECK: no-race
#include <pthread.h>
#include <sanitizer/tsan_interface.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int ready;

int main(void) {
  void* later = __tsan_create_fiber(0);
  __tsan_set_fiber_name(later, "later");
  pthread_mutex_lock(&mu);
  while (!ready) pthread_cond_wait(&ready_cv, &mu);
  pthread_mutex_unlock(&mu);
  __tsan_destroy_fiber(later);
  return 0;
}
