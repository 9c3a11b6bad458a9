// Threads named by the program itself: the worker with pthread_setname_np, main with
// prctl(PR_SET_NAME). The worker exits holding `m`, so a finding names it.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/prctl.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void* worker(void* arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "worker");
  pthread_mutex_lock(&m);
  return NULL;
}

int main(void) {
  prctl(PR_SET_NAME, "boss", 0, 0, 0);
  printf("M %p\n", (void*)&m);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  return 0;
}
