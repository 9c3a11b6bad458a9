/* Two contexts allocated by one loop as void* (the allocation says nothing of their type).
   Two threads bump the first context's counter through a typed pointer, and copy a name into
   the second context with memcpy, whose call says nothing of the type. The second block's
   race is named by the type the first block's access went through: both are whole blocks of
   one size from the same call path. ThreadSanitizer reports both as heap blocks with an
   offset. */
// CHECK: race ctx::hits in heap block allocated at main race_heap_field_named_by_sibling_block.c:35
// CHECK: race ctx::name[0] in heap block allocated at main race_heap_field_named_by_sibling_block.c:35
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
  int id;
  char name[16];
  long hits;
} ctx;

static void *blocks[2];
static const char *names[2] = {"left", "right"};

static void *run(void *arg) {
  const char *name = names[(long)arg];
  ctx *c = blocks[0];
  c->hits += 1;                                              // RACE
  memcpy(((ctx *)blocks[1])->name, name, strlen(name) + 1);  // RACE
  return NULL;
}

int main(void) {
  for (int i = 0; i < 2; ++i) {
    // Allocated as plain memory: the store into a void* array names no type.
    size_t size = sizeof(ctx);
    void *p = malloc(size);
    memset(p, 0, size);
    blocks[i] = p;
  }
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %s\n", ((ctx *)blocks[0])->hits, ((ctx *)blocks[1])->name);
  return 0;
}
