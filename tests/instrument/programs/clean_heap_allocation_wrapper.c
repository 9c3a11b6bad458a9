// The twin of race_heap_allocation_wrapper: both threads update the block allocated
// through xmalloc under one mutex.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct conn {
  int fd;
  long bytes;
};

__attribute__((noinline)) static void* xmalloc(size_t n) {
  void* p = malloc(n);
  if (!p) {
    fputs("out of memory\n", stderr);
    exit(1);
  }
  return p;
}

__attribute__((noinline)) static struct conn* conn_open(int fd) {
  struct conn* c = xmalloc(sizeof *c);
  c->fd = fd;
  c->bytes = 0;
  return c;
}

static struct conn* shared;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* Reader(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  shared->bytes += 100;
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  shared = conn_open(3);
  pthread_t t;
  pthread_create(&t, NULL, Reader, NULL);
  pthread_mutex_lock(&lock);
  shared->bytes += 1;
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
  printf("%ld\n", shared->bytes);
  free(shared);
  return 0;
}
