// Three threads count under a spin lock released by a full barrier and a plain store, as
// race_spinlock_plain_unlock does, many times over: the lock word races (it is no atomic),
// the count taken under the lock does not. A compare-and-swap that takes the lock may be
// numbered before it runs, and so before another thread's barrier and plain unlock whose
// value it read; it is numbered again after them (instrument_test checks that only the lock
// word is reported). Without that, most runs reported the count.
// CHECK: race lock
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static volatile unsigned long lock;
static long counter;

static void SpinLock(void) {
  while (!__sync_bool_compare_and_swap(&lock, 0, 1)) sched_yield();  // RACE
}

static void SpinUnlock(void) {
  __sync_synchronize();
  lock = 0;  // RACE
}

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
