// A ring of ints kept in a buffer allocated as bytes (`char *`, as queues that hold any
// element type do): a worker stores an int while main loads it, nothing ordering them. The
// block is named with the offset of the 4 bytes, not as "char[8]", one byte of them.
// CHECK: race heap block of 27 bytes allocated at main race_ints_in_byte_buffer.c:27 (+8)
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct ring {
  char *raw;
  int *slot;
};

static struct ring r;

static void Put(int i, int v) { r.slot[i] = v; }  // RACE

static int Get(int i) { return r.slot[i]; }  // RACE

static void *Producer(void *arg) {
  Put(2, 42);
  return arg;
}

int main(void) {
  // Room for six ints and the slack to align them, as a generic ring allocates it.
  char *raw = malloc(6 * sizeof(int) + sizeof(int) - 1);
  if (!raw) return 1;
  r.raw = raw;
  r.slot = (int *)raw;
  pthread_t t;
  pthread_create(&t, NULL, Producer, NULL);
  const int got = Get(2);
  pthread_join(t, NULL);
  printf("%d\n", got >= 0);
  free(raw);
  return 0;
}
