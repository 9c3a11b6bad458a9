// The twin of race_spinlock_plain_unlock with the lock word made atomic: the unlock is a
// release store. Nothing races. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static unsigned long lock;
static long data;   // written before the worker takes the lock
static long ready;  // written under it

static void SpinLock(void) {
  while (!__sync_bool_compare_and_swap(&lock, 0, 1)) sched_yield();
}

static void SpinUnlock(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

static void* Worker(void* arg) {
  (void)arg;
  data = 42;
  SpinLock();
  ready = 1;
  SpinUnlock();
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  long got = 0;
  for (;;) {
    SpinLock();
    const long r = ready;
    SpinUnlock();
    if (r) {
      got = data;
      break;
    }
    sched_yield();
  }
  pthread_join(t, NULL);
  printf("%ld\n", got);
  return 0;
}
