/* The twin of race_heap_field_named_by_other_access: the same items from the same bump
   allocator, the counter bumped and the name copied under a mutex. ThreadSanitizer (clang 14)
   agrees: no race. */
// CHECK: no-race
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

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *slab_alloc(size_t n) {
  void *p = (char *)slab + used;
  used += n;
  return p;
}

static void *run(void *arg) {
  const char *name = names[(long)arg];
  item *it = first->next;
  pthread_mutex_lock(&mu);
  it->hits += 1;
  memcpy(it->name, name, strlen(name) + 1);
  pthread_mutex_unlock(&mu);
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
