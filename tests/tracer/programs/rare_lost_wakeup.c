// A lost wakeup that a plain run almost never shows: the notifier first prepares its data
// for 50 ms, so the waiter is long asleep when the notification comes. Only when the
// notifier gets to run first is the notification lost: the waiter, which waits for a
// notification instead of for the condition, then waits forever (a hang).
// `fixed`: the waiter waits while the condition is false, so the order does not matter.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, fixed;

static void busy(int ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do clock_gettime(CLOCK_MONOTONIC, &now);
  while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

static void* waiter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  if (fixed) {
    while (!ready) pthread_cond_wait(&cv, &m);
  } else {
    pthread_cond_wait(&cv, &m);  // the bug: a notification sent before this is lost
  }
  pthread_mutex_unlock(&m);
  return NULL;
}

static void* notifier(void* arg) {
  (void)arg;
  busy(50);
  pthread_mutex_lock(&m);
  ready = 1;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(int argc, char** argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  pthread_t w, n;
  pthread_create(&w, NULL, waiter, NULL);
  pthread_create(&n, NULL, notifier, NULL);
  pthread_join(w, NULL);
  pthread_join(n, NULL);
  puts("done");
  return 0;
}
