// A block allocated through the program's own wrapper (xmalloc, as git and many C programs
// have): the race names the block by its wrapper's caller and the type that caller
// allocated, conn::bytes in a block allocated at conn_open, not a block of xmalloc's.
// CHECK: race conn::bytes in heap block allocated at conn_open race_heap_allocation_wrapper.c:24
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

static void* Reader(void* arg) {
  (void)arg;
  shared->bytes += 100;  // RACE
  return NULL;
}

int main(void) {
  shared = conn_open(3);
  pthread_t t;
  pthread_create(&t, NULL, Reader, NULL);
  shared->bytes += 1;  // RACE
  pthread_join(t, NULL);
  printf("%ld\n", shared->bytes);
  free(shared);
  return 0;
}
