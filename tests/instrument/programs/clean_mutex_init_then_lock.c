/* The fix of race_mutex_init_then_lock.c: main initializes the mutex before it starts the
   threads. */
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

pthread_mutex_t setup_mutex;
int ready;

static void *Init(void *arg) {
  (void)arg;
  pthread_mutex_lock(&setup_mutex);
  ready = 1;
  pthread_mutex_unlock(&setup_mutex);
  return NULL;
}

static void *Use(void *arg) {
  (void)arg;
  usleep(50 * 1000);
  pthread_mutex_lock(&setup_mutex);
  printf("%d\n", ready);
  pthread_mutex_unlock(&setup_mutex);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_mutex_init(&setup_mutex, NULL);
  pthread_create(&a, NULL, Init, NULL);
  pthread_create(&b, NULL, Use, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  pthread_mutex_destroy(&setup_mutex);
  return 0;
}
