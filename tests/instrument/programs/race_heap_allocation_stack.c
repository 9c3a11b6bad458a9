/* A block allocated two calls below main, by a helper the program calls for every table:
   two workers bump a field of it without a lock. The race names the block by the helper's
   line, and the report gives the whole stack of the allocation (NewTable, Setup, main), as
   ThreadSanitizer's "Location is heap block" does. */
// CHECK: race table::hits in heap block allocated at NewTable race_heap_allocation_stack.c:18
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct table {
  long size;
  long hits;
};

static struct table *shared;

__attribute__((noinline)) static struct table *NewTable(long size) {
  struct table *t = calloc(1, sizeof(struct table));
  t->size = size;
  return t;
}

__attribute__((noinline)) static void Setup(void) { shared = NewTable(64); }

static void *Run(void *arg) {
  (void)arg;
  shared->hits += 1;  // RACE
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
