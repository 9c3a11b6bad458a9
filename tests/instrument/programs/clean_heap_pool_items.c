/* The twin of race_heap_pool_items: the same items in the same pool, the counter bumped
   under a mutex. ThreadSanitizer (clang 14) agrees: no race. */
// CHECK: no-race
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

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg) {
  struct pool *p = arg;
  pthread_mutex_lock(&mu);
  p->items[2]->uses += 1;
  pthread_mutex_unlock(&mu);
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
