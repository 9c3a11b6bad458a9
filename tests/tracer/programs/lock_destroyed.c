// Locks a mutex after destroying it (misuse: lock-destroyed; glibc fails it with EINVAL);
// with "reinit" the mutex is initialised again first, which is fine.
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m;

int main(int argc, char** argv) {
  pthread_mutex_init(&m, NULL);
  printf("M %p\n", (void*)&m);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
  pthread_mutex_destroy(&m);
  if (argc > 1 && strcmp(argv[1], "reinit") == 0) pthread_mutex_init(&m, NULL);
  int r = pthread_mutex_lock(&m);
  if (r == 0) pthread_mutex_unlock(&m);
  printf("lock after destroy returned %d\n", r);
  return 0;
}
