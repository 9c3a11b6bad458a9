// Two threads write one global with nothing between them; the second writes after a sleep,
// long after the first. Sleeping orders nothing. ThreadSanitizer (clang 14) agrees: a race
// on g. Second starts first, and main waits for its start before it creates First, so the
// write after the sleep follows more of the trace's numbered records than First's write
// does. (Recording: the write after the sleep carries a time after it and is merged after
// First's, so the report calls First's write the earlier one; race_reports_test checks it.)
// CHECK: race g
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <unistd.h>

long g;
sem_t started;

static void* First(void* arg) {
  g = 1;  // RACE
  return arg;
}

static void* Second(void* arg) {
  sem_post(&started);
  usleep(50000);
  g = 2;  // RACE
  return arg;
}

int main(void) {
  pthread_t a, b;
  sem_init(&started, 0, 0);
  pthread_create(&b, NULL, Second, NULL);
  sem_wait(&started);
  pthread_create(&a, NULL, First, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  sem_destroy(&started);
  printf("%ld\n", g);
  return 0;
}
