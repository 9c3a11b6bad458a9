// A thread cancelled while it waits on a condition variable: the wait takes the mutex back
// before the thread unwinds, and its cleanup handler unlocks it; main then locks it and
// writes the state the thread wrote under it. ThreadSanitizer (clang 14) agrees: no race.
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int state;

static void Unlock(void* arg) { pthread_mutex_unlock(arg); }

static void* Waiter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  pthread_cleanup_push(Unlock, &mu);
  state = 1;
  for (;;) pthread_cond_wait(&changed, &mu);
  pthread_cleanup_pop(0);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Waiter, NULL);
  for (int s = 0; !s; usleep(100)) {
    pthread_mutex_lock(&mu);
    s = state;
    pthread_mutex_unlock(&mu);
  }
  pthread_cancel(t);
  pthread_join(t, NULL);
  pthread_mutex_lock(&mu);
  state = 2;
  pthread_mutex_unlock(&mu);
  printf("%d\n", state);
  return 0;
}
