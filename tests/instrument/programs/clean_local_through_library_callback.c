/* The twin of race_local_through_library_callback: the thread counts before qsort starts
 * (main joins it first), so every count is ordered. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long* counter;

static int Compare(const void* a, const void* b) {
  ++*counter;
  const int x = *(const int*)a, y = *(const int*)b;
  return (x > y) - (x < y);
}

static void* Worker(void* arg) {
  (void)arg;
  ++*counter;
  return NULL;
}

int main(void) {
  long comparisons = 0;
  counter = &comparisons;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_join(t, NULL);
  int v[64];
  for (int i = 0; i < 64; ++i) v[i] = (i * 37) % 64;
  qsort(v, 64, sizeof v[0], Compare);
  printf("%d %ld\n", v[0], comparisons > 0);
  return 0;
}
