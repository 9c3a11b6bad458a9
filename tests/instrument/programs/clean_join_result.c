// The twin of race_join_result: the flag is released and acquired, which orders the joins'
// writes of the results before the third thread's reads.
// CHECK: no-race
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
  while (!__atomic_load_n(&published, __ATOMIC_ACQUIRE)) {
  }
  long sum = (long)result;
  sum += code;
  return (void*)sum;
}

int main(void) {
  pthread_t reader, worker;
  thrd_t c11;
  pthread_create(&reader, NULL, Reader, NULL);
  pthread_create(&worker, NULL, Compute, NULL);
  thrd_create(&c11, ComputeCode, NULL);
  pthread_join(worker, &result);
  thrd_join(c11, &code);
  __atomic_store_n(&published, 1, __ATOMIC_RELEASE);
  void* sum;
  pthread_join(reader, &sum);
  printf("%ld\n", (long)sum);
  return 0;
}
