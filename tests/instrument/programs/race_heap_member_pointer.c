/* A block from calloc stored straight into a member of another heap object (conn->st); two
 * threads bump one of its fields with no lock. The block is named by the member's pointee
 * type: the code after the allocation stores the returned pointer through the register the
 * debug info places `c` in (at -O1 and above). */
// CHECK: race stats::misses in heap block allocated at conn_new race_heap_member_pointer.c:28
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

static void* work(void* arg) {
  struct conn* c = arg;
  c->st->misses++;  // RACE
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
