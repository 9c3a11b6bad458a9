/* The twin of race_qsort_array: the summing thread starts after the sort is joined. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int counts[64];

static int by_value(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

static void* sorter(void* arg) {
  (void)arg;
  qsort(counts, 64, sizeof counts[0], by_value);
  return NULL;
}

static void* summer(void* arg) {
  (void)arg;
  long sum = 0;
  for (int i = 0; i < 64; ++i) sum += counts[i];
  printf("%ld %d\n", sum, counts[0]);
  return NULL;
}

int main(void) {
  for (int i = 0; i < 64; ++i) counts[i] = 64 - i;
  pthread_t a, b;
  pthread_create(&a, NULL, sorter, NULL);
  pthread_join(a, NULL);
  pthread_create(&b, NULL, summer, NULL);
  pthread_join(b, NULL);
  return 0;
}
