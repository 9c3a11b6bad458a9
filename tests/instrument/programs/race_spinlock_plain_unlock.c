// A spin lock in the style of C servers (nginx's ngx_spinlock and ngx_unlock): a
// compare-and-swap takes it, a full barrier and a plain store of 0 release it. The plain
// store races with the other thread's (the lock word is no atomic), and both tools report
// that. The barrier before it still makes it a release, as the hardware and the code's
// authors mean: the worker's data, written before and under the lock, is ordered before
// main's reads after it took the lock (instrument_test checks that only the lock word is
// reported; ThreadSanitizer, clang 14, which does not model barriers, also reports `ready`).
// CHECK: race lock
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

static volatile unsigned long lock;
static long data;   // written before the worker takes the lock
static long ready;  // written under it

static void SpinLock(void) {
  while (!__sync_bool_compare_and_swap(&lock, 0, 1)) sched_yield();  // RACE
}

static void SpinUnlock(void) {
  __sync_synchronize();
  lock = 0;  // RACE
}

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
