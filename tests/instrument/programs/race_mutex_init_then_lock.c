/* One thread initializes a mutex and takes it; another, a little later by the clock only,
   takes it too. Nothing but the mutex orders the two, and the mutex cannot order its own
   initialization: the second lock could as well have come first. ThreadSanitizer reports
   the init against the lock's read of the mutex. */
// CHECK: race setup_mutex
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

pthread_mutex_t setup_mutex;
int ready;

static void *Init(void *arg) {
  (void)arg;
  pthread_mutex_init(&setup_mutex, NULL);  // RACE
  pthread_mutex_lock(&setup_mutex);
  ready = 1;
  pthread_mutex_unlock(&setup_mutex);
  return NULL;
}

static void *Use(void *arg) {
  (void)arg;
  usleep(50 * 1000);
  pthread_mutex_lock(&setup_mutex);  // RACE
  printf("%d\n", ready);
  pthread_mutex_unlock(&setup_mutex);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, Init, NULL);
  pthread_create(&b, NULL, Use, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_mutex_destroy(&setup_mutex);
  return 0;
}
