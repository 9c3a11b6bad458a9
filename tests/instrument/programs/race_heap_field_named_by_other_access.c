/* Items carved out of one heap block by the program's own bump allocator (void*: the
   allocation says nothing of their type). Two threads bump an item's counter through a typed
   pointer, and copy a name into the same item with memcpy, whose call says nothing of the
   type. The copy's race is named by the object the counter's access went through: the same
   item of the same block. ThreadSanitizer reports both as a heap block with an offset. */
// CHECK: race item::hits in heap block allocated at main race_heap_field_named_by_other_access.c:40
// CHECK: race item::name[0] in heap block allocated at main race_heap_field_named_by_other_access.c:40
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
  struct item *next;
  int nkey;
  char name[16];
  long hits;
} item;

static void *slab;
static size_t used;
static item *first;
static const char *names[2] = {"left", "right"};

static void *slab_alloc(size_t n) {
  void *p = (char *)slab + used;
  used += n;
  return p;
}

static void *run(void *arg) {
  const char *name = names[(long)arg];
  item *it = first->next;
  it->hits += 1;                              // RACE
  memcpy(it->name, name, strlen(name) + 1);  // RACE
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
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %s\n", first->next->hits, first->next->name);
  return 0;
}
