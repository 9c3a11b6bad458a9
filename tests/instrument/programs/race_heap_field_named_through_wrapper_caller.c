/* Two pools made by one function through the program's allocation wrapper (my_malloc), one
   reached from make_first(), the other from make_second(). Two threads bump the first pool's
   reference count through a typed pointer, and copy a tag into the second pool with memcpy,
   whose call says nothing of the type. Both blocks are named where new_pool() called the
   wrapper, and the second block's race by the type the first block's access went through:
   blocks of one size from one allocating frame and its caller hold one type, whoever called
   further out. ThreadSanitizer reports both as heap blocks with an offset. */
// CHECK: race pool::refs in heap block allocated at new_pool race_heap_field_named_through_wrapper_caller.c:32
// CHECK: race pool::tag[0] in heap block allocated at new_pool race_heap_field_named_through_wrapper_caller.c:32
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
  p->refs += 1;                                            // RACE
  memcpy(((pool *)pools[1])->tag, tag, strlen(tag) + 1);  // RACE
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
