/* A block of doubles from malloc, held in a local double*: two threads add to the same
 * element with no lock. The element is named as one of the array the pointer's type makes
 * of the block. */
// CHECK: race double[2] in heap block allocated at main race_heap_scalar_array.c:22
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
  double* samples;
  int slot;
};

static void* add(void* arg) {
  struct job* j = arg;
  j->samples[j->slot] += 0.5;  // RACE
  return NULL;
}

int main(void) {
  const int n = 8;
  double* samples = malloc(n * sizeof *samples);
  if (!samples) return 1;
  for (int i = 0; i < n; ++i) samples[i] = 0;
  struct job a = {samples, 2}, b = {samples, 2};
  pthread_t ta, tb;
  pthread_create(&ta, NULL, add, &a);
  pthread_create(&tb, NULL, add, &b);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  printf("%g\n", samples[2]);
  free(samples);
  return 0;
}
