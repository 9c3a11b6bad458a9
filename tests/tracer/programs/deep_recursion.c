/* A recursive mutex taken 70000 times by one thread (deeper than 16 bits), then released as
 * often. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t m = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

int main(void) {
  printf("M %p\n", (void*)&m);
  for (int i = 0; i < 70000; ++i) pthread_mutex_lock(&m);
  for (int i = 0; i < 70000; ++i) pthread_mutex_unlock(&m);
  printf("done\n");
  return 0;
}
