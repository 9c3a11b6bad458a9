/* The twin of race_heap_field_named_by_sibling_block: the same two contexts from the same
   loop, the counter bumped and the name copied under a mutex. ThreadSanitizer (clang 14)
   agrees: no race. */
// CHECK: no-race
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

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg) {
  const char *name = names[(long)arg];
  ctx *c = blocks[0];
  pthread_mutex_lock(&mu);
  c->hits += 1;
  memcpy(((ctx *)blocks[1])->name, name, strlen(name) + 1);
  pthread_mutex_unlock(&mu);
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
