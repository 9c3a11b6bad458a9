/* One thread sorts an array with qsort while another sums it. qsort moves the elements
 * inside libc, which records nothing: the call writes the whole array. */
// CHECK: race counts[0]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static int counts[64];

static int by_value(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

static void* sorter(void* arg) {
  (void)arg;
  qsort(counts, 64, sizeof counts[0], by_value);  // RACE
  return NULL;
}

static void* summer(void* arg) {
  (void)arg;
  long sum = 0;
  for (int i = 0; i < 64; ++i) sum += counts[i];  // RACE
  printf("%ld\n", sum);
  return NULL;
}

int main(void) {
  for (int i = 0; i < 64; ++i) counts[i] = 64 - i;
  pthread_t a, b;
  pthread_create(&a, NULL, sorter, NULL);
  pthread_create(&b, NULL, summer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}
