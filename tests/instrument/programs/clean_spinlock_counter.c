// Two threads count under a pthread spin lock. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>

static pthread_spinlock_t lock;
static long counter;

static void* Count(void* arg) {
  (void)arg;
  for (int i = 0; i < 10000; ++i) {
    pthread_spin_lock(&lock);
    ++counter;
    pthread_spin_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE);
  pthread_t a, b;
  pthread_create(&a, NULL, Count, NULL);
  pthread_create(&b, NULL, Count, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_spin_destroy(&lock);
  printf("%ld\n", counter);
  return 0;
}
