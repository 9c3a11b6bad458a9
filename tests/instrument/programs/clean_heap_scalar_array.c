/* The twin of race_heap_scalar_array: the two threads add to different elements of the
 * block. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
  double* samples;
  int slot;
};

static void* add(void* arg) {
  struct job* j = arg;
  j->samples[j->slot] += 0.5;
  return NULL;
}

int main(void) {
  const int n = 8;
  double* samples = malloc(n * sizeof *samples);
  if (!samples) return 1;
  for (int i = 0; i < n; ++i) samples[i] = 0;
  struct job a = {samples, 2}, b = {samples, 3};
  pthread_t ta, tb;
  pthread_create(&ta, NULL, add, &a);
  pthread_create(&tb, NULL, add, &b);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  printf("%g %g\n", samples[2], samples[3]);
  free(samples);
  return 0;
}
