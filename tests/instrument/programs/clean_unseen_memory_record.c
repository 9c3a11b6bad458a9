/* The twin of race_unseen_memory_record: the same record in sbrk's memory, its total added to
   under a mutex. ThreadSanitizer (clang 14) agrees: no race. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

struct rec {
  int id;
  long total;
};
static struct rec *recs;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg) {
  struct rec *r = &recs[(long)arg & 0];
  pthread_mutex_lock(&mu);
  r->total += 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  recs = sbrk(4096);
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", recs[0].total);
  return 0;
}
