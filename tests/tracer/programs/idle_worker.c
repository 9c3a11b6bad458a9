/* A background worker that waits on a condition variable for work that never comes, and a
 * main thread that returns without stopping it: the program ends on its own, so the
 * waiting worker is idle, not hung. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int work;
static int waiting;

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  waiting = 1;
  pthread_cond_broadcast(&cv);
  while (!work) pthread_cond_wait(&cv, &m);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("CV %p\n", (void*)&cv);
  fflush(stdout);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_mutex_lock(&m);
  while (!waiting) pthread_cond_wait(&cv, &m);
  pthread_mutex_unlock(&m);
  return 0;
}
