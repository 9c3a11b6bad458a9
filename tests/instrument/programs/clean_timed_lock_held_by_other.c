// The twin of misuse_relock_timed: the mutex is held by another thread, and the timed lock
// that times out behind it is what a timed lock is for.
// CHECK: no-misuse
// CHECK: no-finding self-deadlock
// CHECK: no-finding deadlock
// CHECK: no-race
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* Worker(void* arg) {
  (void)arg;
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += 20 * 1000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000;
  }
  const int rc = pthread_mutex_timedlock(&lock, &t);
  if (rc == 0) pthread_mutex_unlock(&lock);
  printf("worker's lock: %s\n", rc == ETIMEDOUT ? "timed out" : rc == 0 ? "taken" : "failed");
  return NULL;
}

int main(void) {
  pthread_mutex_lock(&lock);
  pthread_t w;
  pthread_create(&w, NULL, Worker, NULL);
  pthread_join(w, NULL);
  pthread_mutex_unlock(&lock);
  return 0;
}
