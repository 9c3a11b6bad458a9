/* The twin of race_heap_field_named_through_wrapper_caller: the same two pools from the same
   function, reached from two callers, the count bumped and the tag copied under a mutex. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool {
  int id;
  char tag[16];
  long refs;
} pool;

static void *pools[2];
static const char *tags[2] = {"left", "right"};
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void *my_malloc(size_t size) {
  void *p = malloc(size);
  if (!p) abort();
  memset(p, 0, size);
  return p;
}

// Plain memory to the caller too: the void* says nothing of the type.
__attribute__((noinline)) static void *new_pool(void) { return my_malloc(sizeof(pool)); }

__attribute__((noinline)) static void *attach(void) { return new_pool(); }
__attribute__((noinline)) static void make_first(void) { pools[0] = attach(); }
__attribute__((noinline)) static void make_second(void) { pools[1] = attach(); }

static void *run(void *arg) {
  const char *tag = tags[(long)arg];
  pool *p = pools[0];
  pthread_mutex_lock(&mu);
  p->refs += 1;
  memcpy(((pool *)pools[1])->tag, tag, strlen(tag) + 1);
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  make_first();
  make_second();
  pthread_t t[2];
  for (long i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, (void *)i);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %s\n", ((pool *)pools[0])->refs, ((pool *)pools[1])->tag);
  return 0;
}
