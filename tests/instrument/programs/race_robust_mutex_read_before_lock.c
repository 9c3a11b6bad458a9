// The twin of clean_robust_mutex_owner_died: main reads the value before it locks the
// mutex whose EOWNERDEAD would have ordered it, so the read races with the worker's write.
// CHECK: race value
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
  value = 42;  // RACE
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
  long seen = value;  // RACE
  int r = pthread_mutex_lock(&guard);
  if (r == EOWNERDEAD) pthread_mutex_consistent(&guard);
  pthread_mutex_unlock(&guard);
  printf("%d %ld\n", r == EOWNERDEAD, seen);
  return r == EOWNERDEAD ? 0 : 1;
}
