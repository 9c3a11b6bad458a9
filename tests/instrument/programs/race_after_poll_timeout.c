// race_after_sleep with the wait made by poll timing out (a common way to sleep in C, and an
// event loop's idle turn): Second starts first and writes 50 ms later, after a poll on no
// descriptor returned 0; First writes at once. Nothing orders the two writes. (Recording: a
// poll that timed out records nothing, so the write after it is merged after First's only
// through the fence before it; race_reports_test checks the title.)
// CHECK: race g
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

long g;
sem_t started;

static void* First(void* arg) {
  g = 1;  // RACE
  return arg;
}

static void* Second(void* arg) {
  sem_post(&started);
  poll(NULL, 0, 50);
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
