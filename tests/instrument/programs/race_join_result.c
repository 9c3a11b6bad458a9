// pthread_join and thrd_join store the joined thread's result where the caller says: a
// write, here into globals that a third thread reads once a relaxed flag is up, which
// orders nothing.
// CHECK: race result
// CHECK: race code
#include <pthread.h>
#include <stdio.h>
#include <threads.h>

void* result;
int code;
int published;

static void* Compute(void* arg) {
  (void)arg;
  return (void*)42;
}

static int ComputeCode(void* arg) {
  (void)arg;
  return 7;
}

static void* Reader(void* arg) {
  (void)arg;
  while (!__atomic_load_n(&published, __ATOMIC_RELAXED)) {
  }
  long sum = (long)result;  // RACE
  sum += code;  // RACE
  return (void*)sum;
}

int main(void) {
  pthread_t reader, worker;
  thrd_t c11;
  pthread_create(&reader, NULL, Reader, NULL);
  pthread_create(&worker, NULL, Compute, NULL);
  thrd_create(&c11, ComputeCode, NULL);
  pthread_join(worker, &result);  // RACE
  thrd_join(c11, &code);  // RACE
  __atomic_store_n(&published, 1, __ATOMIC_RELAXED);
  void* sum;
  pthread_join(reader, &sum);
  printf("%ld\n", (long)sum);
  return 0;
}
