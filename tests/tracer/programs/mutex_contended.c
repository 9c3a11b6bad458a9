/* A contended mutex: the main thread holds M while a second thread asks for it. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("M %p\n", (void*)&m);
  pthread_mutex_lock(&m);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  usleep(200 * 1000); /* the worker blocks on M meanwhile */
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  return 0;
}
