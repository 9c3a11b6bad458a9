/* Threads: create + join, create + detach, a thread ending in pthread_exit, tryjoin that
 * fails while the thread waits and succeeds after, and a timed join. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static sem_t go, detached_done;

static void* plain(void* arg) { return arg; }
static void* exits(void* arg) {
  pthread_exit(arg);
  return NULL;
}
static void* waits(void* arg) {
  sem_wait(&go);
  return arg;
}
static void* detached(void* arg) {
  sem_post(&detached_done);
  return arg;
}

int main(void) {
  sem_init(&go, 0, 0);
  sem_init(&detached_done, 0, 0);
  pthread_t a, b, c, d;
  pthread_create(&a, NULL, plain, NULL);
  pthread_join(a, NULL);
  pthread_create(&b, NULL, exits, NULL);
  pthread_join(b, NULL);
  pthread_create(&c, NULL, waits, NULL);
  if (pthread_tryjoin_np(c, NULL) != EBUSY) return 10;
  sem_post(&go);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 10;
  if (pthread_timedjoin_np(c, NULL, &ts) != 0) return 11;
  pthread_create(&d, NULL, detached, NULL);
  pthread_detach(d);
  sem_wait(&detached_done);
  return 0;
}
