/* A detached worker's last unlock lets main return while the worker is still ending: the
 * worker's last events (that unlock, its exit) must reach the trace, or the analysis would
 * not see what ordered main's exit after them. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  done = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("M %p\n", (void*)&m);
  fflush(stdout);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  pthread_mutex_lock(&m);
  if (pthread_create(&t, &attr, worker, NULL) != 0) return 1;
  while (!done) pthread_cond_wait(&cv, &m);
  pthread_mutex_unlock(&m);
  return 0;
}
