/* The twin of race_heap_allocation_stack.c: the workers bump the field under a mutex. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct table {
  long size;
  long hits;
};

static struct table *shared;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static struct table *NewTable(long size) {
  struct table *t = calloc(1, sizeof(struct table));
  t->size = size;
  return t;
}

__attribute__((noinline)) static void Setup(void) { shared = NewTable(64); }

static void *Run(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  shared->hits += 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  Setup();
  pthread_t a, b;
  pthread_create(&a, NULL, Run, NULL);
  pthread_create(&b, NULL, Run, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", shared->hits);
  free(shared);
  return 0;
}
