// The twin of race_libc_sync_attrs: the same calls after the join that orders the writer's
// stores before them.
// CHECK: no-race
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

// Apart: the compiler would merge the writer's stores to neighbours into one.
_Alignas(64) int mutex_type;
_Alignas(64) int mutex_robust;
_Alignas(64) clockid_t cond_clock;
_Alignas(64) int rwlock_shared;
_Alignas(64) int barrier_shared;
_Alignas(64) int count;

static void* Writer(void* arg) {
  (void)arg;
  mutex_type = -1;
  mutex_robust = -1;
  cond_clock = -1;
  rwlock_shared = -1;
  barrier_shared = -1;
  count = -1;
  return NULL;
}

int main(void) {
  pthread_mutexattr_t ma;
  pthread_condattr_t ca;
  pthread_rwlockattr_t ra;
  pthread_barrierattr_t ba;
  sem_t sem;
  pthread_mutexattr_init(&ma);
  pthread_condattr_init(&ca);
  pthread_rwlockattr_init(&ra);
  pthread_barrierattr_init(&ba);
  sem_init(&sem, 0, 3);
  pthread_t t;
  pthread_create(&t, NULL, Writer, NULL);
  pthread_join(t, NULL);
  long sum = pthread_mutexattr_gettype(&ma, &mutex_type);
  sum += pthread_mutexattr_getrobust(&ma, &mutex_robust);
  sum += pthread_condattr_getclock(&ca, &cond_clock);
  sum += pthread_rwlockattr_getpshared(&ra, &rwlock_shared);
  sum += pthread_barrierattr_getpshared(&ba, &barrier_shared);
  sum += sem_getvalue(&sem, &count);
  printf("%ld\n", sum);
  sem_destroy(&sem);
  return 0;
}
