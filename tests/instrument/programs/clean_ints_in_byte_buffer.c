// The twin of race_ints_in_byte_buffer: main loads the int after joining the worker that
// stored it.
// CHECK: no-race
// CHECK: exit 0
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct ring {
  char *raw;
  int *slot;
};

static struct ring r;

static void Put(int i, int v) { r.slot[i] = v; }

static int Get(int i) { return r.slot[i]; }

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
  pthread_join(t, NULL);
  const int got = Get(2);
  printf("%d\n", got >= 0);
  free(raw);
  return 0;
}
