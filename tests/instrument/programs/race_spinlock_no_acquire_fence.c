// The broken twin of clean_spinlock_fences: the lock is taken by a relaxed exchange with no
// acquire fence after it, so nothing orders a critical section after the one before.
// CHECK: race counter
#include <pthread.h>
#include <stdio.h>

static int lock_word;
static long counter;

static void Lock(void) {
  while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_RELAXED)) {
  }
}

static void Unlock(void) {
  __atomic_thread_fence(__ATOMIC_RELEASE);
  __atomic_store_n(&lock_word, 0, __ATOMIC_RELAXED);
}

static void* Work(void* arg) {
  (void)arg;
  for (int i = 0; i < 20000; ++i) {
    Lock();
    ++counter;  // RACE
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
