// Two threads wait on one condition variable at the same time, each with a different mutex:
// undefined in POSIX, which binds a condition variable to its waiters' mutex while anyone
// waits. The worker waits with `queue_lock`; main, once the worker is inside its wait, waits
// with `stats_lock`.
// CHECK: misuse cond-mutexes
// CHECK: no-race
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int waiting, done;

static struct timespec In(long ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000;
  }
  return t;
}

static void* Worker(void* arg) {
  (void)arg;
  pthread_mutex_lock(&queue_lock);
  waiting = 1;
  while (!done) {
    struct timespec until = In(5000);
    pthread_cond_timedwait(&changed, &queue_lock, &until);
  }
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, Worker, NULL);
  // The worker is inside its wait once it has set `waiting` and let go of queue_lock.
  for (int in_wait = 0; !in_wait;) {
    pthread_mutex_lock(&queue_lock);
    in_wait = waiting;
    pthread_mutex_unlock(&queue_lock);
  }
  pthread_mutex_lock(&stats_lock);
  struct timespec until = In(50);
  pthread_cond_timedwait(&changed, &stats_lock, &until);
  pthread_mutex_unlock(&stats_lock);
  pthread_mutex_lock(&queue_lock);
  done = 1;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&queue_lock);
  pthread_join(t, NULL);
  printf("done\n");
  return 0;
}
