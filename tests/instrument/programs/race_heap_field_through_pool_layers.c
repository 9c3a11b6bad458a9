// A block from a pool allocator's layers (HAProxy's shape): an aligned allocation wrapper,
// functions that hand its `void *` on, and the constructor that returns it as a typed
// pointer. The race is named by the constructor's allocation and the struct's field, not by
// a layer of the pool. (race_heap_field_named_through_wrapper_caller keeps the name where
// the wrapper was called when no frame above returns a typed pointer.)
// CHECK: race conn::state in heap block allocated at NewConn race_heap_field_through_pool_layers.c:28
#include <pthread.h>
#include <stdlib.h>

struct conn {
  int fd;
  int state;
};

static inline void *my_aligned_alloc(size_t align, size_t size) {
  void *p = NULL;
  return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

__attribute__((noinline)) static void *PoolArea(size_t size) { return my_aligned_alloc(64, size); }

__attribute__((noinline)) static void *PoolGet(size_t size) { return PoolArea(size); }

static struct conn *shared;

__attribute__((noinline)) static struct conn *NewConn(int fd) {
  // The pool's memory, typed here.
  struct conn *c = PoolGet(sizeof *c);
  c->fd = fd;
  c->state = 0;
  return c;
}

static void *Worker(void *arg) {
  shared->state = 1;  // RACE
  return arg;
}

int main(void) {
  shared = NewConn(3);
  pthread_t a, b;
  pthread_create(&a, NULL, Worker, NULL);
  pthread_create(&b, NULL, Worker, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  free(shared);
  return 0;
}
