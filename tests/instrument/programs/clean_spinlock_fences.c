// A spin lock built from relaxed atomics and fences, correct C11: taken by a relaxed exchange
// then an acquire fence, given back by a release fence then a relaxed store. The exchange
// that takes the lock reads the store that gave it back, so the fences order the critical
// sections. (ThreadSanitizer, which does not model fences, reports them as racing.)
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static int lock_word;
static long counter;

static void Lock(void) {
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_RELAXED)) {
  }
  __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static void Unlock(void) {
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&lock_word, 0, __ATOMIC_RELAXED);
}

static void* Work(void* arg) {
  (void)arg;
  for (int i = 0; i < 20000; ++i) {
    Lock();
    ++counter;
    Unlock();
  }
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Work, NULL);
  pthread_create(&b, NULL, Work, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%ld\n", counter);
  return 0;
}
