/* Items allocated into the array a pool object points to (`p->items[i] = calloc(...)`), the
   pool being a local pointer: two threads bump the same item's counter without a lock. The
   item's name comes from the code that stores each allocation into its element, traced back
   to the load of `p->items` and to where the debug info places `p` there. ThreadSanitizer
   reports the race as a heap block with an offset. */
// CHECK: race item::uses in heap block allocated at pool_new race_heap_pool_items.c:25
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct item {
  long key;
  long uses;
};
struct pool {
  int n;
  struct item **items;
};

static struct pool *pool_new(int n) {
  struct pool *p = malloc(sizeof *p);
  p->n = n;
  p->items = calloc((size_t)n, sizeof *p->items);
  for (int i = 0; i < n; ++i) {
    p->items[i] = calloc(1, sizeof(struct item));
  }
  return p;
}

static void *run(void *arg) {
  struct pool *p = arg;
  p->items[2]->uses += 1;  // RACE
  return NULL;
}

int main(void) {
  struct pool *p = pool_new(4);
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, p);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", p->items[2]->uses);
  return 0;
}
