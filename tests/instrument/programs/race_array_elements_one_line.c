/* One statement, inlined at two calls, races on two elements of an array: both threads bump
   slots[0] through the first call and slots[3] through the second. The two races are the same
   lines on other elements of one array: one bug, one finding (ThreadSanitizer reports two, one
   per address). The compiler keeps the two elements as globals of their own (slots.0 and
   slots.1), named by the array's debug info. */
// CHECK: race slots[0]
// CHECK: races 1
#include <pthread.h>
#include <stdio.h>

static long slots[4];

static inline __attribute__((always_inline)) void bump(int k) {
  slots[k] += 1;  // RACE
}

static void *run(void *arg) {
  (void)arg;
  bump(0);
  bump(3);
  return NULL;
}

int main(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < 2; ++i) pthread_join(t[i], NULL);
  printf("%ld %ld\n", slots[0], slots[3]);
  return 0;
}
