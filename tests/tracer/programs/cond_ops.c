/* Condition variables: a signalled wait, a timed wait that times out, a broadcast. The main
 * thread holds M until it waits, so the worker's signal always comes during the wait. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  ready = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("M %p\nCV %p\n", (void*)&m, (void*)&cv);
  pthread_mutex_lock(&m);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  while (!ready) pthread_cond_wait(&cv, &m);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 20 * 1000 * 1000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000;
  }
  if (pthread_cond_timedwait(&cv, &m, &ts) != ETIMEDOUT) return 10;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  return 0;
}
