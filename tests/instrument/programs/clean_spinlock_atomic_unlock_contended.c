// The twin of race_spinlock_plain_unlock_contended with the lock word made atomic: the
// unlock is a release store. Nothing races. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static unsigned long lock;
static long counter;

static void SpinLock(void) {
  while (!__sync_bool_compare_and_swap(&lock, 0, 1)) sched_yield();
}

static void SpinUnlock(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

static void* Count(void* arg) {
  (void)arg;
  for (int i = 0; i < 20000; ++i) {
    SpinLock();
    ++counter;
    SpinUnlock();
  }
  return NULL;
}

int main(void) {
  pthread_t t[3];
  for (int i = 0; i < 3; ++i) pthread_create(&t[i], NULL, Count, NULL);
  for (int i = 0; i < 3; ++i) pthread_join(t[i], NULL);
  printf("%ld\n", counter);
  return counter == 60000 ? 0 : 1;
}
