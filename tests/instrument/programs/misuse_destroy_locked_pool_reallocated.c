// A pool's mutex is destroyed while main holds it, the pool is freed, and the next pool is
// made at the same address and used. The lock is known by its address: it is named after the
// field it was in when first taken (the first pool's), not "lock first taken in worker"
// because a later block took its memory. The twin, clean_destroy_unlocked_pool_reallocated,
// unlocks first.
// CHECK: finding misuse/destroy-locked on pool::mu in heap block allocated at make_pool misuse_destroy_locked_pool_reallocated.c:20
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
  // malloc, not calloc: the freed pool's memory comes back from the thread's cache.
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
  pthread_mutex_destroy(&first->mu);
  free(first);
  struct pool *second = make_pool();
  run(second);
  pthread_mutex_destroy(&second->mu);
  printf("jobs %d\n", second->jobs);
  // Only a pool at the first one's address tests the name (exit 3 otherwise).
  const int same = (uintptr_t)second == where;
  free(second);
  return same ? 0 : 3;
}
