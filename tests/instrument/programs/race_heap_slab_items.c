/* Items carved out of one heap block by the program's own bump allocator, which returns
   void*: the allocation says nothing of their type. Two threads bump the same item's counter
   without a lock; the name comes from the access's own code instead, whose address is
   computed from a variable the debug info types (`item *it`). ThreadSanitizer reports the
   race as a heap block with an offset. */
// CHECK: race item::hits in heap block allocated at main race_heap_slab_items.c:35
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct item {
  struct item *next;
  int nkey;
  long hits;
} item;

static void *slab;
static size_t used;
static item *first;

static void *slab_alloc(size_t n) {
  void *p = (char *)slab + used;
  used += n;
  return p;
}

static void *run(void *arg) {
  (void)arg;
  item *it = first->next;
  it->hits += 1;  // RACE
  return NULL;
}

int main(void) {
  slab = malloc(1 << 16);
  for (int i = 0; i < 4; ++i) {
    item *it = slab_alloc(sizeof(item));
    it->nkey = i;
    it->hits = 0;
    it->next = first;
    first = it;
  }
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", first->next->hits);
  return 0;
}
