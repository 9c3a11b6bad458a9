// The twin of misuse_destroy_locked_pool_reallocated: main unlocks the first pool's mutex
// before destroying it, and the next pool made at the same address is used the same way:
// no misuse.
// CHECK: no-misuse
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct pool {
  pthread_mutex_t mu;
  int jobs;
};

static struct pool *make_pool(void) {
  struct pool *p = malloc(sizeof *p);
  if (!p) abort();
  p->jobs = 0;
  pthread_mutex_init(&p->mu, NULL);
  return p;
}

static void *worker(void *arg) {
  struct pool *p = arg;
  pthread_mutex_lock(&p->mu);
  ++p->jobs;
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

static void run(struct pool *p) {
  pthread_t t;
  pthread_create(&t, NULL, worker, p);
  pthread_join(t, NULL);
}

int main(void) {
  struct pool *first = make_pool();
  run(first);
  const uintptr_t where = (uintptr_t)first;
  pthread_mutex_lock(&first->mu);
  pthread_mutex_unlock(&first->mu);
  pthread_mutex_destroy(&first->mu);
  free(first);
  struct pool *second = make_pool();
  run(second);
  pthread_mutex_destroy(&second->mu);
  printf("jobs %d\n", second->jobs);
  const int same = (uintptr_t)second == where;
  free(second);
  return same ? 0 : 3;
}
