// The twin of race_heap_field_through_pool_layers: the workers write the pool's block under
// a mutex. Nothing races.
// CHECK: no-race
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
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static struct conn *NewConn(int fd) {
  // The pool's memory, typed here.
  struct conn *c = PoolGet(sizeof *c);
  c->fd = fd;
  c->state = 0;
  return c;
}

static void *Worker(void *arg) {
  pthread_mutex_lock(&mu);
  shared->state = 1;
  pthread_mutex_unlock(&mu);
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
