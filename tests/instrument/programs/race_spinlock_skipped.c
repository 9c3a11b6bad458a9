// The twin of clean_spinlock_counter: one thread's first increment skips the spin lock. It
// makes it once it sees, through a relaxed flag that orders nothing, that the other thread
// has counted under the lock. ThreadSanitizer (clang 14) agrees: a race on counter.
// CHECK: race counter
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

static pthread_spinlock_t lock;
static long counter;
static atomic_int started;

static void* Careful(void* arg) {
  (void)arg;
  for (int i = 0; i < 10000; ++i) {
    pthread_spin_lock(&lock);
    ++counter;  // RACE
    pthread_spin_unlock(&lock);
    if (i == 0) atomic_store_explicit(&started, 1, memory_order_relaxed);
  }
  return NULL;
}

static void* Careless(void* arg) {
  (void)arg;
  while (!atomic_load_explicit(&started, memory_order_relaxed)) sched_yield();
  ++counter;  // RACE
  for (int i = 1; i < 10000; ++i) {
    pthread_spin_lock(&lock);
    ++counter;
    pthread_spin_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE);
  pthread_t a, b;
  pthread_create(&a, NULL, Careful, NULL);
  pthread_create(&b, NULL, Careless, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_spin_destroy(&lock);
  printf("%ld\n", counter);
  return 0;
}
