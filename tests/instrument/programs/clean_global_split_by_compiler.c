/* The twin of race_global_split_by_compiler: the same struct, split into globals the same
   way, set and counted under a mutex. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static struct impl {
  const char *name;
  long (*fn)(long);
  long calls;
} impl;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static long twice(long x) { return 2 * x; }

static void *run(void *arg) {
  pthread_mutex_lock(&mu);
  if (!impl.fn) {
    impl.name = "twice";
    impl.fn = twice;
  }
  impl.calls += impl.fn((long)arg);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%s %ld\n", impl.name, impl.calls);
  return 0;
}
