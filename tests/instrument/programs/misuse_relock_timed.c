// A thread that holds a mutex locks it again with a timeout (as a test of a lock's timeout
// does): the wait can only time out. A misuse, not a self-deadlock: the thread goes on.
// CHECK: misuse relock-timed
// CHECK: no-finding self-deadlock
// CHECK: no-finding deadlock
// CHECK: no-race
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int main(void) {
  pthread_mutex_lock(&lock);
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += 20 * 1000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000;
  }
  const int rc = pthread_mutex_timedlock(&lock, &t);
  pthread_mutex_unlock(&lock);
  printf("second lock: %s\n", rc == ETIMEDOUT ? "timed out" : rc == 0 ? "taken" : "failed");
  return 0;
}
