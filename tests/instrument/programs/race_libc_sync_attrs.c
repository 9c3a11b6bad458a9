// The getters of synchronization objects' attributes and sem_getvalue write their result,
// each racing a plain write of another thread.
// CHECK: race mutex_type
// CHECK: race mutex_robust
// CHECK: race cond_clock
// CHECK: race rwlock_shared
// CHECK: race barrier_shared
// CHECK: race count
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
  mutex_type = -1;  // RACE
  mutex_robust = -1;  // RACE
  cond_clock = -1;  // RACE
  rwlock_shared = -1;  // RACE
  barrier_shared = -1;  // RACE
  count = -1;  // RACE
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
  long sum = pthread_mutexattr_gettype(&ma, &mutex_type);  // RACE
  sum += pthread_mutexattr_getrobust(&ma, &mutex_robust);  // RACE
  sum += pthread_condattr_getclock(&ca, &cond_clock);  // RACE
  sum += pthread_rwlockattr_getpshared(&ra, &rwlock_shared);  // RACE
  sum += pthread_barrierattr_getpshared(&ba, &barrier_shared);  // RACE
  sum += sem_getvalue(&sem, &count);  // RACE
  pthread_join(t, NULL);
  printf("%ld\n", sum);
  sem_destroy(&sem);
  return 0;
}
