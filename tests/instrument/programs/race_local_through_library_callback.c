/* A local of main counted from a comparator that the C library's qsort calls, whose own
 * frames lie between main and the comparator with no frame record of theirs, while a thread
 * counts into it too. The race names main's local. */
// CHECK: race local variable comparisons of main() on T1's stack
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static long* counter;

static int Compare(const void* a, const void* b) {
  ++*counter;  // RACE
  const int x = *(const int*)a, y = *(const int*)b;
  return (x > y) - (x < y);
}

static void* Worker(void* arg) {
  (void)arg;
  ++*counter;  // RACE
  return NULL;
}

int main(void) {
  long comparisons = 0;
  counter = &comparisons;
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  int v[64];
  for (int i = 0; i < 64; ++i) v[i] = (i * 37) % 64;
  qsort(v, 64, sizeof v[0], Compare);
  pthread_join(t, NULL);
  printf("%d %ld\n", v[0], comparisons > 0);
  return 0;
}
