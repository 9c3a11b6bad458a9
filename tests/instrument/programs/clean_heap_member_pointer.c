/* The twin of race_heap_member_pointer: the threads bump the field under a mutex. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct stats {
  long hits;
  long misses;
};
struct conn {
  int fd;
  struct stats* st;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void* work(void* arg) {
  struct conn* c = arg;
  pthread_mutex_lock(&mu);
  c->st->misses++;
  pthread_mutex_unlock(&mu);
  return NULL;
}

struct conn* conn_new(int fd) {
  struct conn* c = calloc(1, sizeof *c);
  c->fd = fd;
  c->st = calloc(1, sizeof(struct stats));
  return c;
}

int main(void) {
  struct conn* c = conn_new(3);
  pthread_t a, b;
  pthread_create(&a, NULL, work, c);
  pthread_create(&b, NULL, work, c);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", c->st->misses);
  free(c->st);
  free(c);
  return 0;
}
