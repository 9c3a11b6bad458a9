/* The twin of race_array_elements_one_line: the same two bumps of slots[0] and slots[3],
   under a mutex. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static long slots[4];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static inline __attribute__((always_inline)) void bump(int k) {
  pthread_mutex_lock(&mu);
  slots[k] += 1;
  pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
  (void)arg;
  bump(0);
  bump(3);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %ld\n", slots[0], slots[3]);
  return 0;
}
