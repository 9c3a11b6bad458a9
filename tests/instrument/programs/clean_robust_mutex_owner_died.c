// A worker locks a robust mutex, fills in a value and ends still holding it. main waits
// (through a relaxed flag, which orders nothing) until the worker has it, then locks it:
// the lock returns EOWNERDEAD once the worker is gone, and main reads the value. The
// kernel hands the mutex over only after its holder ended, so the worker's writes happen
// before: no race. (ThreadSanitizer, clang 14, reports the read.) The worker's exit with
// the mutex held is still a misuse. Its twin is race_robust_mutex_read_before_lock.
// CHECK: no-race
// CHECK: misuse held-at-exit
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t guard;
static long value;
static int holding;

static void* Worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&guard);
  value = 42;
  __atomic_store_n(&holding, 1, __ATOMIC_RELAXED);
  return NULL;  // ends holding the mutex
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&guard, &attr);
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  pthread_detach(t);
  while (!__atomic_load_n(&holding, __ATOMIC_RELAXED)) {
  }
  int r = pthread_mutex_lock(&guard);
  if (r == EOWNERDEAD) pthread_mutex_consistent(&guard);
  long seen = value;
  pthread_mutex_unlock(&guard);
  printf("%d %ld\n", r == EOWNERDEAD, seen);
  return r == EOWNERDEAD ? 0 : 1;
}
