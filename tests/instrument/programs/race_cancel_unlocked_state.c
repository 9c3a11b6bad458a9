// The twin of clean_cancel_cleanup_unlock: the thread lets go of the mutex and goes on
// writing the state without it until it is cancelled, while main reads it under the mutex
// until it sees the unlocked write.
// ThreadSanitizer (clang 14) agrees: a race on state.
// CHECK: race state
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int state;

static void* Worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  state = 1;
  pthread_mutex_unlock(&mu);
  for (;;) {
    usleep(1000);
    state = 3;  // RACE
    pthread_testcancel();
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  for (int s = 0; s != 3; usleep(100)) {
    pthread_mutex_lock(&mu);
    s = state;  // RACE
    pthread_mutex_unlock(&mu);
  }
  pthread_cancel(t);
  pthread_join(t, NULL);
  printf("%d\n", state);
  return 0;
}
