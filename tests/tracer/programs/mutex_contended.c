/* A contended mutex: the main thread holds M while a second thread asks for it. The worker
 * says it started (semaphore) before the main thread gives it time to block on M. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static sem_t started;

static void* worker(void* arg) {
  (void)arg;
  sem_post(&started);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(void) {
  printf("M %p\nSTARTED %p\n", (void*)&m, (void*)&started);
  sem_init(&started, 0, 0);
  pthread_mutex_lock(&m);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  sem_wait(&started);
  usleep(300 * 1000); /* the worker blocks on M meanwhile */
  pthread_mutex_unlock(&m);
  pthread_join(t, NULL);
  return 0;
}
