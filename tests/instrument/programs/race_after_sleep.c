// Two threads write one global with nothing between them; the second writes after a sleep,
// long after the first. Sleeping orders nothing. ThreadSanitizer (clang 14) agrees: a race
// on g. (Recording: the write after the sleep carries a time after it, so the report calls
// the first write the earlier one; instrument_test checks the title.)
// CHECK: race g
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

long g;

static void* First(void* arg) {
  g = 1;  // RACE
  usleep(150000);
  return arg;
}

static void* Second(void* arg) {
  usleep(50000);
  g = 2;  // RACE
  return arg;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, First, NULL);
  pthread_create(&b, NULL, Second, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", g);
  return 0;
}
