/* Sleeping threads beside blocked ones. "hang": main waits on a condition variable nobody
 * signals while another thread sleeps for ten minutes; the watchdog must still end it.
 * "join": main joins a thread sleeping 2 s while a third waits on a condition variable the
 * sleeper signals when it wakes; the program ends on its own. "task": main waits on a
 * condition variable that a worker signals after a 3 s sleep (a pool's owner waiting for a
 * task that sleeps); the program ends on its own. "heartbeat": main waits on a condition
 * variable nobody signals while another thread sleeps 3 s at a time in a loop, waking nobody;
 * the watchdog must end it once main has waited long enough. "retry": main waits on a
 * condition variable that a worker signals after sleeping 2 s three times in a row (a retry
 * loop); the program ends on its own. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;

static void* long_sleeper(void* arg) {
  (void)arg;
  sleep(600);
  return NULL;
}

/* Sleeps `arg` seconds, then wakes the waiters. */
static void* wake_after(void* arg) {
  sleep((unsigned)(uintptr_t)arg);
  pthread_mutex_lock(&m);
  done = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&m);
  return NULL;
}

static void* heartbeat(void* arg) {
  (void)arg;
  for (;;) sleep(3);
  return NULL;
}

static void* retry(void* arg) {
  (void)arg;
  for (int i = 0; i < 3; ++i) sleep(2);
  return wake_after((void*)(uintptr_t)0);
}

static void* waiter(void* arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  while (!done) pthread_cond_wait(&cv, &m);
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(int argc, char** argv) {
  pthread_t a, b;
  if (argc > 1 && strcmp(argv[1], "join") == 0) {
    pthread_create(&a, NULL, wake_after, (void*)(uintptr_t)2);
    pthread_create(&b, NULL, waiter, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    return 0;
  }
  int with_task = argc > 1 && strcmp(argv[1], "task") == 0;
  const int with_retry = argc > 1 && strcmp(argv[1], "retry") == 0;
  if (with_task) {
    pthread_create(&a, NULL, wake_after, (void*)(uintptr_t)3);
  } else if (with_retry) {
    pthread_create(&a, NULL, retry, NULL);
  } else if (argc > 1 && strcmp(argv[1], "heartbeat") == 0) {
    pthread_create(&a, NULL, heartbeat, NULL);
  } else {
    pthread_create(&a, NULL, long_sleeper, NULL);
  }
  waiter(NULL); /* nobody signals, but a task */
  if (with_task || with_retry) pthread_join(a, NULL);
  puts("done");
  return 0;
}
